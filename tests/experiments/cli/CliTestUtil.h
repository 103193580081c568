// Running the real `eqnca` executable (EQNCA_EXECUTABLE, set by CMake) as a user would, and the
// project's error contract for it: a failure is exactly one line "eqnca: error: ..." on stderr.
// Errors the commands throw exit with status 1; errors CLI11 finds while parsing (a value out of
// its range, a missing required option, an unknown flag) exit with CLI11's own non-zero codes.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/experiments/TempDir.h"

#ifndef EQNCA_EXECUTABLE
#error "EQNCA_EXECUTABLE (the path of the eqnca executable) must be defined by CMake"
#endif

namespace eqnca::experiments::testing {

struct Outcome {
  int status;
  std::string out, err;
};

// `eqnca <args>` with stdout and stderr captured through files in `dir`.
inline Outcome run_eqnca(const TempDir& dir, const std::string& args) {
  const std::string out = dir.file("stdout.txt"), err = dir.file("stderr.txt");
  const int raw = std::system((std::string(EQNCA_EXECUTABLE) + " " + args + " >" + out + " 2>" + err).c_str());
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

// Each Cmd*Test suite: a fresh temporary folder per test for outputs and captured streams.
class CliTest : public ::testing::Test {
 protected:
  TempDir dir;
};

// One line on stderr, starting "eqnca: error: " and containing `needle`.
inline void expect_one_error_line(const Outcome& o, const std::string& needle) {
  EXPECT_EQ(o.err.rfind("eqnca: error: ", 0), 0u) << o.err;
  EXPECT_NE(o.err.find(needle), std::string::npos) << "'" << needle << "' in: " << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << o.err;
}

// An error a command throws: one line and exit status 1.
inline void expect_one_line_error(const Outcome& o, const std::string& needle) {
  EXPECT_EQ(o.status, 1) << o.err;
  expect_one_error_line(o, needle);
}

// An error CLI11 finds while parsing: one line and a non-zero status (CLI11's own code).
inline void expect_one_line_usage_error(const Outcome& o, const std::string& needle) {
  EXPECT_NE(o.status, 0) << o.err;
  EXPECT_NE(o.status, -1) << "killed by a signal: " << o.err;
  expect_one_error_line(o, needle);
}

// `eqnca <command> --help` succeeds and lists every one of `options` (each followed by a space,
// so "--hidden" is not found inside "--hidden-fields").
inline void expect_help_names(const TempDir& dir, const std::string& command,
                              std::initializer_list<const char*> options) {
  const Outcome o = run_eqnca(dir, command + " --help");
  EXPECT_EQ(o.status, 0) << o.err;
  for (const char* option : options)
    EXPECT_NE(o.out.find(std::string(option) + " "), std::string::npos) << command << " " << option;
}

}  // namespace eqnca::experiments::testing
