// An exclusive lock on an output folder, so two runs never write the same run log and
// checkpoint: flock() on <folder>/.eqnca.lock, which the kernel releases when the holder exits or
// dies (a crashed run never leaves a stale lock behind). The lock file itself stays; it is empty.
#pragma once

#include <string>

namespace eqnca::experiments {

class FolderLock {
 public:
  // Throws std::runtime_error (one line) when another process holds the folder's lock, or the
  // lock file cannot be created. The folder must exist.
  explicit FolderLock(const std::string& folder);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace eqnca::experiments
