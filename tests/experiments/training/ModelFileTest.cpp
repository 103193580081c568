// model.h5: a round trip restores every parameter bit for bit with the config and iteration; a
// model of another shape, a run log that is not a model file, and a missing file are one-line
// errors; the file stays small (parameters only).
#include "experiments/training/model_file.h"

#include <filesystem>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <torch/nn/modules/linear.h>

#include "experiments/io/run_log.h"
#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    return e.what();
  }
  return "";
}

TEST(ModelFileTest, RoundTripRestoresParametersConfigAndIteration) {
  testing::TempDir dir;
  torch::manual_seed(1);
  torch::nn::Linear saved(5, 3), loaded(5, 3);
  save_model_file(dir.file("model.h5"), *saved, "model = \"growing\"\n", 42);
  const ModelFileHeader h = load_model_file(dir.file("model.h5"), *loaded);
  EXPECT_EQ(h.config_toml, "model = \"growing\"\n");
  EXPECT_EQ(h.iteration, 42);
  EXPECT_TRUE(loaded->weight.equal(saved->weight));
  EXPECT_TRUE(loaded->bias.equal(saved->bias));
  EXPECT_EQ(read_model_file_header(dir.file("model.h5")).iteration, 42);
  EXPECT_LT(std::filesystem::file_size(dir.file("model.h5")), 20000u);
  // Saving again replaces the file (atomically).
  save_model_file(dir.file("model.h5"), *saved, "x = 1\n", 43);
  EXPECT_EQ(read_model_file_header(dir.file("model.h5")).iteration, 43);
}

TEST(ModelFileTest, MismatchesForeignAndMissingFilesAreOneLineErrors) {
  testing::TempDir dir;
  torch::nn::Linear saved(5, 3), other(4, 3);
  save_model_file(dir.file("model.h5"), *saved, "", 1);
  EXPECT_NE(error_of([&] { load_model_file(dir.file("model.h5"), *other); }).find("parameter 'weight' is (3, 5)"),
            std::string::npos);
  { RunLog::create(dir.file("run.h5"), "config"); }
  EXPECT_NE(error_of([&] { read_model_file_header(dir.file("run.h5")); }).find("is not an eqnca model file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_model_file_header(dir.file("none.h5")); }).find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace eqnca::experiments
