// VGG16 features from a user-supplied HDF5 file. The files are small ones of the same layout
// (widths 4, 8, 8, 8, 8) written by the converter's own core (scripts/vgg16_to_h5.py, through
// make_vgg16_files.py), so the converter and the loader are tested together; the five feature
// maps are compared with an independent float64 numpy forward pass over the weights read back
// with h5py. Then the texture losses over these features, and the loader's one-line refusals.
#include "experiments/training/vgg16_features.h"

#include <H5Cpp.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "experiments/training/texture_losses.h"
#include "experiments/training/texture_task.h"
#include "tests/experiments/H5pyPython.h"
#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

using testing::TempDir;

// The message of the std::runtime_error `load` throws ("" if it throws none).
template <typename F>
std::string runtime_error_of(F&& load) {
  try {
    load();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

void expect_one_line_error(const std::string& message, const std::string& needle) {
  EXPECT_NE(message.find(needle), std::string::npos) << "'" << needle << "' in: " << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

// A float64 dataset of reference.h5 as a float32 tensor (the comparison is at float32 tolerance).
torch::Tensor read_reference(const std::string& path, const std::string& name) {
  const H5::H5File file(path, H5F_ACC_RDONLY);
  const H5::DataSet dataset = file.openDataSet(name);
  std::vector<hsize_t> dims(dataset.getSpace().getSimpleExtentNdims());
  dataset.getSpace().getSimpleExtentDims(dims.data());
  torch::Tensor values = torch::empty(std::vector<int64_t>(dims.begin(), dims.end()), torch::kFloat64);
  dataset.read(values.data_ptr<double>(), H5::PredType::NATIVE_DOUBLE);
  return values.to(torch::kFloat32);
}

// The files of make_vgg16_files.py in a fresh folder; skipped without a python3 that has h5py.
class Vgg16FeaturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string python = testing::python_with_h5py();
    const char* source = std::getenv("EQNCA_SOURCE_DIR");
    if (python.empty() || source == nullptr) GTEST_SKIP() << "no python3 with h5py, or EQNCA_SOURCE_DIR unset";
    const std::string command =
        python + " " + source + "/tests/experiments/training/make_vgg16_files.py '" + dir.path().string() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  TempDir dir;
};

TEST_F(Vgg16FeaturesTest, FeaturesMatchAnIndependentNumpyForwardPass) {
  const Vgg16Features features(dir.file("small.h5"));
  EXPECT_EQ(features.widths(), (std::vector<int64_t>{4, 8, 8, 8, 8}));
  const std::string reference = dir.file("reference.h5");
  const torch::Tensor image = read_reference(reference, "image");
  const std::vector<torch::Tensor> mine = features(image);
  ASSERT_EQ(mine.size(), 5u);
  for (int block = 1; block <= 5; ++block) {
    const std::string name = "relu" + std::to_string(block) + "_1";
    const torch::Tensor expected = read_reference(reference, name);
    ASSERT_EQ(mine[block - 1].sizes(), expected.sizes()) << name;
    // float32 against float64 through up to 10 layers of at most 72-term sums: rounding error is
    // ~1e-6 of the layer's largest value; 1e-5 leaves room and still catches any wrong weight,
    // padding, pooling or normalisation (those change values by far more than 1%).
    const double scale = expected.abs().max().item<double>();
    ASSERT_GT(scale, 0.0) << name << " is all zero: the comparison would be empty";
    const double error = (mine[block - 1] - expected).abs().max().item<double>();
    EXPECT_LE(error, 1e-5 * scale) << name << ": max error " << error << " of max " << scale;
  }
}

TEST_F(Vgg16FeaturesTest, GramAndSlicedWassersteinLossesWorkOverTheFeatures) {
  const auto vgg = std::make_shared<Vgg16Features>(dir.file("small.h5"));
  const TextureFeatures features = [vgg](const torch::Tensor& images) { return (*vgg)(images); };
  const torch::Tensor target = read_reference(dir.file("reference.h5"), "image").slice(0, 0, 1);
  torch::manual_seed(0);
  const torch::Tensor noise = torch::rand({1, 3, 20, 20});
  for (const char* name : {"gram", "sliced_wasserstein"}) {
    const TextureLoss loss = make_texture_loss(name, target, features);
    // The target's own features are computed by the same float operations: exactly zero.
    EXPECT_EQ(loss(target).item<float>(), 0.f) << name;
    // Another image of the same range: its statistics differ by far more than rounding.
    EXPECT_GT(loss(noise).item<float>(), 1e-4f) << name;
    // And the loss trains an image: gradients reach the pixels.
    const torch::Tensor x = noise.clone().requires_grad_(true);
    loss(x).sum().backward();
    EXPECT_GT(x.grad().abs().max().item<float>(), 0.f) << name;
    EXPECT_TRUE(torch::isfinite(x.grad()).all().item<bool>()) << name;
  }
  // The task loss takes the same features (the trainer's path).
  const LossFunction task =
      make_texture_task_loss("gram", target, make_texture_features("vgg16", dir.file("small.h5")));
  torch::Tensor state = torch::zeros({1, 8, 20, 20});
  state.slice(1, 0, 3).copy_(target);
  state.select(1, 3).fill_(1.0);  // opaque, as a texture is
  EXPECT_EQ(task(state).item<float>(), 0.f);
}

TEST_F(Vgg16FeaturesTest, ImagesSmallerThan16PixelsAreRefused) {
  const Vgg16Features features(dir.file("small.h5"));
  EXPECT_EQ(features(torch::rand({1, 3, 16, 17}))[4].sizes(), (torch::IntArrayRef{1, 8, 1, 1}));
  try {
    features(torch::rand({1, 3, 15, 20}));
    FAIL() << "a 20x15 image went through four poolings";
  } catch (const std::invalid_argument& e) {
    expect_one_line_error(e.what(), "at least 16x16 pixels");
  }
}

TEST_F(Vgg16FeaturesTest, MalformedFilesGiveOneLineErrorsNamingTheFileAndDataset) {
  auto error_for = [&](const std::string& file) { return runtime_error_of([&] { Vgg16Features{dir.file(file)}; }); };
  expect_one_line_error(error_for("none.h5"), "none.h5' does not exist");
  std::ofstream(dir.file("text.h5")) << "not an HDF5 file\n";
  expect_one_line_error(error_for("text.h5"), "text.h5' is not an HDF5 file");
  expect_one_line_error(error_for("missing_dataset.h5"), "has no dataset 'conv3_1/weight'");
  expect_one_line_error(error_for("wrong_shape.h5"),
                        "'conv2_1/weight' has shape (8, 5, 3, 3), expected (out, 4, 3, 3)");
  expect_one_line_error(error_for("wrong_format.h5"), "has format 'eqnca-vgg19', expected 'eqnca-vgg16'");
  expect_one_line_error(error_for("non_finite.h5"), "'conv4_1/bias' holds non-finite values");
  // Every message names its file.
  for (const char* file : {"missing_dataset.h5", "wrong_shape.h5", "wrong_format.h5"})
    expect_one_line_error(error_for(file), dir.file(file));
  // A run log is HDF5 but not this layout.
  { const H5::H5File other(dir.file("other.h5"), H5F_ACC_TRUNC); }
  expect_one_line_error(error_for("other.h5"), "has no 'format' attribute");
}

// Choosing the features by name, as the trainer does; no files needed.
TEST(Vgg16FeaturesChoiceTest, RandomNeedsNoFileAndVgg16NeedsOne) {
  const TextureFeatures random = make_texture_features("random");
  EXPECT_EQ(random(torch::rand({1, 3, 8, 8})).size(), 5u);
  EXPECT_THROW(make_texture_features("vgg16"), std::invalid_argument);
  EXPECT_THROW(make_texture_features("vgg19", "x.h5"), std::invalid_argument);
  EXPECT_THROW(make_texture_features("vgg16", "/nonexistent/vgg16.h5"), std::runtime_error);
}

}  // namespace
}  // namespace eqnca::experiments
