// Output-folder locks: a second lock on a held folder is refused with one line naming the folder;
// releasing it (destruction, or the holder's death: a forked child that exits while holding it)
// frees the folder; a folder that cannot hold a lock file is an error naming the path.
#include "experiments/io/folder_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

std::string lock_error(const std::string& folder) {
  try {
    FolderLock lock(folder);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(FolderLockTest, SecondLockIsRefusedUntilTheFirstIsReleased) {
  testing::TempDir dir;
  std::optional<FolderLock> held;
  held.emplace(dir.file(""));
  const std::string m = lock_error(dir.file(""));
  EXPECT_NE(m.find("is in use by another running eqnca process"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  held.reset();
  EXPECT_EQ(lock_error(dir.file("")), "");
}

TEST(FolderLockTest, ADeadHolderLeavesNoStaleLock) {
  testing::TempDir dir;
  int ready[2], release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    FolderLock lock(dir.file(""));
    char c = 1;
    (void)!write(ready[1], &c, 1);
    (void)!read(release[0], &c, 1);
    _exit(0);  // dies holding the lock: no destructor runs
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  EXPECT_NE(lock_error(dir.file("")), "");  // held by the child
  (void)!write(release[1], &c, 1);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_EQ(lock_error(dir.file("")), "");
}

TEST(FolderLockTest, MissingFolderNamesTheLockFile) {
  const std::string m = lock_error("/nonexistent/run");
  EXPECT_NE(m.find("/nonexistent/run/.eqnca.lock"), std::string::npos) << m;
}

}  // namespace
}  // namespace eqnca::experiments
