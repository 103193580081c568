// The python3 that the tests use to read HDF5 files as a researcher would, through h5py.
#pragma once

#include <cstdlib>
#include <string>

namespace eqnca::experiments::testing {

// A python3 that can import h5py, or "" (the default python3 may be a pyenv one without Debian's
// python3-h5py, so the system interpreter is tried too).
inline std::string python_with_h5py() {
  for (const std::string python : {"python3", "/usr/bin/python3"})
    if (std::system((python + " -c 'import h5py' >/dev/null 2>&1").c_str()) == 0) return python;
  return "";
}

}  // namespace eqnca::experiments::testing
