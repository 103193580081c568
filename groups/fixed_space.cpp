// Fixed spaces of group-averaging projectors; see fixed_space.h.
#include "groups/fixed_space.h"

#include <vector>

namespace eqnca::groups {
namespace {

// Each row's sign: its largest entry positive.
void fix_signs(Eigen::MatrixXd& rows) {
  for (Eigen::Index n = 0; n < rows.rows(); ++n) {
    Eigen::Index arg;
    rows.row(n).cwiseAbs().maxCoeff(&arg);
    if (rows(n, arg) < 0) rows.row(n) *= -1.0;
  }
}

}  // namespace

Eigen::MatrixXd projector_range(const Eigen::MatrixXd& p) {
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(0.5 * (p + p.transpose()));
  qr.setThreshold(1e-8);
  Eigen::MatrixXd rows = (qr.householderQ() * Eigen::MatrixXd::Identity(p.rows(), qr.rank())).transpose();
  fix_signs(rows);
  return rows;
}

Eigen::MatrixXd fixed_space(const Eigen::MatrixXd& p) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(0.5 * (p + p.transpose()));
  if (solver.info() != Eigen::Success) return projector_range(p);
  std::vector<Eigen::Index> keep;
  for (Eigen::Index i = p.rows() - 1; i >= 0; --i)
    if (solver.eigenvalues()(i) > 0.5) keep.push_back(i);
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(keep.size()), p.rows());
  for (size_t n = 0; n < keep.size(); ++n)
    rows.row(static_cast<Eigen::Index>(n)) = solver.eigenvectors().col(keep[n]).transpose();
  fix_signs(rows);
  return rows;
}

}  // namespace eqnca::groups
