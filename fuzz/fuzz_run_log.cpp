// Fuzzes the run-log reader (experiments/io/run_log.h): open a log for appending, read its
// scalars, arrays and config attribute back.
#include <cstdlib>
#include <exception>

#include "experiments/io/run_log.h"
#include "fuzz/fuzz_input.h"

// libhdf5 1.10 keeps the files it failed to close open; after thousands of corrupt inputs in one
// process, its own clean-up at exit crashes (H5F__close_cb). eqnca opens one log per process, so
// the harness ends without that clean-up: this handler, registered after the library's, runs first.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::atexit([] { std::_Exit(0); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto log = eqnca::experiments::RunLog::open_existing(eqnca::fuzzing::input_file(data, size, ".h5"));
    for (const char* name : {"train/loss", "train/lr", "train/iteration"})
      if (log.exists(name)) log.read_scalars(name);
    if (log.exists("snapshots")) log.read_attribute("/", "config");
  } catch (const std::exception&) {
  }
  return 0;
}
