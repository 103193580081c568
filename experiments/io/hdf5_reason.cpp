// The innermost reason on HDF5's error stack (see hdf5_reason.h).
#include "experiments/io/hdf5_reason.h"

namespace eqnca::experiments {

std::string hdf5_reason(const H5::Exception& e) {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* err, void* out) -> herr_t {
        if (n == 0 && err->desc != nullptr) *static_cast<std::string*>(out) = err->desc;
        return 0;
      },
      &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason.empty() ? e.getDetailMsg() : e.getDetailMsg() + ": " + reason;
}

}  // namespace eqnca::experiments
