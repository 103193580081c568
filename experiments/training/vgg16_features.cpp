// Loading VGG16 weights from HDF5 and the forward pass to relu5_1 (see vgg16_features.h).
// The file comes from outside eqnca, so every property the forward pass relies on is checked
// while reading, and every failure becomes one std::runtime_error line naming the file and the
// dataset: HDF5's own multi-line error stack printing is switched off (H5::Exception::dontPrint),
// as in experiments/io/run_log.cpp.
#include "experiments/training/vgg16_features.h"

#include <H5Cpp.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/io/hdf5_reason.h"
#include "groups/check.h"

namespace eqnca::experiments {
namespace {

constexpr int kBlockConvolutions[] = {2, 2, 3, 3, 3};  // VGG16: 13 convolutions in 5 blocks
// No VGG is wider than 512; the cap keeps a corrupt file's claimed shape from allocating gigabytes.
constexpr hsize_t kMaxWidth = 4096;

template <typename... Args>
std::runtime_error file_error(const std::string& path, fmt::format_string<Args...> what, Args&&... args) {
  return std::runtime_error(fmt::format("VGG16 weights '{}' {}", path, fmt::format(what, std::forward<Args>(args)...)));
}

// True when every prefix of "a/b" names a link: asking HDF5 for "a/b" with "a" missing is an
// error, not "false".
bool link_exists(const H5::H5File& file, const std::string& name) {
  for (size_t slash = name.find('/');; slash = name.find('/', slash + 1)) {
    if (H5Lexists(file.getId(), name.substr(0, slash).c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
  }
}

std::string shape_text(const std::vector<hsize_t>& dims) { return fmt::format("({})", fmt::join(dims, ", ")); }

void check_format(const H5::H5File& file, const std::string& path) {
  const H5::Group root = file.openGroup("/");
  if (!root.attrExists("format"))
    throw file_error(path,
                     "has no 'format' attribute: it is not an eqnca VGG16 file (write one with "
                     "scripts/vgg16_to_h5.py)");
  const H5::Attribute format = root.openAttribute("format");
  std::string value;
  if (format.getTypeClass() == H5T_STRING) format.read(format.getStrType(), value);
  if (value != kVgg16Format)
    throw file_error(path, "has format '{}', expected '{}' (write it with scripts/vgg16_to_h5.py)", value,
                     kVgg16Format);
  long long version = -1;
  if (root.attrExists("version")) {
    const H5::Attribute attribute = root.openAttribute("version");
    if (attribute.getTypeClass() == H5T_INTEGER) attribute.read(H5::PredType::NATIVE_LLONG, &version);
  }
  if (version != kVgg16FormatVersion)
    throw file_error(path, "has format version {}, this eqnca reads version {}",
                     version < 0 ? std::string("(missing or not an integer)") : std::to_string(version),
                     kVgg16FormatVersion);
}

// The dataset `name` as float32, after checking that it exists, holds floats and has `expected`
// dims, where a 0 in `expected` accepts any size up to kMaxWidth (the output channels).
torch::Tensor read_checked(const H5::H5File& file, const std::string& path, const std::string& name,
                           std::vector<hsize_t> expected) {
  if (!link_exists(file, name)) throw file_error(path, "has no dataset '{}'", name);
  if (file.childObjType(name) != H5O_TYPE_DATASET) throw file_error(path, "'{}' is not a dataset", name);
  const H5::DataSet dataset = file.openDataSet(name);
  if (dataset.getTypeClass() != H5T_FLOAT)
    throw file_error(path, "'{}' does not hold floating-point values (float32 expected)", name);
  const H5::DataSpace space = dataset.getSpace();
  std::vector<hsize_t> dims(static_cast<size_t>(std::max(space.getSimpleExtentNdims(), 0)));
  space.getSimpleExtentDims(dims.data());
  bool matches = dims.size() == expected.size();
  for (size_t i = 0; matches && i < dims.size(); ++i)
    matches = expected[i] == 0 ? (dims[i] >= 1 && dims[i] <= kMaxWidth) : dims[i] == expected[i];
  if (!matches) {
    std::vector<std::string> wanted;
    for (hsize_t e : expected) wanted.push_back(e == 0 ? "out" : std::to_string(e));
    throw file_error(path, "dataset '{}' has shape {}, expected ({})", name, shape_text(dims), fmt::join(wanted, ", "));
  }
  std::vector<int64_t> shape(dims.begin(), dims.end());
  torch::Tensor values = torch::empty(shape, torch::kFloat32);
  dataset.read(values.data_ptr<float>(), H5::PredType::NATIVE_FLOAT);  // HDF5 converts float64 too
  if (!torch::isfinite(values).all().item<bool>())
    throw file_error(path, "dataset '{}' holds non-finite values (NaN or infinity)", name);
  return values;
}

}  // namespace

std::vector<std::string> vgg16_used_convolutions() {
  std::vector<std::string> names;
  for (int block = 1; block <= 5; ++block) {
    const int used = block < 5 ? kBlockConvolutions[block - 1] : 1;  // conv5_1 is the deepest needed
    for (int i = 1; i <= used; ++i) names.push_back(fmt::format("conv{}_{}", block, i));
  }
  return names;
}

Vgg16Features::Vgg16Features(const std::string& path) : path_(path) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path))
    throw file_error(path, "does not exist (write it with scripts/vgg16_to_h5.py; eqnca never downloads weights)");
  try {
    if (!H5::H5File::isHdf5(path)) throw file_error(path, "is not an HDF5 file");
    const H5::H5File file(path, H5F_ACC_RDONLY);
    check_format(file, path);
    hsize_t in = 3;  // RGB
    for (const std::string& conv : vgg16_used_convolutions()) {
      weights_.push_back(read_checked(file, path, conv + "/weight", {0, in, 3, 3}));
      const hsize_t out = static_cast<hsize_t>(weights_.back().size(0));
      biases_.push_back(read_checked(file, path, conv + "/bias", {out}));
      in = out;
    }
  } catch (const H5::Exception& e) {
    throw file_error(path, "cannot be read: {}", hdf5_reason(e));
  }
}

std::vector<int64_t> Vgg16Features::widths() const {
  std::vector<int64_t> widths;
  size_t conv = 0;
  for (int block = 0; block < 5; ++block) {
    widths.push_back(weights_[conv].size(0));
    conv += kBlockConvolutions[block];
  }
  return widths;
}

std::vector<torch::Tensor> Vgg16Features::operator()(const torch::Tensor& images) const {
  EQNCA_CHECK(images.dim() == 4 && images.size(1) == 3, "VGG16 features: images must be (B, 3, H, W), got {}",
              fmt::format("{}", fmt::join(images.sizes().vec(), "x")));
  EQNCA_CHECK(images.size(2) >= 16 && images.size(3) >= 16,
              "VGG16 texture features need images of at least 16x16 pixels (relu5_1 is four 2x2 poolings deep; "
              "a texture target's size is --target-size), got {}x{}",
              images.size(3), images.size(2));
  const auto options = images.options();
  const torch::Tensor mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1}).to(options);
  const torch::Tensor stddev = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1}).to(options);
  torch::Tensor x = (images - mean) / stddev;
  std::vector<torch::Tensor> out;
  size_t conv = 0;
  for (int block = 0; block < 5; ++block) {
    if (block > 0) x = torch::max_pool2d(x, {2, 2});
    const int used = block < 4 ? kBlockConvolutions[block] : 1;
    for (int i = 0; i < used; ++i, ++conv) {
      x = torch::relu(torch::conv2d(x, weights_[conv].to(options), biases_[conv].to(options), 1, 1));
      if (i == 0) out.push_back(x);
    }
  }
  return out;
}

}  // namespace eqnca::experiments
