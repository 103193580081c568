// Progress output format in both modes; timing-dependent parts (rate, ETA) are only checked for
// presence, since the test loop runs in microseconds.
#include "experiments/io/progress.h"

#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>

namespace eqnca::experiments {
namespace {

TEST(ProgressTest, FormatsDurationsCompactly) {
  EXPECT_EQ(format_duration(45.2), "45s");
  EXPECT_EQ(format_duration(200), "3m20s");
  EXPECT_EQ(format_duration(3720), "1h02m");
  EXPECT_EQ(format_duration(-1), "?");
}

TEST(ProgressTest, PlainModePrintsEveryFivePercent) {
  std::ostringstream out;
  Progress progress(200, out, /*interactive=*/false);
  for (int i = 1; i <= 200; ++i) progress.update(i, 0.5, "lr 0.001");
  progress.finish();
  const std::string text = out.str();
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 20 + 1) << text;  // 10, 20, ..., 200 + summary
  EXPECT_NE(text.find("10/200 loss 0.5 "), std::string::npos) << text;
  EXPECT_NE(text.find("lr 0.001"), std::string::npos);
  EXPECT_NE(text.find("done: 200 iterations"), std::string::npos) << text;
}

TEST(ProgressTest, InteractiveModeRedrawsOneLine) {
  std::ostringstream out;
  Progress progress(800, out, /*interactive=*/true, ProgressOptions{10, 0.05, 30.0, 0.0});
  progress.update(120, 0.0123);
  progress.update(800, 0.001);
  progress.finish();
  const std::string text = out.str();
  EXPECT_NE(text.find("\r[##........] 120/800 loss 0.0123 "), std::string::npos) << text;
  EXPECT_NE(text.find("it/s ETA "), std::string::npos) << text;
  EXPECT_NE(text.find("\r[##########] 800/800 loss 0.001 "), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << "bar line, then summary";
}

TEST(ProgressTest, ResumedRunCountsOnlyItsOwnIterations) {
  std::ostringstream out;
  Progress progress(100, out, /*interactive=*/false);
  for (int i = 51; i <= 100; ++i) progress.update(i, 1.0);
  progress.finish();
  EXPECT_NE(out.str().find("done: 50 iterations"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace eqnca::experiments
