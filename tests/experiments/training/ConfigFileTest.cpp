// Strict --config files: a TOML syntax error names file:line:column; a value of the wrong type
// (a string for an integer, a number for a flag, ...) or an unknown key or table is refused with
// one line naming the key and where it is; integers are accepted where a number is wanted; the
// command line wins over the file; a missing file is named.
#include "experiments/training/config_file.h"

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

struct Options {
  int batch = 8;
  uint64_t seed = 0;
  double lr = 2e-3;
  std::string mode = "persistent";
  bool curriculum = false;
};

// Parses `args` into fresh options with `toml` as the config file; returns the options.
Options parse_with(const testing::TempDir& dir, const std::string& toml, std::vector<std::string> args = {}) {
  std::ofstream(dir.file("c.toml")) << toml;
  Options o;
  CLI::App app("train");
  app.add_option("--config", "config file");
  app.add_option("--batch", o.batch)->check(CLI::Range(1, 4096));
  app.add_option("--seed", o.seed);
  app.add_option("--lr", o.lr);
  app.add_option("--mode", o.mode);
  app.add_flag("--curriculum", o.curriculum);
  std::vector<std::string> all{"train", "--config", dir.file("c.toml")};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<const char*> argv;
  for (auto& a : all) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  apply_config_file(app);
  return o;
}

template <typename E>
std::string error_of(const testing::TempDir& dir, const std::string& toml) {
  try {
    parse_with(dir, toml);
  } catch (const E& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    return m;
  }
  ADD_FAILURE() << "no error for: " << toml;
  return "";
}

TEST(ConfigFileTest, TypedValuesApplyAndTheCommandLineWins) {
  testing::TempDir dir;
  const Options o =
      parse_with(dir, "batch = 4\nseed = 12345678901234\nlr = 1\nmode = \"growing\"\ncurriculum = true\n");
  EXPECT_EQ(o.batch, 4);
  EXPECT_EQ(o.seed, 12345678901234ULL);
  EXPECT_DOUBLE_EQ(o.lr, 1.0);  // an integer where a number is wanted
  EXPECT_EQ(o.mode, "growing");
  EXPECT_TRUE(o.curriculum);
  EXPECT_EQ(parse_with(dir, "batch = 4\n", {"--batch", "2"}).batch, 2);
}

TEST(ConfigFileTest, SyntaxErrorsNameFileLineAndColumn) {
  testing::TempDir dir;
  const std::string m = error_of<std::runtime_error>(dir, "lr = 0.1\nbatch = [unclosed\n");
  EXPECT_NE(m.find(dir.file("c.toml") + ":2:"), std::string::npos) << m;
  EXPECT_NE(error_of<std::runtime_error>(dir, "batch = = 3\n").find(":1:"), std::string::npos);
}

TEST(ConfigFileTest, WrongTypesAreRefused) {
  testing::TempDir dir;
  EXPECT_NE(error_of<std::invalid_argument>(dir, "lr = 0.1\nbatch = \"eight\"\n")
                .find(":2:1: config key 'batch' must be an integer, got a string"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>(dir, "batch = 4.5\n").find("must be an integer, got a number"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>(dir, "lr = \"fast\"\n").find("'lr' must be a number"), std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>(dir, "mode = 3\n").find("'mode' must be a string"), std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>(dir, "curriculum = 1\n").find("'curriculum' must be a boolean"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>(dir, "batch = [4]\n").find("got an array"), std::string::npos);
}

TEST(ConfigFileTest, UnknownKeysTablesAndOutOfRangeValuesAreRefused) {
  testing::TempDir dir;
  EXPECT_NE(error_of<std::invalid_argument>(dir, "batch_size = 8\n").find("unknown config key 'batch_size'"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>(dir, "[batch]\nx = 1\n").find("unknown config key 'batch'"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>(dir, "batch = 0\n").find("config key 'batch'"), std::string::npos);
}

TEST(ConfigFileTest, MissingFileIsNamed) {
  Options o;
  CLI::App app("train");
  app.add_option("--config", "config file");
  const char* argv[] = {"train", "--config", "/nonexistent/c.toml"};
  app.parse(3, const_cast<char**>(argv));
  try {
    apply_config_file(app);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'/nonexistent/c.toml' does not exist"), std::string::npos);
  }
}

}  // namespace
}  // namespace eqnca::experiments
