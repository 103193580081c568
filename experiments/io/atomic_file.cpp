// Temp-file-then-rename writes. POSIX rename() within one folder is atomic, which is why the
// temporary lives next to the target rather than in /tmp (possibly another file system).
#include "experiments/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace eqnca::experiments {
namespace {

// fsync before rename: otherwise a power loss can leave the new name pointing at empty data. A
// full disk can surface only here (delayed allocation), so a failed fsync fails the write.
void fsync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;  // the writer may have produced nothing readable; rename reports that
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) throw std::runtime_error("cannot write '" + path + "': " + std::strerror(error));
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(const std::string& tmp_path)>& writer) {
  const std::string tmp_path = path + ".tmp-" + std::to_string(::getpid());
  try {
    writer(tmp_path);
    fsync_path(tmp_path);
    if (std::rename(tmp_path.c_str(), path.c_str()) != 0) {
      throw std::runtime_error("cannot rename '" + tmp_path + "' to '" + path + "': " + std::strerror(errno));
    }
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp_path, ignored);
    throw;
  }
}

void ensure_writable_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  auto fail = [&](const std::string& reason) {
    throw std::runtime_error("output folder '" + dir + "' is not writable: " + reason);
  };
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(ec.message());
  if (!fs::is_directory(dir, ec)) fail("not a directory");
  // Permission bits lie (root, read-only mounts, ACLs), so actually try to create a file.
  const std::string probe = (fs::path(dir) / (".eqnca-probe-" + std::to_string(::getpid()))).string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) fail(std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace eqnca::experiments
