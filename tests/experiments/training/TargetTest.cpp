// PNG targets: premultiplied RGBA centred on the grid as (1, 4, H, W); clear errors for a
// target larger than the grid, with nothing visible, and for missing files.
#include <gtest/gtest.h>

#include "experiments/training/target.h"
#include "tests/experiments/TempDir.h"
#include "tests/experiments/training/TrainTestUtil.h"

namespace eqnca::experiments {
namespace {

using testing::TempDir;

TEST(TargetTest, LoadsCentredPremultipliedRgba) {
  TempDir dir;
  testing::write_test_target(dir.file("t.png"), 12);
  auto t = load_target(dir.file("t.png"), 12, 24, 24);
  ASSERT_EQ(t.sizes(), torch::IntArrayRef({1, 4, 24, 24}));
  EXPECT_EQ(t.slice(2, 0, 6).abs().sum().item<double>(), 0.0);                  // padding rows are transparent
  EXPECT_NEAR(t[0][3][12][12].item<double>(), 1.0, 1e-6);                       // opaque centre
  EXPECT_LE((t.slice(1, 0, 3) - t.slice(1, 3, 4)).max().item<double>(), 1e-6);  // rgb <= alpha
}

TEST(TargetTest, ShrinksToTheTargetSize) {
  TempDir dir;
  testing::write_test_target(dir.file("t.png"), 20);
  auto t = load_target(dir.file("t.png"), 10, 16, 16);
  EXPECT_EQ(t.select(1, 3).gt(0).any(2).sum().item<int64_t>(), 10);  // 10 rows touched
}

TEST(TargetTest, TargetLargerThanTheGridIsAnError) {
  TempDir dir;
  testing::write_test_target(dir.file("t.png"), 20);
  try {
    load_target(dir.file("t.png"), 0, 16, 16);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("larger than the 16x16 grid"), std::string::npos) << e.what();
  }
}

TEST(TargetTest, TargetWithNothingVisibleIsAnError) {
  TempDir dir;
  for (const unsigned char alpha : {0, 20}) {  // transparent; faint (alpha 0.08 <= 0.1)
    testing::write_test_target(dir.file("t.png"), 12, alpha);
    try {
      load_target(dir.file("t.png"), 12, 24, 24);
      FAIL() << "expected an error for alpha " << int(alpha);
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("has nothing visible"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
  testing::write_test_target(dir.file("t.png"), 12, 40);  // alpha 0.16: faint but alive
  EXPECT_NO_THROW(load_target(dir.file("t.png"), 12, 24, 24));
}

TEST(TargetTest, MissingFileNamesIt) {
  try {
    load_target("/nonexistent/t.png", 12, 24, 24);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/t.png"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eqnca::experiments
