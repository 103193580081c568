// One row per run of a sweep, gathered from the plan and each run's stored outcome: the columns of
// DIR/results.csv and DIR/sweep.h5 (results_h5.h), which `eqnca sweep report` draws from.
// Columns, in order: run, set, target, seed, one per swept option (its sampled value), status,
// final_loss, seed_loss, rotated_seed_loss, equivariance_error, equivariance_error_independent,
// parameters, wall_s, error. A value that was not measured is an empty cell.
#pragma once

#include <string>
#include <vector>

#include "experiments/sweep/sweep_plan_file.h"

namespace eqnca::experiments {

struct ResultsTable {
  std::vector<std::string> columns;
  std::vector<bool> numeric;  // per column: every non-empty cell is a number
  std::vector<std::vector<std::string>> rows;
};

ResultsTable collect_results(const std::string& dir, const SweepPlan& plan);

// Writes DIR/results.csv atomically (RFC 4180 quoting).
void write_results_csv(const std::string& dir, const ResultsTable& table);

struct ResultCounts {
  int ok = 0, failed = 0, missing = 0;
};
ResultCounts count_results(const ResultsTable& table);

}  // namespace eqnca::experiments
