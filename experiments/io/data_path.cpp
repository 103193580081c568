// Data file lookup; see data_path.h for the search order.
#include "experiments/io/data_path.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace eqnca::experiments {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> candidates(const std::string& path) {
  std::vector<std::string> out{path};
  if (fs::path(path).is_absolute()) return out;
  if (const char* dir = std::getenv("EQNCA_DATA_DIR"); dir && *dir)
    out.push_back((fs::path(dir) / fs::path(path).filename()).string());
  // An installed eqnca (cmake --install): <prefix>/bin/eqnca beside <prefix>/share/eqnca/data/.
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) out.push_back((exe.parent_path().parent_path() / "share" / "eqnca" / path).lexically_normal().string());
  if (const char* src = std::getenv("EQNCA_SOURCE_DIR"); src && *src) out.push_back((fs::path(src) / path).string());
#ifdef EQNCA_SOURCE_DIR
  out.push_back((fs::path(EQNCA_SOURCE_DIR) / path).string());
#endif
  return out;
}

}  // namespace

std::string find_data_file(const std::string& path) {
  std::error_code ec;
  for (const auto& c : candidates(path))
    if (fs::is_regular_file(c, ec)) return c;
  return "";
}

std::string resolve_data_file(const std::string& path) {
  const std::string found = find_data_file(path);
  if (!found.empty()) return found;
  std::string tried;
  for (const auto& c : candidates(path)) tried += (tried.empty() ? "" : ", ") + c;
  throw std::runtime_error("data file '" + path + "' not found (tried " + tried +
                           "; set EQNCA_DATA_DIR to the folder holding it)");
}

}  // namespace eqnca::experiments
