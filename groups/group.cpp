// Group arithmetic for C_N, D_N, SO(2), O(2); see group.h for the conventions.
#include "groups/group.h"

#include <cmath>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::groups {
namespace {
constexpr double kTwoPi = 6.283185307179586476925286766559;

double wrap_angle(double a) {
  a = std::fmod(a, kTwoPi);
  if (a < 0) a += kTwoPi;
  // Keep exact multiples from drifting to 2*pi - eps.
  if (kTwoPi - a < 1e-12) a = 0.0;
  return a;
}
int wrap_index(int r, int n) { return ((r % n) + n) % n; }
}  // namespace

Group Group::cyclic(int n) {
  if (n < 1) throw std::invalid_argument(fmt::format("cyclic group C_N needs N >= 1, got N = {}", n));
  return Group(GroupKind::Cyclic, n, 0);
}
Group Group::dihedral(int n) {
  if (n < 1) throw std::invalid_argument(fmt::format("dihedral group D_N needs N >= 1, got N = {}", n));
  return Group(GroupKind::Dihedral, n, 0);
}
Group Group::so2(int band_limit) {
  if (band_limit < 0) throw std::invalid_argument(fmt::format("SO(2) band limit must be >= 0, got {}", band_limit));
  return Group(GroupKind::SO2, 0, band_limit);
}
Group Group::o2(int band_limit) {
  if (band_limit < 0) throw std::invalid_argument(fmt::format("O(2) band limit must be >= 0, got {}", band_limit));
  return Group(GroupKind::O2, 0, band_limit);
}

Group Group::from_name(const std::string& name, int band_limit) {
  if (name == "SO2" || name == "so2") return so2(band_limit);
  if (name == "O2" || name == "o2") return o2(band_limit);
  if (name.size() >= 2 && (name[0] == 'C' || name[0] == 'c' || name[0] == 'D' || name[0] == 'd')) {
    const std::string digits = name.substr(1);
    if (digits.find_first_not_of("0123456789") == std::string::npos && digits.size() <= 6) {
      const int n = std::stoi(digits);
      return (name[0] == 'C' || name[0] == 'c') ? cyclic(n) : dihedral(n);
    }
  }
  throw std::invalid_argument(fmt::format("unknown group '{}': expected C<N>, D<N> (N >= 1), SO2 or O2", name));
}

int Group::size() const {
  switch (kind_) {
    case GroupKind::Cyclic:
      return order_;
    case GroupKind::Dihedral:
      return 2 * order_;
    default:
      return 0;
  }
}

std::string Group::name() const {
  switch (kind_) {
    case GroupKind::Cyclic:
      return fmt::format("C{}", order_);
    case GroupKind::Dihedral:
      return fmt::format("D{}", order_);
    case GroupKind::SO2:
      return fmt::format("SO2(L={})", band_limit_);
    case GroupKind::O2:
      return fmt::format("O2(L={})", band_limit_);
  }
  return "?";
}

bool Group::acts_exactly_on_grid() const { return finite() && (order_ == 1 || order_ == 2 || order_ == 4); }

GroupElement Group::compose(const GroupElement& a, const GroupElement& b) const {
  GroupElement c;
  c.reflection = (a.reflection != b.reflection) && has_reflections();
  if (finite()) {
    c.rotation = wrap_index(a.rotation + (a.reflection ? -b.rotation : b.rotation), order_);
    c.angle = kTwoPi * c.rotation / order_;
  } else {
    c.angle = wrap_angle(a.angle + (a.reflection ? -b.angle : b.angle));
  }
  return c;
}

GroupElement Group::inverse(const GroupElement& a) const {
  // A mirrored element is its own inverse; a rotation inverts its angle.
  if (a.reflection) return a;
  GroupElement c;
  if (finite()) {
    c.rotation = wrap_index(-a.rotation, order_);
    c.angle = kTwoPi * c.rotation / order_;
  } else {
    c.angle = wrap_angle(-a.angle);
  }
  return c;
}

GroupElement Group::element_at(double angle, bool reflection) const {
  if (reflection && !has_reflections()) throw std::invalid_argument(fmt::format("group {} has no reflections", name()));
  GroupElement g;
  g.reflection = reflection;
  if (finite()) {
    const double steps = wrap_angle(angle) * order_ / kTwoPi;
    const double r = std::round(steps);
    if (std::abs(steps - r) > 1e-9 * order_)
      throw std::invalid_argument(
          fmt::format("angle {:.6g} deg is not a rotation of {} (expected a multiple of {:.6g} deg)",
                      angle * 360.0 / kTwoPi, name(), 360.0 / order_));
    g.rotation = wrap_index(static_cast<int>(r), order_);
    g.angle = kTwoPi * g.rotation / order_;
  } else {
    g.angle = wrap_angle(angle);
  }
  return g;
}

GroupElement Group::element(int index) const {
  if (!finite()) throw std::invalid_argument(fmt::format("{} is continuous: its elements cannot be indexed", name()));
  if (index < 0 || index >= size())
    throw std::out_of_range(fmt::format("element index {} out of range for {} (size {})", index, name(), size()));
  GroupElement g;
  g.rotation = index % order_;
  g.reflection = index >= order_;
  g.angle = kTwoPi * g.rotation / order_;
  return g;
}

int Group::index(const GroupElement& g) const {
  if (!finite()) throw std::invalid_argument(fmt::format("{} is continuous: its elements cannot be indexed", name()));
  return wrap_index(g.rotation, order_) + (g.reflection ? order_ : 0);
}

std::vector<GroupElement> Group::elements() const {
  if (!finite())
    throw std::invalid_argument(fmt::format("{} is continuous: use sample() instead of elements()", name()));
  std::vector<GroupElement> out;
  for (int i = 0; i < size(); ++i) out.push_back(element(i));
  return out;
}

std::vector<GroupElement> Group::sample(int count, std::uint64_t seed) const {
  std::mt19937_64 rng(seed);
  std::vector<GroupElement> out;
  for (int i = 0; i < count; ++i) {
    if (finite()) {
      out.push_back(element(static_cast<int>(rng() % static_cast<std::uint64_t>(size()))));
    } else {
      std::uniform_real_distribution<double> angle(0.0, kTwoPi);
      const bool mirror = has_reflections() && (rng() & 1u);
      out.push_back(element_at(angle(rng), mirror));
    }
  }
  return out;
}

bool Group::equal(const GroupElement& a, const GroupElement& b) const {
  if (a.reflection != b.reflection) return false;
  if (finite()) return wrap_index(a.rotation, order_) == wrap_index(b.rotation, order_);
  const double d = std::abs(wrap_angle(a.angle - b.angle));
  return std::min(d, kTwoPi - d) < 1e-9;
}

bool is_grid_exact(const GroupElement& g) {
  const double quarter = g.angle / (kTwoPi / 4);
  return std::abs(quarter - std::round(quarter)) < 1e-9;
}

std::string describe(const GroupElement& g) {
  return fmt::format("rot {:g}deg{}", g.angle * 360.0 / kTwoPi, g.reflection ? " + mirror" : "");
}

std::vector<double> default_check_angles() { return {90.0, 180.0, 270.0, 45.0, 22.5}; }

std::vector<GroupElement> default_check_elements(const Group& group) {
  if (group.finite()) return group.elements();
  std::vector<GroupElement> out;
  for (const bool mirror : {false, true}) {
    if (mirror && !group.has_reflections()) break;
    for (const double deg : default_check_angles()) out.push_back(group.element_at(deg * kTwoPi / 360.0, mirror));
  }
  return out;
}

}  // namespace eqnca::groups
