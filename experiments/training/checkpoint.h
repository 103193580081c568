// Training checkpoints: model parameters, Adam state, sample pool, curriculum, iteration and the
// CPU random generator in one torch::serialize archive, written atomically (temp file + rename)
// so a run killed mid-write keeps its previous checkpoint. The archive starts with a magic
// string and a format version, and carries a CRC-32 of itself in its zip comment; any other
// file, and a truncated or bit-flipped one, is rejected with a one-line error. The file stays a
// plain zip archive (Python's zipfile reads it; paper/lever_study/params.py counts parameters).
#pragma once

#include <cstdint>
#include <string>

#include <torch/types.h>

namespace torch::nn {
class Module;
}
namespace torch::optim {
class Optimizer;
}
namespace torch::serialize {
class InputArchive;
}

namespace eqnca::experiments {

inline constexpr const char* kCheckpointMagic = "eqnca-train-checkpoint";
// Version 2 stores the pool compactly (its live cells only); version 1 files still load.
inline constexpr int64_t kCheckpointVersion = 2;

// Everything a checkpoint holds besides the model and the optimiser.
struct TrainingState {
  int64_t iteration = 0;      // completed iterations
  double wall_time = 0.0;     // seconds of training so far
  torch::Tensor pool;         // (pool_size, C, H, W); undefined in growing mode
  torch::Tensor pool_angles;  // (pool_size) float64, each row's seed turn; undefined without --seed-turns
  torch::Tensor curriculum;   // Curriculum::state(); undefined when off
  torch::Tensor cpu_rng;      // capture_cpu_rng_state()
  std::string config_toml;    // TrainConfig::to_toml() of the run that wrote it
};

// The default CPU generator's state (a uint8 tensor) and its restoration: the pool, the
// curriculum and CPU update masks all draw from it.
torch::Tensor capture_cpu_rng_state();
void restore_cpu_rng_state(const torch::Tensor& state);

// Reads the checkpoint file into `archive` after checking its checksum (files written before
// checkpoints had one are read unchecked). Throws std::runtime_error("checkpoint '<path>' ...")
// when it is missing, corrupt or not a torch archive.
void load_checkpoint_archive(const std::string& path, torch::serialize::InputArchive& archive,
                             const torch::Device& device);
// The check alone: true when the file carries a checksum that matches, false when it carries
// none; throws the same one-line "corrupt" error as the loaders when its checksum record is
// damaged or does not match.
bool checkpoint_checksum_verified(const std::string& path);

void save_checkpoint(const std::string& path, const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                     const TrainingState& state);
// Loads parameters into `model` and state into `optimizer` (built like the saved ones), tensors
// onto `device`. Throws std::runtime_error("checkpoint '<path>' ...") when the file is missing,
// corrupt, of another format, or does not fit the model.
TrainingState load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                              const torch::Device& device);

}  // namespace eqnca::experiments
