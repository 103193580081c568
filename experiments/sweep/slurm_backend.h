// The Slurm backend: the unfinished runs of a sweep as one job array. Each array task runs
// `eqnca sweep task DIR --run <name>` (sweep_runner.h), so it trains and measures its run exactly as
// the local backend would and leaves sweep_result.json in the run's folder; collecting them into
// results.csv happens afterwards (`eqnca sweep collect DIR`, the same sweep command again, or
// --wait). Files: DIR/slurm/array.sbatch (the script, rewritten per submission),
// DIR/slurm/job_id (the last submitted job), DIR/slurm/logs/<job>_<task>.out (each task's streams).
#pragma once

#include <string>
#include <vector>

#include "experiments/sweep/slurm_options.h"
#include "experiments/sweep/sweep_plan_file.h"

namespace eqnca::experiments {

// Writes DIR/slurm/array.sbatch for `runs` (at least one) and returns its path. `eqnca` and DIR
// must be paths every node sees (a shared filesystem); DIR is made absolute. Each task gets
// options.cpus CPUs (or `threads` when 0) and trains on as many LibTorch threads. Throws
// std::invalid_argument when DIR or `eqnca` holds characters a #SBATCH line cannot carry.
std::string write_array_script(const std::string& eqnca, const std::string& dir,
                               const std::vector<const PlannedRun*>& runs, const SlurmOptions& options, int threads);

// `sbatch --parsable SCRIPT`; records and returns the job id. Throws std::runtime_error with
// sbatch's own error line, or saying that sbatch is not installed here.
std::string submit_array_script(const std::string& dir, const std::string& script);

// The job recorded in DIR/slurm/job_id when squeue still lists it (pending or running), else "".
std::string queued_sweep_job(const std::string& dir);

// Polls squeue every `poll_s` seconds until `job_id` has left the queue.
void wait_for_job(const std::string& job_id, double poll_s);

}  // namespace eqnca::experiments
