// Data file lookup in its documented order: the path as given (from the working directory),
// $EQNCA_DATA_DIR/<file name>, $EQNCA_SOURCE_DIR/<path>, then the source tree eqnca was built
// from; a missing file is a one-line std::runtime_error naming every place tried. Each test runs
// in its own working directory with both variables cleared, and puts them back afterwards.
#include "experiments/io/data_path.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

namespace fs = std::filesystem;

class DataPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"EQNCA_DATA_DIR", "EQNCA_SOURCE_DIR"}) {
      const char* value = std::getenv(name);
      saved_.push_back({name, value ? std::optional<std::string>(value) : std::nullopt});
      ::unsetenv(name);
    }
    cwd_ = fs::current_path();
    fs::create_directories(dir_.path() / "work");
    fs::current_path(dir_.path() / "work");
  }
  void TearDown() override {
    fs::current_path(cwd_);
    for (const auto& [name, value] : saved_)
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
  }
  // Creates <dir>/<relative> with some bytes and returns its path.
  std::string make_file(const fs::path& relative) {
    const fs::path p = dir_.path() / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "png?";
    return p.string();
  }

  testing::TempDir dir_;

 private:
  fs::path cwd_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(DataPathTest, RelativePathFromTheWorkingDirectoryComesFirst) {
  make_file("work/data/lizard.png");
  ::setenv("EQNCA_SOURCE_DIR", (dir_.path() / "src").c_str(), 1);
  make_file("src/data/lizard.png");
  EXPECT_EQ(find_data_file("data/lizard.png"), "data/lizard.png");
  EXPECT_EQ(resolve_data_file("data/lizard.png"), "data/lizard.png");
}

TEST_F(DataPathTest, DataDirTakesTheFileNameAndComesBeforeTheSourceDir) {
  const std::string in_data_dir = make_file("mydata/lizard.png");
  make_file("src/data/lizard.png");
  ::setenv("EQNCA_DATA_DIR", (dir_.path() / "mydata").c_str(), 1);
  ::setenv("EQNCA_SOURCE_DIR", (dir_.path() / "src").c_str(), 1);
  EXPECT_EQ(fs::path(find_data_file("data/lizard.png")), fs::path(in_data_dir));
}

TEST_F(DataPathTest, SourceDirFromTheEnvironmentComesBeforeTheCompiledOne) {
  const std::string in_source = make_file("src/data/lizard.png");
  ::setenv("EQNCA_SOURCE_DIR", (dir_.path() / "src").c_str(), 1);
  EXPECT_EQ(fs::path(find_data_file("data/lizard.png")), fs::path(in_source));
}

TEST_F(DataPathTest, TheRepositorysLizardIsFoundWithNothingSet) {
  // Only the source tree compiled into the library is left to find it.
  const std::string found = find_data_file("data/lizard.png");
  ASSERT_FALSE(found.empty());
  EXPECT_TRUE(fs::path(found).is_absolute()) << found;
  EXPECT_TRUE(fs::is_regular_file(found)) << found;
  EXPECT_EQ(fs::path(found).filename(), "lizard.png");
  std::ifstream png(found, std::ios::binary);
  char magic[4] = {};
  png.read(magic, 4);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
}

TEST_F(DataPathTest, AbsolutePathsAreReturnedAsIs) {
  const std::string absolute = make_file("elsewhere/target.png");
  EXPECT_EQ(find_data_file(absolute), absolute);
  EXPECT_EQ(find_data_file((dir_.path() / "elsewhere/none.png").string()), "");
  // A folder is not a data file.
  EXPECT_EQ(find_data_file((dir_.path() / "elsewhere").string()), "");
}

TEST_F(DataPathTest, MissingFileIsAOneLineErrorNamingWhereItLooked) {
  ::setenv("EQNCA_DATA_DIR", (dir_.path() / "mydata").c_str(), 1);
  EXPECT_EQ(find_data_file("data/no_such.png"), "");
  try {
    resolve_data_file("data/no_such.png");
    FAIL() << "no throw";
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_NE(m.find("'data/no_such.png' not found"), std::string::npos) << m;
    EXPECT_NE(m.find((dir_.path() / "mydata" / "no_such.png").string()), std::string::npos) << m;
    EXPECT_NE(m.find("EQNCA_DATA_DIR"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace eqnca::experiments
