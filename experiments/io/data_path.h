// Finds the repository's data files (data/lizard.png, ...) from wherever eqnca runs, so the demo
// and evaluations work with no arguments and no downloads. Search order for a relative path:
// as given (from the working directory), $EQNCA_DATA_DIR/<file name>, <prefix>/share/eqnca/<path>
// for an executable installed as <prefix>/bin/eqnca (cmake --install), $EQNCA_SOURCE_DIR/<path>
// (environment, set by the test suite), then the source tree this binary was compiled from
// (compile-time EQNCA_SOURCE_DIR).
#pragma once

#include <string>

namespace eqnca::experiments {

// The first existing candidate, or "" when none exists. Absolute paths are returned as is
// when they exist.
std::string find_data_file(const std::string& path);

// find_data_file, or throws std::runtime_error naming every place that was tried.
std::string resolve_data_file(const std::string& path);

}  // namespace eqnca::experiments
