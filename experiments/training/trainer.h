// `eqnca train`'s engine: the Distill growing-NCA recipe (sample pool, random rollout lengths,
// Adam with a step learning-rate schedule and per-parameter gradient normalisation, loss-sorted
// batches with seeding and damage), optionally with the Growing Pokemon curriculum. One folder
// per run: run.h5 (config, per-iteration scalars, snapshots), checkpoint.pt (the resume state),
// model.h5 (the trained weights to share: experiments/training/model_file.h), config.toml.
#pragma once

#include <ostream>
#include <string>

#include "experiments/training/train_config.h"

namespace eqnca::experiments {

struct TrainResult {
  double final_loss = 0.0;  // loss of the last iteration
  int iterations = 0;       // completed iterations (including those before a resume)
  double wall_s = 0.0;      // training seconds (including those before a resume)
  std::string log_path, checkpoint_path;
};

// Trains from scratch (the output folder must not hold a run yet) or, with `resume`, continues
// from <out>/checkpoint.pt: log rows after the checkpoint are dropped and, on the CPU, the loss
// curve continues exactly as the uninterrupted run's would. Progress goes to `out` (a redrawn
// bar when `out` is std::cerr on a terminal). Throws std::invalid_argument / std::runtime_error
// with one-line messages on bad input, when the loss becomes NaN or infinite (the last good
// checkpoint is kept), when another process trains into the same folder (experiments/io/
// folder_lock.h), and after SIGINT / SIGTERM, once the iteration in progress is checkpointed
// (experiments/training/stop_signals.h).
TrainResult train(const TrainConfig& config, bool resume, std::ostream& out);

}  // namespace eqnca::experiments
