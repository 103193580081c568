// Loading models for evaluation; see model_loading.h.
#include "experiments/evaluation/model_loading.h"

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>
#include <torch/utils.h>
#include <CLI/CLI.hpp>

#include "experiments/io/data_path.h"
#include "experiments/training/checkpoint.h"
#include "experiments/training/model_file.h"
#include "experiments/training/target.h"
#include "models/model_factory.h"

namespace eqnca::experiments {

void add_model_source_options(CLI::App& app, ModelSource& s) {
  app.add_option("--checkpoint", s.checkpoint,
                 "checkpoint.pt or model.h5 of a training run (model and config come from it)");
  app.add_option("--model", s.model,
                 fmt::format("model to build instead of a checkpoint: {}", fmt::join(models::model_names(), "|")));
  app.add_option("--init", s.init, "weights of a --model: random (normal(0, 0.1), non-trivial) | default")
      ->capture_default_str();
  app.add_option("--device", s.device, "cpu|cuda")->capture_default_str();
}

void randomize_parameters(torch::nn::Module& model, double stddev, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  for (auto& p : model.parameters()) p.normal_(0.0, stddev);
}

namespace {

bool is_model_file(const std::string& path) { return std::filesystem::path(path).extension() == ".h5"; }

TrainConfig parse_config(const std::string& text, const std::string& path) {
  TrainConfig config;
  CLI::App app;
  add_train_options(app, config);
  std::istringstream toml(text);
  try {
    app.parse_from_stream(toml);
  } catch (const CLI::Error& e) {
    throw std::runtime_error(fmt::format("checkpoint '{}': cannot read its config ({})", path, e.what()));
  }
  return config;
}

}  // namespace

TrainConfig read_checkpoint_config(const std::string& path) {
  if (is_model_file(path)) return parse_config(read_model_file_header(path).config_toml, path);
  torch::serialize::InputArchive archive;
  load_checkpoint_archive(path, archive, torch::kCPU);
  c10::IValue value;
  try {
    archive.read("config", value);
  } catch (const std::exception&) {
    throw std::runtime_error(fmt::format("checkpoint '{}' is corrupt or not an eqnca training checkpoint", path));
  }
  TrainConfig config = parse_config(value.toStringRef(), path);
  // Runs store resolved sizes; a 0 comes from a checkpoint written before they did, and means
  // the defaults of that time.
  config.model = models::resolved_with_first_defaults(config.model);
  return config;
}

LoadedModel load_model(const ModelSource& s) {
  const torch::Device device(s.device);
  LoadedModel out;
  if (!s.checkpoint.empty()) {
    TrainConfig config = read_checkpoint_config(s.checkpoint);
    out.model = models::make_model(config.model);
    out.model->to(device);
    if (is_model_file(s.checkpoint)) {
      out.iteration = load_model_file(s.checkpoint, *out.model).iteration;
    } else {
      // load_checkpoint restores the optimiser too; a throwaway Adam over the same parameters
      // matches what the trainer saved.
      torch::optim::Adam adam(out.model->parameters(), torch::optim::AdamOptions(config.lr));
      out.iteration = load_checkpoint(s.checkpoint, *out.model, adam, device).iteration;
    }
    out.config = config;
  } else if (!s.model.empty()) {
    models::ModelConfig config;
    config.name = s.model;
    if (!s.padding.empty()) config.padding = s.padding;
    out.model = models::make_model(config);
    if (s.init == "random")
      randomize_parameters(*out.model, 0.1, s.seed);
    else if (s.init != "default")
      throw std::invalid_argument(fmt::format("--init must be random or default, got '{}'", s.init));
    out.model->to(device);
  } else {
    throw std::invalid_argument("name a --checkpoint or a --model (e.g. --model c4 --init random)");
  }
  out.model->eval();
  return out;
}

torch::Tensor load_run_target(const TrainConfig& config) {
  const std::string path = find_data_file(config.target);
  if (path.empty()) return {};
  return load_target(path, config.target_size, config.grid_size(), config.grid_size());
}

}  // namespace eqnca::experiments
