// Why an HDF5 call failed, in words: H5::Exception names only the failing API call ("H5Fopen
// failed"); the innermost entry of HDF5's error stack says what actually went wrong ("file
// signature not found", "No such file or directory"). Used by every reader of HDF5 files.
#pragma once

#include <string>

#include <H5Cpp.h>

namespace eqnca::experiments {

// "<the exception's message>: <the innermost reason>", or the message alone when the stack is
// empty. Clears HDF5's error stack.
std::string hdf5_reason(const H5::Exception& e);

}  // namespace eqnca::experiments
