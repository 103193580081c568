// write_file_atomically and ensure_writable_directory: the target is either the old or the new
// content, never a mix, and no "*.tmp-<pid>" file survives a failed writer.
#include "experiments/io/atomic_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

size_t count_files(const std::filesystem::path& dir) {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

TEST(AtomicFileTest, WritesThroughTemporaryAndRenames) {
  testing::TempDir dir;
  const std::string target = dir.file("out.txt");
  std::string seen_tmp;
  write_file_atomically(target, [&](const std::string& tmp) {
    seen_tmp = tmp;
    EXPECT_FALSE(std::filesystem::exists(target)) << "target must not appear before the rename";
    spit(tmp, "new");
  });
  EXPECT_EQ(slurp(target), "new");
  EXPECT_NE(seen_tmp.find(".tmp-"), std::string::npos);
  EXPECT_EQ(std::filesystem::path(seen_tmp).parent_path(), dir.path()) << "rename is atomic only within a folder";
  EXPECT_FALSE(std::filesystem::exists(seen_tmp));
  EXPECT_EQ(count_files(dir.path()), 1u);
}

TEST(AtomicFileTest, FailedWriterKeepsOldContentAndRemovesTemporary) {
  testing::TempDir dir;
  const std::string target = dir.file("out.txt");
  spit(target, "old");
  EXPECT_THROW(write_file_atomically(target,
                                     [&](const std::string& tmp) {
                                       spit(tmp, "half-written");
                                       throw std::runtime_error("disk full");
                                     }),
               std::runtime_error);
  EXPECT_EQ(slurp(target), "old");
  EXPECT_EQ(count_files(dir.path()), 1u) << "the temporary must be removed";
}

TEST(AtomicFileTest, ReplacesExistingFile) {
  testing::TempDir dir;
  const std::string target = dir.file("out.txt");
  spit(target, "old");
  write_file_atomically(target, [](const std::string& tmp) { spit(tmp, "new"); });
  EXPECT_EQ(slurp(target), "new");
}

TEST(AtomicFileTest, WriterThatProducesNothingFailsCleanly) {
  testing::TempDir dir;
  EXPECT_THROW(write_file_atomically(dir.file("out.txt"), [](const std::string&) {}), std::runtime_error);
  EXPECT_EQ(count_files(dir.path()), 0u);
}

TEST(AtomicFileTest, EnsureWritableDirectoryCreatesNestedFolders) {
  testing::TempDir dir;
  const std::string nested = dir.file("a/b/c");
  ensure_writable_directory(nested);
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  EXPECT_EQ(count_files(nested), 0u) << "the probe file must be removed";
  ensure_writable_directory(nested);  // existing folder is fine
}

TEST(AtomicFileTest, EnsureWritableDirectoryRejectsUnwritableFolder) {
  // /proc refuses new entries even for root, unlike permission bits.
  try {
    ensure_writable_directory("/proc/eqnca");
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("output folder '/proc/eqnca' is not writable: ", 0), 0u) << e.what();
  }
}

TEST(AtomicFileTest, EnsureWritableDirectoryRejectsRegularFile) {
  testing::TempDir dir;
  spit(dir.file("plain"), "x");
  EXPECT_THROW(ensure_writable_directory(dir.file("plain")), std::runtime_error);
}

}  // namespace
}  // namespace eqnca::experiments
