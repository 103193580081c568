// feature_basis (models/feature_basis.h): for the lifted features of D4 regular fields (each
// copy's [x, dx, dy], the pair moving as the standard representation), T is orthogonal (1e-12),
// rows of different irreps never mix under any element (1e-12), and rows come sorted irrep by
// irrep; the unsorted concatenation of the copies' own bases fails the sorting check. Copies that
// overlap, or leave features out, are refused with a one-line error.
#include <gtest/gtest.h>

#include <stdexcept>

#include "groups/isotypic_basis.h"
#include "groups/representation.h"
#include "models/feature_basis.h"

using namespace eqnca;

namespace {

// Two copies of D4's regular representation on channels {0..7} and {8..15}, features c*3 + k.
std::vector<models::FeatureCopy> lifted_regular_fields(const groups::Group& g) {
  const groups::Representation regular = groups::Representation::regular(g);
  const groups::Representation standard = groups::Representation::standard(g);
  std::vector<models::FeatureCopy> copies(2);
  for (int f = 0; f < 2; ++f) {
    for (int64_t c = 0; c < 8; ++c)
      for (int64_t k = 0; k < 3; ++k) copies[size_t(f)].features.push_back((8 * f + c) * 3 + k);
    for (const groups::GroupElement& e : g.elements()) {
      Eigen::Matrix3d s = Eigen::Matrix3d::Zero();
      s(0, 0) = 1.0;
      s.bottomRightCorner<2, 2>() = standard(e);
      Eigen::MatrixXd m(24, 24);
      for (int a = 0; a < 8; ++a)
        for (int b = 0; b < 8; ++b) m.block(3 * a, 3 * b, 3, 3) = regular(e)(a, b) * s;
      copies[size_t(f)].action.push_back(m);
    }
  }
  return copies;
}

// The whole features' action at element e (48 x 48).
Eigen::MatrixXd action_of(const std::vector<models::FeatureCopy>& copies, size_t e) {
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(48, 48);
  for (const models::FeatureCopy& c : copies)
    for (size_t a = 0; a < c.features.size(); ++a)
      for (size_t b = 0; b < c.features.size(); ++b) m(c.features[a], c.features[b]) = c.action[e](int(a), int(b));
  return m;
}

// Each row's irrep: the one whose character projector keeps it.
std::vector<int> irrep_of_rows(const groups::Group& g, const std::vector<models::FeatureCopy>& copies,
                               const Eigen::MatrixXd& t) {
  const std::vector<groups::Irrep> irreps = groups::irreps_of(g);
  const std::vector<groups::GroupElement> elements = g.elements();
  std::vector<int> out;
  for (int r = 0; r < t.rows(); ++r) {
    int found = -1;
    for (size_t i = 0; i < irreps.size(); ++i) {
      Eigen::VectorXd p = Eigen::VectorXd::Zero(t.cols());
      for (size_t e = 0; e < elements.size(); ++e)
        p += groups::irrep_matrix(g, irreps[i], elements[e]).trace() * (action_of(copies, e) * t.row(r).transpose());
      p *= double(groups::irrep_dimension(g, irreps[i])) / double(elements.size());
      if ((p - t.row(r).transpose()).norm() < 1e-9) found = int(i);
    }
    out.push_back(found);
  }
  return out;
}

Eigen::MatrixXd eigen_of(const torch::Tensor& t) {
  Eigen::MatrixXd m(t.size(0), t.size(1));
  for (int64_t r = 0; r < t.size(0); ++r)
    for (int64_t c = 0; c < t.size(1); ++c) m(r, c) = t[r][c].item<double>();
  return m;
}

}  // namespace

TEST(FeatureBasis, SplitsLiftedD4FieldsIntoSortedIrreps) {
  const groups::Group g = groups::Group::dihedral(4);
  const std::vector<models::FeatureCopy> copies = lifted_regular_fields(g);
  const Eigen::MatrixXd t = eigen_of(models::feature_basis(g, copies, 48));
  EXPECT_LE((t * t.transpose() - Eigen::MatrixXd::Identity(48, 48)).cwiseAbs().maxCoeff(), 1e-12);
  const std::vector<int> irrep = irrep_of_rows(g, copies, t);
  for (size_t r = 0; r < irrep.size(); ++r) ASSERT_GE(irrep[r], 0) << "row " << r << " is in no single irrep";
  EXPECT_TRUE(std::is_sorted(irrep.begin(), irrep.end()));
  for (size_t e = 0; e < g.elements().size(); ++e) {
    const Eigen::MatrixXd m = t * action_of(copies, e) * t.transpose();
    for (int a = 0; a < 48; ++a)
      for (int b = 0; b < 48; ++b)
        if (irrep[size_t(a)] != irrep[size_t(b)]) EXPECT_LE(std::abs(m(a, b)), 1e-12);
  }
  // The copies' own isotypic bases, one copy after the other, are not sorted by irrep.
  Eigen::MatrixXd unsorted = Eigen::MatrixXd::Zero(48, 48);
  for (size_t c = 0; c < copies.size(); ++c) {
    const groups::IsotypicBasis b = groups::isotypic_basis(g, copies[c].action);
    for (int r = 0; r < 24; ++r)
      for (int a = 0; a < 24; ++a) unsorted(int(c) * 24 + r, copies[c].features[size_t(a)]) = b.q(r, a);
  }
  const std::vector<int> unsorted_irrep = irrep_of_rows(g, copies, unsorted);
  EXPECT_FALSE(std::is_sorted(unsorted_irrep.begin(), unsorted_irrep.end()));
}

TEST(FeatureBasis, CopiesMustPartitionTheFeatures) {
  const groups::Group g = groups::Group::dihedral(4);
  std::vector<models::FeatureCopy> copies = lifted_regular_fields(g);
  EXPECT_THROW(models::feature_basis(g, copies, 49), std::invalid_argument);  // feature 48 left out
  copies[1].features[0] = 0;                                                  // feature 0 twice
  EXPECT_THROW(models::feature_basis(g, copies, 48), std::invalid_argument);
}
