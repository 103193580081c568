// Model files; see model_file.h.
#include "experiments/training/model_file.h"

#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/nn/module.h>

#include "experiments/io/atomic_file.h"
#include "experiments/io/run_log.h"

namespace eqnca::experiments {
namespace {

ModelFileHeader header_of(const RunLog& file, const std::string& path) {
  std::string format;
  try {
    format = file.read_attribute("/", "eqnca_model_format");
  } catch (const std::exception&) {
    throw std::runtime_error(fmt::format("'{}' is not an eqnca model file", path));
  }
  if (format != std::to_string(kModelFileFormat))
    throw std::runtime_error(
        fmt::format("model file '{}' has format {}, this eqnca reads format {}", path, format, kModelFileFormat));
  ModelFileHeader h;
  h.config_toml = file.read_attribute("/", "config");
  h.iteration = std::stoll(file.read_attribute("/", "iteration"));
  return h;
}

}  // namespace

void save_model_file(const std::string& path, const torch::nn::Module& model, const std::string& config_toml,
                     int64_t iteration) {
  write_file_atomically(path, [&](const std::string& tmp) {
    std::filesystem::remove(tmp);
    RunLog file = RunLog::create(tmp, config_toml);
    file.set_attribute("/", "eqnca_model_format", double(kModelFileFormat));
    file.set_attribute("/", "iteration", double(iteration));
    for (const auto& p : model.named_parameters()) {
      const torch::Tensor t = p.value().detach().to(torch::kCPU, torch::kFloat).contiguous();
      const std::vector<float> data(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
      file.write_array("parameters/" + p.key(), data, std::vector<hsize_t>(t.sizes().begin(), t.sizes().end()));
    }
    file.flush();
  });
}

ModelFileHeader read_model_file_header(const std::string& path) {
  return header_of(RunLog::open_read_only(path), path);
}

ModelFileHeader load_model_file(const std::string& path, torch::nn::Module& model) {
  const RunLog file = RunLog::open_read_only(path);
  const ModelFileHeader h = header_of(file, path);
  torch::NoGradGuard no_grad;
  for (auto& p : model.named_parameters()) {
    const std::string name = "parameters/" + p.key();
    if (!file.exists(name))
      throw std::runtime_error(fmt::format("model file '{}' has no parameter '{}'", path, p.key()));
    std::vector<hsize_t> dims;
    const std::vector<float> data = file.read_array(name, &dims);
    const std::vector<int64_t> shape(dims.begin(), dims.end());
    if (torch::IntArrayRef(shape) != p.value().sizes())
      throw std::runtime_error(fmt::format("model file '{}': parameter '{}' is ({}), the model's is ({})", path,
                                           p.key(), fmt::join(shape, ", "), fmt::join(p.value().sizes(), ", ")));
    p.value().copy_(torch::from_blob(const_cast<float*>(data.data()), shape, torch::kFloat).to(p.value().options()));
  }
  return h;
}

}  // namespace eqnca::experiments
