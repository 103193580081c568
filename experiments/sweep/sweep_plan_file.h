// DIR/plan.json: a sweep folder's own description of its runs, written by `eqnca sweep` before
// any run starts. Whatever comes later reads it instead of the sweep file: a Slurm array task
// looks up its run there, `eqnca sweep collect DIR` and `report DIR` find every run, value and
// option name there, so they need nothing but the folder.
#pragma once

#include <string>
#include <vector>

#include "experiments/sweep/sweep_spec.h"

namespace eqnca::experiments {

struct SweepPlan {
  std::string sweep_file;            // the sweep file the plan came from
  std::vector<std::string> options;  // swept option names, in the order of each run's values
  bool evaluate = true;              // measure finished runs (run_metrics.h)
  int threads = 1;                   // LibTorch threads per run on the local backend
  std::vector<PlannedRun> runs;
};

SweepPlan make_plan(const SweepSpec& spec, std::vector<PlannedRun> runs);

// Writes DIR/plan.json atomically.
void write_plan(const std::string& dir, const SweepPlan& plan);

// Reads DIR/plan.json; throws std::runtime_error "'DIR' is not a sweep folder ..." when it is
// missing or unreadable.
SweepPlan read_plan(const std::string& dir);

// The run called `name`; throws std::invalid_argument when the plan has none.
const PlannedRun& find_run(const SweepPlan& plan, const std::string& name);

}  // namespace eqnca::experiments
