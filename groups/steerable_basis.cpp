// Solving the kernel constraint by group averaging; see steerable_basis.h.
#include "groups/steerable_basis.h"

#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "groups/fixed_space.h"

namespace eqnca::groups {
namespace {

void check_request(const Representation& in, const Representation& out, int k) {
  if (in.group() != out.group())
    throw std::invalid_argument(fmt::format("steerable basis: input representation '{}' is of {}, output '{}' of {}",
                                            in.name(), in.group().name(), out.name(), out.group().name()));
  if (k < 1 || k % 2 == 0 || k > 15)
    throw std::invalid_argument(fmt::format("steerable basis: kernel size must be odd and in [1, 15], got {}", k));
}

// Kronecker product a (x) b, written out because Eigen's lives in unsupported/.
Eigen::MatrixXd kron(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  Eigen::MatrixXd out(a.rows() * b.rows(), a.cols() * b.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j) out.block(i * b.rows(), j * b.cols(), b.rows(), b.cols()) = a(i, j) * b;
  return out;
}

// Elements to average over: all of a finite group, or C_M / D_M inside SO(2) / O(2).
std::vector<GroupElement> averaging_elements(const Group& g, int max_degree) {
  if (g.finite()) return g.elements();
  const int m = 2 * max_degree + 3;
  std::vector<GroupElement> out;
  for (int s = 0; s < (g.has_reflections() ? 2 : 1); ++s)
    for (int i = 0; i < m; ++i) out.push_back(g.element_at(2.0 * M_PI * i / m, s == 1));
  return out;
}

// Where g sends the centre of pixel (row, col) of a k x k kernel, rounded to a pixel.
int move_pixel(const GroupElement& g, int k, int row, int col) {
  const double c = 0.5 * (k - 1);
  double x = col - c, y = c - row;
  if (g.reflection) x = -x;
  const double ca = std::cos(g.angle), sa = std::sin(g.angle);
  const double xr = ca * x - sa * y, yr = sa * x + ca * y;
  const int new_col = static_cast<int>(std::lround(xr + c)), new_row = static_cast<int>(std::lround(c - yr));
  return new_row * k + new_col;
}

// Action of g on the coefficients of the ring harmonics: phi_atom(g^-1 x) = sum A[a', a] phi_a'(x).
Eigen::MatrixXd harmonic_action(const std::vector<SteerableBasis::Atom>& atoms, const GroupElement& g) {
  const auto n = static_cast<Eigen::Index>(atoms.size());
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
  // The angle of g^-1 x given the angle phi of x: rotate back by theta, then mirror.
  auto angle_back = [&](double phi) { return g.reflection ? M_PI - (phi - g.angle) : phi - g.angle; };
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& at = atoms[static_cast<size_t>(i)];
    if (at.frequency == 0) {
      a(i, i) = 1.0;
      continue;
    }
    if (at.sine) continue;                  // handled with its cosine partner at i - ... below
    const Eigen::Index ic = i, is = i + 1;  // cosine atom is followed by its sine atom
    const int j = at.frequency;
    auto h_cos = [&](double phi) { return std::cos(j * angle_back(phi)); };
    auto h_sin = [&](double phi) { return std::sin(j * angle_back(phi)); };
    const double quarter = M_PI / (2.0 * j);  // cos(j phi) = 0, sin(j phi) = 1 here
    a(ic, ic) = h_cos(0.0);
    a(is, ic) = h_cos(quarter);
    a(ic, is) = h_sin(0.0);
    a(is, is) = h_sin(quarter);
  }
  return a;
}

double atom_value(const SteerableBasis::Atom& at, double sigma, double x, double y) {
  const double rho = std::hypot(x, y);
  const double radial = std::exp(-(rho - at.radius) * (rho - at.radius) / (2.0 * sigma * sigma));
  if (at.frequency == 0) return radial;
  if (rho < 1e-12) return 0.0;  // the angle is undefined at the origin
  const double phi = std::atan2(y, x);
  return radial * (at.sine ? std::sin(at.frequency * phi) : std::cos(at.frequency * phi));
}

std::string cache_key(const char* kind, const Representation& in, const Representation& out, int k,
                      const HarmonicBasisOptions& o) {
  return fmt::format("{}|{}|{}:{}|{}:{}|{}|{}|{}", kind, in.group().name(), in.name(), in.dim(), out.name(), out.dim(),
                     k, o.max_frequency, o.sigma);
}

template <typename Build>
std::shared_ptr<const SteerableBasis> cached(const std::string& key, Build build) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const SteerableBasis>> cache;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto basis = std::make_shared<const SteerableBasis>(build());
  std::lock_guard<std::mutex> lock(mutex);
  return cache.emplace(key, basis).first->second;
}

}  // namespace

Eigen::MatrixXd SteerableBasis::evaluate(int n, double x, double y) const {
  if (!continuous())
    throw std::logic_error("evaluate() needs a harmonic basis; grid-exact bases live on the grid only");
  const auto na = static_cast<Eigen::Index>(atoms.size());
  Eigen::VectorXd values(na);
  for (Eigen::Index t = 0; t < na; ++t) values(t) = atom_value(atoms[static_cast<size_t>(t)], sigma, x, y);
  Eigen::MatrixXd k(dim_out, dim_in);
  for (int a = 0; a < dim_out; ++a)
    for (int b = 0; b < dim_in; ++b) k(a, b) = coefficients.row(n).segment((a * dim_in + b) * na, na).dot(values);
  return k;
}

std::shared_ptr<const SteerableBasis> grid_exact_basis(const Representation& in, const Representation& out, int k) {
  check_request(in, out, k);
  const Group& group = in.group();
  if (!group.acts_exactly_on_grid())
    throw std::invalid_argument(fmt::format(
        "grid-exact basis needs a group that maps the pixel grid onto itself (C1, C2, C4, D1, D2, D4), got {}; "
        "use the harmonic basis",
        group.name()));
  return cached(cache_key("grid", in, out, k, {}), [&] {
    const int pixels = k * k;
    const auto dim = static_cast<Eigen::Index>(out.dim()) * in.dim() * pixels;
    Eigen::MatrixXd p = Eigen::MatrixXd::Zero(dim, dim);
    const auto elements = group.elements();
    for (const GroupElement& g : elements) {
      Eigen::MatrixXd perm = Eigen::MatrixXd::Zero(pixels, pixels);
      for (int r = 0; r < k; ++r)
        for (int c = 0; c < k; ++c) perm(move_pixel(g, k, r, c), r * k + c) = 1.0;
      p += kron(out(g), kron(in(g), perm));
    }
    p /= static_cast<double>(elements.size());
    SteerableBasis basis;
    basis.kernel_size = k;
    basis.dim_out = out.dim();
    basis.dim_in = in.dim();
    basis.filters = fixed_space(p);
    return basis;
  });
}

std::shared_ptr<const SteerableBasis> harmonic_basis(const Representation& in, const Representation& out, int k,
                                                     const HarmonicBasisOptions& options) {
  check_request(in, out, k);
  if (options.max_frequency < 0 || !(options.sigma > 0.0))
    throw std::invalid_argument(fmt::format("harmonic basis: need max_frequency >= 0 and sigma > 0, got {} and {}",
                                            options.max_frequency, options.sigma));
  return cached(cache_key("harmonic", in, out, k, options), [&] {
    SteerableBasis basis;
    basis.kernel_size = k;
    basis.dim_out = out.dim();
    basis.dim_in = in.dim();
    basis.sigma = options.sigma;
    int max_j = 0;
    for (int r = 0; r <= (k - 1) / 2; ++r) {
      const int cutoff = r == 0 ? 0 : std::min(options.max_frequency, 2 * r);
      max_j = std::max(max_j, cutoff);
      basis.atoms.push_back({double(r), 0, false});
      for (int j = 1; j <= cutoff; ++j) {
        basis.atoms.push_back({double(r), j, false});
        basis.atoms.push_back({double(r), j, true});
      }
    }
    const Group& group = in.group();
    const auto na = static_cast<Eigen::Index>(basis.atoms.size());
    const auto dim = static_cast<Eigen::Index>(out.dim()) * in.dim() * na;
    Eigen::MatrixXd p = Eigen::MatrixXd::Zero(dim, dim);
    const auto elements = averaging_elements(group, max_j + 2 * group.band_limit());
    for (const GroupElement& g : elements) p += kron(out(g), kron(in(g), harmonic_action(basis.atoms, g)));
    p /= static_cast<double>(elements.size());
    const Eigen::MatrixXd coeffs = fixed_space(p);

    // Sample on the grid, then orthonormalise the sampled filters; the same linear map is
    // applied to the coefficients so the continuous form stays in step with the grid form.
    const int pixels = k * k;
    const double c = 0.5 * (k - 1);
    Eigen::MatrixXd sampled =
        Eigen::MatrixXd::Zero(coeffs.rows(), static_cast<Eigen::Index>(out.dim()) * in.dim() * pixels);
    for (Eigen::Index n = 0; n < coeffs.rows(); ++n)
      for (int a = 0; a < out.dim(); ++a)
        for (int b = 0; b < in.dim(); ++b)
          for (int r = 0; r < k; ++r)
            for (int col = 0; col < k; ++col) {
              double v = 0.0;
              for (Eigen::Index t = 0; t < na; ++t)
                v += coeffs(n, (a * in.dim() + b) * na + t) *
                     atom_value(basis.atoms[size_t(t)], options.sigma, col - c, c - r);
              sampled(n, ((a * in.dim() + b) * k + r) * k + col) = v;
            }
    if (coeffs.rows() == 0) {
      basis.filters = sampled;
      basis.coefficients = coeffs;
      return basis;
    }
    Eigen::BDCSVD<Eigen::MatrixXd> svd(sampled, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const auto& s = svd.singularValues();
    Eigen::Index rank = 0;
    while (rank < s.size() && s(rank) > 1e-6 * s(0)) ++rank;
    Eigen::MatrixXd map = s.head(rank).cwiseInverse().asDiagonal() * svd.matrixU().leftCols(rank).transpose();
    basis.filters = svd.matrixV().leftCols(rank).transpose();
    basis.coefficients = map * coeffs;
    return basis;
  });
}

}  // namespace eqnca::groups
