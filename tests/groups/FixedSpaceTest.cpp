// groups/fixed_space.h: both ways to the fixed space of a projector give an orthonormal basis of
// its range, with reproducible signs; a zero projector has none.
#include <gtest/gtest.h>

#include <random>
#include <utility>

#include "groups/fixed_space.h"

namespace eqnca::groups {
namespace {

// P = Q^T Q for `rank` orthonormal rows Q of length n, drawn at random.
Eigen::MatrixXd random_projector(int n, int rank, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd a(n, rank);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < rank; ++j) a(i, j) = normal(gen);
  const Eigen::MatrixXd q =
      Eigen::HouseholderQR<Eigen::MatrixXd>(a).householderQ() * Eigen::MatrixXd::Identity(n, rank);
  return q * q.transpose();
}

// rows: orthonormal (to 1e-12), inside the range (p r = r), each row's largest entry positive.
void expect_basis_of_range(const Eigen::MatrixXd& rows, const Eigen::MatrixXd& p, int rank) {
  ASSERT_EQ(rows.rows(), rank);
  ASSERT_EQ(rows.cols(), p.rows());
  EXPECT_LT((rows * rows.transpose() - Eigen::MatrixXd::Identity(rank, rank)).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((p * rows.transpose() - rows.transpose()).cwiseAbs().maxCoeff(), 1e-12);
  for (Eigen::Index n = 0; n < rows.rows(); ++n) {
    Eigen::Index arg;
    rows.row(n).cwiseAbs().maxCoeff(&arg);
    EXPECT_GT(rows(n, arg), 0.0) << "row " << n;
  }
}

TEST(FixedSpace, BothWaysSpanTheProjectorsRange) {
  for (const auto& [n, rank] : {std::pair<int, int>{40, 5}, {96, 48}, {12, 12}, {30, 1}}) {
    const Eigen::MatrixXd p = random_projector(n, rank, unsigned(n + rank));
    expect_basis_of_range(fixed_space(p), p, rank);
    expect_basis_of_range(projector_range(p), p, rank);
  }
}

TEST(FixedSpace, AZeroProjectorHasNoFixedVectors) {
  const Eigen::MatrixXd zero = Eigen::MatrixXd::Zero(10, 10);
  EXPECT_EQ(fixed_space(zero).rows(), 0);
  EXPECT_EQ(projector_range(zero).rows(), 0);
}

}  // namespace
}  // namespace eqnca::groups
