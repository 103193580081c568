// The feature basis of the fused step's spectral path (kernels/spectral_mlp.h) for the group
// models: an orthogonal T on a cell's public features (index c*K + k: channel c of the state in
// the kernel's basis, stencil k) that splits them into irreps of the grid's exact group (C4 / D4,
// or C_N / D_N itself) in standard form, sorted by (irrep, partner, copy). Then a 1x1 layer's
// block for one irrep's partner reads one contiguous run of T f, and for real-type irreps only
// the features with the same partner (Schur: W (x) I).
// The caller names invariant subspaces of the features and how the group acts on them; T is
// block-diagonal over them, so applying it per cell costs the sum of their squared sizes.
#pragma once

#include <vector>

#include <torch/types.h>
#include <Eigen/Dense>

#include "groups/group.h"

namespace eqnca::models {

struct FeatureCopy {
  std::vector<int64_t> features;        // public feature indices spanning an invariant subspace
  std::vector<Eigen::MatrixXd> action;  // per element of group.elements(), on those features
};

// T (features, features) float64, rows in the sorted order, columns the public features. The
// copies must partition the features (throws std::invalid_argument otherwise).
torch::Tensor feature_basis(const groups::Group& group, const std::vector<FeatureCopy>& copies, int64_t features);

}  // namespace eqnca::models
