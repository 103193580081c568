// The measurements a sweep adds to a finished run, from its model.h5: the trained model grown
// from the seed for the run's longest rollout (steps-max) on the run's grid, its loss against the
// target, and the equivariance check of equivariance_eval.h (every default element: the group's
// own for finite groups, else 90, 180, 270, 45 and 22.5 degrees) with the loss against the turned
// target. Costs about 2 x (elements + 1) rollouts of one state: small next to training.
#pragma once

#include <string>

#include "experiments/sweep/run_outcome.h"

namespace eqnca::experiments {

// Fills outcome's seed_loss, rotated_seed_loss, equivariance errors and parameters from
// <run_folder>/model.h5, on `threads` LibTorch threads. Throws std::runtime_error (one line) when
// the model cannot be read.
void measure_run(const std::string& run_folder, int threads, RunOutcome& outcome);

}  // namespace eqnca::experiments
