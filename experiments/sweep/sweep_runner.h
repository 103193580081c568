// Running a planned sweep's runs. Each run is one task (`eqnca sweep task DIR --run NAME`, the
// same whether this machine's workers or a Slurm array task starts it): a normal `eqnca train`
// process in DIR/runs/<name> (its streams in train.out / train.err there), then, when the plan
// says so, the measurements of run_metrics.h, and the outcome in sweep_result.json
// (run_outcome.h). A run whose result says "ok" is skipped when the sweep is run again; a failed
// or missing one is run again (with --resume when it left a checkpoint).
#pragma once

#include <string>
#include <vector>

#include "experiments/sweep/run_outcome.h"
#include "experiments/sweep/sweep_plan_file.h"

namespace eqnca::experiments {

// Trains `run` with the executable `eqnca` and `threads` LibTorch threads and returns the outcome
// (status, final loss, wall time, error line); writes nothing but the run's own folder. Never
// throws for a failing training: that is an outcome.
RunOutcome execute_run(const std::string& eqnca, const std::string& dir, const PlannedRun& run, int threads);

// One task: execute_run, the measurements when plan.evaluate (a failure there keeps the run "ok"
// and notes "evaluation failed: ..." in its error), and write_outcome.
RunOutcome run_task(const std::string& eqnca, const std::string& dir, const SweepPlan& plan, const PlannedRun& run,
                    int threads);

// The runs whose stored outcome is not "ok", in plan order.
std::vector<const PlannedRun*> unfinished_runs(const std::string& dir, const SweepPlan& plan);

// Runs every unfinished run as its own task process, `jobs` at a time, while holding DIR's lock;
// returns how many failed.
int run_sweep_locally(const std::string& eqnca, const std::string& dir, const SweepPlan& plan, int jobs, int threads);

}  // namespace eqnca::experiments
