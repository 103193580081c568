// The spectral path's feature basis; see feature_basis.h.
#include "models/feature_basis.h"

#include <algorithm>
#include <tuple>

#include "groups/check.h"
#include "groups/isotypic_basis.h"

namespace eqnca::models {

torch::Tensor feature_basis(const groups::Group& group, const std::vector<FeatureCopy>& copies, int64_t features) {
  using Key = std::tuple<int, int, size_t, int>;  // irrep, partner, copy, copy within it
  std::vector<std::pair<Key, Eigen::VectorXd>> rows;
  std::vector<bool> covered(size_t(features), false);
  for (size_t c = 0; c < copies.size(); ++c) {
    const FeatureCopy& copy = copies[c];
    for (int64_t f : copy.features) {
      EQNCA_CHECK(f >= 0 && f < features && !covered[size_t(f)], "feature_basis: feature {} of {} is in two copies", f,
                  features);
      covered[size_t(f)] = true;
    }
    const groups::IsotypicBasis split = groups::isotypic_basis(group, copy.action);
    const int64_t n = int64_t(copy.features.size());
    for (int64_t r = 0; r < n; ++r) {
      Eigen::VectorXd row = Eigen::VectorXd::Zero(features);
      for (int64_t a = 0; a < n; ++a) row(copy.features[size_t(a)]) = split.q(r, a);
      const size_t i = size_t(r);
      rows.emplace_back(Key{split.irrep_row[i], split.partner_row[i], c, split.copy_row[i]}, row);
    }
  }
  EQNCA_CHECK(int64_t(rows.size()) == features, "feature_basis: the copies cover {} of {} features", rows.size(),
              features);
  std::stable_sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  torch::Tensor t = torch::empty({features, features}, torch::kDouble);
  double* out = t.data_ptr<double>();
  for (int64_t r = 0; r < features; ++r)
    for (int64_t f = 0; f < features; ++f) out[r * features + f] = rows[size_t(r)].second(f);
  return t;
}

}  // namespace eqnca::models
