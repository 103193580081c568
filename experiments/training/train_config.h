// The configuration of `eqnca train` as one plain struct, its range checks, its TOML form and
// its command-line binding. Convention: every field has one CLI option whose long name is also
// its key in TOML config files, so a run's resolved config (to_toml) can be fed back with
// --config and any key overridden on the command line.
#pragma once

#include <cstdint>
#include <string>

#include "experiments/training/config_file.h"
#include "models/model_factory.h"

namespace CLI {
class App;
}

namespace eqnca::experiments {

struct TrainConfig {
  std::string task = "grow";          // grow (one image from the seed) | texture (experiments/training/texture_task.h)
  std::string texture_loss = "gram";  // texture task: gram | sliced_wasserstein
  // Texture task: the network the texture loss compares features of: random (seeded, built in) |
  // vgg16 (weights from vgg16_weights, an HDF5 file of experiments/training/vgg16_features.h).
  std::string texture_features = "random";
  std::string vgg16_weights;
  models::ModelConfig model;
  std::string target = "data/lizard.png";
  int target_size = 40;  // longest side after thumbnailing; 0 keeps the PNG's own size
  int pad = 16;          // grid = target_size + 2*pad ...
  int grid = 0;          // ... unless this is > 0 (a square grid of this side)
  int pool_size = 1024;
  int batch = 8;
  int min_steps = 64, max_steps = 96;  // rollout length, uniform in [min, max]
  int iterations = 8000;
  // 0 = the model's default: lr = 2e-3 (Distill's) x models::learning_rate_scale, lr_final = lr / 10.
  double lr = 0.0, lr_final = 0.0;
  int lr_drop = 2000;                 // iterations at lr before switching to lr_final
  std::string mode = "regenerating";  // growing | persistent | regenerating
  std::string loss = "mse";           // mse | group_min | polar
  bool curriculum = false;
  // none | group: every seed the pool plants starts turned by a random rotation of the model's
  // group (one of its N for C_N and D_N, a uniform angle for SO(2) and O(2)) and is scored against
  // the target turned alike (experiments/training/seed_turns.h). default: the model's
  // (models::turned_seeds_by_default; group for so2), none with a loss other than mse or a texture.
  std::string seed_turns = "default";
  std::string device = "cpu";  // cpu | cuda
  uint64_t seed = 0;
  int threads = 0;     // 0 = LibTorch's default
  int log_every = 10;  // flush the run log every this many iterations
  int checkpoint_every = 100;
  int snapshot_every = 500;  // 0 = no snapshots
  std::string out_dir = "runs/train";

  // Side of the square training grid.
  int grid_size() const { return grid > 0 ? grid : target_size + 2 * pad; }
  // Throws std::invalid_argument("--batch must be in [1, 4096], got 0") style one-liners.
  void validate() const;
  // Every "0 = default" of the model and the learning rates replaced by its value
  // (models::resolved, the lr rule above), and the target's path as found from here
  // (find_data_file): what a run trains with and writes to config.toml. A texture has no border:
  // the texture task always trains with circular padding.
  TrainConfig resolved() const;
  // The resolved config as TOML with the CLI option names as keys.
  std::string to_toml() const;
};

// Binds every TrainConfig field to a --option with help text (repeating an option: the last
// wins) and adds --config <file.toml>.
void add_train_options(CLI::App& app, TrainConfig& config);

}  // namespace eqnca::experiments
