// What a Slurm sweep asks the scheduler for, per array task (one task = one run): partition, time
// limit, memory, CPUs, an optional GPU, and how many tasks may run at once. Set in the sweep
// file's [slurm] table and overridden by `eqnca sweep` options of the same names. Each value is
// checked here, before anything is written or submitted, in the syntax sbatch accepts.
#pragma once

#include <string>

namespace eqnca::experiments {

struct SlurmOptions {
  std::string partition;         // empty: the cluster's default partition
  std::string time = "1:00:00";  // sbatch --time: M, M:S, H:M:S, D-H, D-H:M or D-H:M:S
  std::string mem = "4G";        // sbatch --mem: a whole number with an optional K, M, G or T
  int cpus = 0;                  // --cpus-per-task, also the run's --threads (0: the sweep's threads)
  bool gpu = false;              // --gres=gpu:1 (the base config chooses --device cuda)
  int max_running = 0;           // --array=0-N%max_running (0: no limit)
};

// Each returns "" when `value` is acceptable, else what is wrong with it (without the key, so the
// sweep file and the command line can each name it their way).
std::string slurm_partition_problem(const std::string& value);
std::string slurm_time_problem(const std::string& value);
std::string slurm_mem_problem(const std::string& value);

// Throws std::invalid_argument "slurm option '<key>': <problem>" for the first bad field.
void check_slurm_options(const SlurmOptions& options);

}  // namespace eqnca::experiments
