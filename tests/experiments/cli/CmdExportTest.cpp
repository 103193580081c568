// `eqnca export --web` (experiments/cli/cmd_export.cpp) as a user runs it: a page from two
// models, and one-line errors for a missing model and for a model with no dense step.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int status;
  std::string output;
};

CommandRun run(const std::string& args) {
  const std::string cmd = std::string(EQNCA_EXECUTABLE) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) output += buffer;
  return {pclose(pipe), output};
}

TEST(CmdExport, WritesThePageOfTwoModelsAndPrintsItsPath) {
  const fs::path dir = fs::temp_directory_path() / "eqnca_cmd_export_test";
  fs::remove_all(dir);
  const CommandRun r = run("export --web " + dir.string() + " --model c4 --model growing --grid 40");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, (dir / "index.html").string() + "\n");
  for (const char* name : {"index.html", "nca.js", "page.js", "weights.js"})
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  fs::remove_all(dir);
}

TEST(CmdExport, RefusesWithOneLineErrors) {
  const fs::path dir = fs::temp_directory_path() / "eqnca_cmd_export_refused";
  for (const std::string args : {"--model steerable", "--model so2", ""}) {
    const CommandRun r = run("export --web " + dir.string() + " " + args);
    EXPECT_NE(r.status, 0) << args;
    EXPECT_EQ(r.output.rfind("eqnca: error: ", 0), 0u) << r.output;
    EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << r.output;
  }
  EXPECT_FALSE(fs::exists(dir / "index.html"));
}

}  // namespace
