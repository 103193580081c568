// Running a planned sweep on this machine: each run is a normal `eqnca train` process in
// DIR/runs/<name>, its streams in train.out / train.err there, its outcome in sweep_result.json.
// A run whose result says "ok" is skipped when the sweep is run again; a failed or missing one is
// run again (with --resume when it left a checkpoint). DIR/results.csv has one row per run.
#pragma once

#include <string>
#include <vector>

#include "experiments/sweep/sweep_spec.h"

namespace eqnca::experiments {

struct RunOutcome {
  std::string status;  // "ok", "failed" or "missing"
  double final_loss = 0, wall_s = 0;
  std::string error;  // a failed run's last stderr line
};

// Runs `run` with the executable `eqnca` and `threads` LibTorch threads; writes and returns its
// outcome. Never throws for a failing training: that is an outcome.
RunOutcome execute_run(const std::string& eqnca, const std::string& dir, const PlannedRun& run, int threads);

// Runs every unfinished run, `jobs` at a time; returns how many failed.
int run_sweep_locally(const std::string& eqnca, const std::string& dir, const std::vector<PlannedRun>& runs, int jobs,
                      int threads);

// Writes DIR/results.csv (atomically): run, set, target, seed, one column per swept option,
// status, final_loss, wall_s, error.
void write_results_csv(const std::string& dir, const SweepSpec& spec, const std::vector<PlannedRun>& runs);

}  // namespace eqnca::experiments
