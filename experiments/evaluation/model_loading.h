// Models for the evaluation commands (equivariance, grow): either rebuilt from a training
// checkpoint (the run's resolved TrainConfig travels inside checkpoint.pt, see checkpoint.h) or
// built by name with random weights, so a quick look needs no training.
//
// Random weights are normal(0, 0.1) on every parameter: the models zero-initialise their last
// layer, which would make an untrained NCA the identity and any equivariance test trivial.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <torch/types.h>

#include "experiments/training/train_config.h"
#include "models/nca_model.h"

namespace CLI {
class App;
}

namespace eqnca::experiments {

struct ModelSource {
  std::string checkpoint;       // checkpoint.pt or model.h5 of a training run; wins over `model`
  std::string model;            // a model name (models::model_names()) ...
  std::string init = "random";  // ... initialised "random" (normal(0, 0.1)) or "default"
  std::string device = "cpu";
  std::uint64_t seed = 0;  // for the random weights
  std::string padding;     // of a --model: zeros | circular; empty = the model's default (zeros)
};

// --checkpoint, --model, --init, --device (the caller binds --seed itself).
void add_model_source_options(CLI::App& app, ModelSource& source);

struct LoadedModel {
  models::NcaModel model{nullptr};
  std::optional<TrainConfig> config;  // the training run's config, for checkpoints
  std::int64_t iteration = 0;         // completed training iterations (checkpoints)
};

// Throws std::invalid_argument / std::runtime_error with a one-line message when neither a
// checkpoint nor a model is named, or the checkpoint cannot be read.
LoadedModel load_model(const ModelSource& source);

// Re-draws every parameter from normal(0, stddev) with the given torch seed.
void randomize_parameters(torch::nn::Module& model, double stddev, std::uint64_t seed);

// The resolved TrainConfig stored in a checkpoint.pt or model.h5 (parsed back through add_train_options).
TrainConfig read_checkpoint_config(const std::string& checkpoint_path);

// The training target of a run, on the run's grid, or undefined when the PNG cannot be found.
// Relative target paths are tried as given, then under EQNCA_DATA_DIR's parent and the source dir.
torch::Tensor load_run_target(const TrainConfig& config);

}  // namespace eqnca::experiments
