// Output-folder locks; see folder_lock.h.
#include "experiments/io/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::experiments {

FolderLock::FolderLock(const std::string& folder) {
  const std::string path = (std::filesystem::path(folder) / ".eqnca.lock").string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error(fmt::format("cannot create the lock file '{}': {}", path, std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK)
      throw std::runtime_error(
          fmt::format("output folder '{}' is in use by another running eqnca process (lock '{}')", folder, path));
    throw std::runtime_error(fmt::format("cannot lock '{}': {}", path, std::strerror(error)));
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace eqnca::experiments
