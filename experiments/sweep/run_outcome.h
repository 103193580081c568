// What became of one sweep run, as stored in DIR/runs/<name>/sweep_result.json by whoever ran it
// (this machine's worker or a Slurm array task) and read back when the results are collected.
// A run without a readable result file is "missing": re-running the sweep runs it again.
// Measurements a run did not make are NaN (null in the JSON).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace eqnca::experiments {

struct RunOutcome {
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

  std::string status = "missing";  // "ok", "failed" or "missing"
  double final_loss = kNone;       // the last training iteration's loss (`eqnca train`'s "final loss")
  double wall_s = 0;               // training and evaluation, seconds
  std::string error;               // a failed run's last stderr line
  // From the seed, after training (run_metrics.h): the loss of the grown pattern against the
  // target, the mean loss of the turned seeds' growth against the turned target, and the largest
  // relative equivariance error at the last step (shared, then independent update masks).
  double seed_loss = kNone, rotated_seed_loss = kNone;
  double equivariance_error = kNone, equivariance_error_independent = kNone;
  int64_t parameters = 0;  // trainable parameters of the trained model (0: not measured)
};

// DIR/runs/<name>/sweep_result.json.
std::string outcome_path(const std::string& dir, const std::string& run_name);

// The stored outcome, or status "missing" when there is none or it cannot be parsed (a torn or
// foreign file is run again rather than trusted).
RunOutcome read_outcome(const std::string& dir, const std::string& run_name);

// Writes the outcome atomically (temporary file, then rename).
void write_outcome(const std::string& dir, const std::string& run_name, const RunOutcome& outcome);

}  // namespace eqnca::experiments
