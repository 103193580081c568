// Irreps, regular representations, direct sums and changes of basis; see representation.h.
#include "groups/representation.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::groups {
namespace {

bool has_half_frequency(const Group& g) { return g.finite() && g.rotation_order() % 2 == 0; }

int max_frequency(const Group& g) { return g.finite() ? g.rotation_order() / 2 : g.band_limit(); }

void check_irrep(const Group& group, const Irrep& irrep) {
  const int k = irrep.frequency, j = irrep.reflection_index;
  const bool one_dim = k == 0 || (has_half_frequency(group) && 2 * k == group.rotation_order());
  bool ok = k >= 0 && k <= max_frequency(group) && (j == 0 || j == 1);
  if (ok && !group.has_reflections()) ok = j == 0;
  if (ok && group.has_reflections() && !one_dim) ok = j == 1;  // 2-dim irreps are psi_{1,k}
  if (!ok)
    throw std::invalid_argument(fmt::format(
        "{} has no irrep psi_(j={}, k={}): expected 0 <= k <= {}{}", group.name(), j, k, max_frequency(group),
        group.has_reflections() ? ", j in {0,1} for 1-dim irreps and j = 1 for 2-dim ones" : " and j = 0"));
}

}  // namespace

std::vector<Irrep> irreps_of(const Group& group) {
  std::vector<Irrep> out;
  for (int k = 0; k <= max_frequency(group); ++k) {
    const bool one_dim = k == 0 || (has_half_frequency(group) && 2 * k == group.rotation_order());
    if (!group.has_reflections()) {
      out.push_back({0, k});
    } else if (one_dim) {
      out.push_back({0, k});
      out.push_back({1, k});
    } else {
      out.push_back({1, k});
    }
  }
  return out;
}

int irrep_dimension(const Group& group, const Irrep& irrep) {
  check_irrep(group, irrep);
  const int k = irrep.frequency;
  return (k == 0 || (has_half_frequency(group) && 2 * k == group.rotation_order())) ? 1 : 2;
}

Eigen::MatrixXd irrep_matrix(const Group& group, const Irrep& irrep, const GroupElement& g) {
  const int dim = irrep_dimension(group, irrep);
  const int k = irrep.frequency;
  if (dim == 1) {
    double v = 1.0;
    if (k != 0) v = (g.rotation % 2 == 0) ? 1.0 : -1.0;  // psi_{j,N/2}: (-1)^r
    if (irrep.reflection_index == 1 && g.reflection) v = -v;
    return Eigen::MatrixXd::Constant(1, 1, v);
  }
  // Finite groups use the integer rotation so that exact angles stay exact.
  const double theta = group.finite() ? 2.0 * M_PI * k * g.rotation / group.rotation_order() : k * g.angle;
  const double c = std::cos(theta), s = std::sin(theta);
  Eigen::MatrixXd m(2, 2);
  m << c, -s, s, c;
  if (g.reflection) m.col(0) *= -1.0;  // R(k theta) * diag(-1, 1)
  return m;
}

Representation Representation::irrep(const Group& group, int reflection_index, int frequency) {
  const Irrep ir{reflection_index, frequency};
  Representation rep(group, fmt::format("irrep({},{})", reflection_index, frequency));
  Block b;
  b.irrep = ir;
  b.dim = irrep_dimension(group, ir);
  rep.blocks_.push_back(b);
  rep.dim_ = b.dim;
  return rep;
}

Representation Representation::trivial(const Group& group) {
  Representation rep = irrep(group, 0, 0);
  rep.name_ = "trivial";
  return rep;
}

Representation Representation::sign(const Group& group) {
  if (!group.has_reflections())
    throw std::invalid_argument(
        fmt::format("the sign representation needs reflections, but {} has none", group.name()));
  Representation rep = irrep(group, 1, 0);
  rep.name_ = "sign";
  return rep;
}

Representation Representation::standard(const Group& group) {
  if (group.finite() && group.rotation_order() < 3)
    throw std::invalid_argument(
        fmt::format("the standard representation is an irrep only for N >= 3 (or SO(2)/O(2)), got {}", group.name()));
  if (!group.finite() && group.band_limit() < 1)
    throw std::invalid_argument(
        fmt::format("the standard representation needs band limit >= 1, {} has 0", group.name()));
  Representation rep = irrep(group, group.has_reflections() ? 1 : 0, 1);
  rep.name_ = "standard";
  return rep;
}

Representation Representation::regular(const Group& group) {
  if (!group.finite())
    throw std::invalid_argument(fmt::format("the regular representation needs a finite group, got {}", group.name()));
  Representation rep(group, "regular");
  Block b;
  b.regular = true;
  b.dim = group.size();
  rep.blocks_.push_back(b);
  rep.dim_ = b.dim;
  return rep;
}

Representation Representation::direct_sum(const std::vector<Representation>& parts) {
  if (parts.empty()) throw std::invalid_argument("direct_sum needs at least one representation");
  Representation rep(parts.front().group_, "");
  std::string name = "sum(";
  bool any_basis = false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Representation& p = parts[i];
    if (p.group_ != rep.group_)
      throw std::invalid_argument(fmt::format("direct_sum: representation '{}' is of {}, expected {}", p.name_,
                                              p.group_.name(), rep.group_.name()));
    name += (i ? "," : "") + p.name_;
    rep.blocks_.insert(rep.blocks_.end(), p.blocks_.begin(), p.blocks_.end());
    rep.dim_ += p.dim_;
    any_basis = any_basis || p.basis_;
  }
  rep.name_ = name + ")";
  if (any_basis) {  // the parts' changes of basis become one block-diagonal Q
    Eigen::MatrixXd q = Eigen::MatrixXd::Identity(rep.dim_, rep.dim_);
    int offset = 0;
    for (const Representation& p : parts) {
      if (p.basis_) q.block(offset, offset, p.dim_, p.dim_) = *p.basis_;
      offset += p.dim_;
    }
    rep.basis_ = std::make_shared<const Eigen::MatrixXd>(q);
  }
  return rep;
}

Representation Representation::renamed(const std::string& name) const {
  Representation rep = *this;
  rep.name_ = name;
  return rep;
}

Representation Representation::change_of_basis(const Eigen::MatrixXd& q, const std::string& name) const {
  if (q.rows() != dim_ || q.cols() != dim_)
    throw std::invalid_argument(
        fmt::format("change of basis for '{}' must be {}x{}, got {}x{}", name_, dim_, dim_, q.rows(), q.cols()));
  const double err = (q.transpose() * q - Eigen::MatrixXd::Identity(dim_, dim_)).cwiseAbs().maxCoeff();
  if (err > 1e-9)
    throw std::invalid_argument(
        fmt::format("change of basis for '{}' must be orthogonal (|Q^T Q - I| = {:.3g})", name_, err));
  Representation rep = *this;
  rep.name_ = name;
  rep.basis_ = std::make_shared<const Eigen::MatrixXd>(basis_ ? Eigen::MatrixXd(q * *basis_) : q);
  return rep;
}

Eigen::MatrixXd Representation::operator()(const GroupElement& g) const {
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(dim_, dim_);
  int offset = 0;
  for (const Block& b : blocks_) {
    if (b.regular) {
      const int gi = group_.index(g);
      for (int h = 0; h < b.dim; ++h) {
        const int gh = group_.index(group_.compose(group_.element(gi), group_.element(h)));
        m(offset + gh, offset + h) = 1.0;
      }
    } else {
      m.block(offset, offset, b.dim, b.dim) = irrep_matrix(group_, b.irrep, g);
    }
    offset += b.dim;
  }
  if (basis_) return (*basis_) * m * basis_->transpose();
  return m;
}

bool Representation::is_trivial() const {
  for (const Block& b : blocks_)
    if (b.regular || !(b.irrep == Irrep{0, 0})) return false;
  return true;
}

}  // namespace eqnca::groups
