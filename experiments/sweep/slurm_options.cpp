// Checks of Slurm request values; see slurm_options.h.
#include "experiments/sweep/slurm_options.h"

#include <regex>
#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::experiments {

std::string slurm_partition_problem(const std::string& value) {
  // The value lands in a #SBATCH line of a shell script: allow only what partition names use.
  static const std::regex name("[A-Za-z0-9_.,-]+");
  if (value.empty() || std::regex_match(value, name)) return "";
  return fmt::format("'{}' is not a partition name (letters, digits, _ . , -)", value);
}

std::string slurm_time_problem(const std::string& value) {
  static const std::regex time(
      R"(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2})");
  if (std::regex_match(value, time) && value.find_first_not_of("0:-") != std::string::npos) return "";
  return fmt::format("'{}' is not a time limit (minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S, above zero)", value);
}

std::string slurm_mem_problem(const std::string& value) {
  static const std::regex mem(R"([0-9]+[KMGTkmgt]?)");
  if (std::regex_match(value, mem) && value.find_first_not_of("0") != std::string::npos &&
      value.find_first_not_of("0") < value.find_first_not_of("0123456789"))
    return "";
  return fmt::format("'{}' is not an amount of memory (a whole number above zero, optionally K, M, G or T)", value);
}

void check_slurm_options(const SlurmOptions& o) {
  auto fail = [](const char* key, const std::string& problem) {
    if (!problem.empty()) throw std::invalid_argument(fmt::format("slurm option '{}': {}", key, problem));
  };
  fail("partition", slurm_partition_problem(o.partition));
  fail("time", slurm_time_problem(o.time));
  fail("mem", slurm_mem_problem(o.mem));
  if (o.cpus < 0 || o.cpus > 4096) fail("cpus", fmt::format("must be in [1, 4096], got {}", o.cpus));
  if (o.max_running < 0) fail("max-running", fmt::format("must be at least 0, got {}", o.max_running));
}

}  // namespace eqnca::experiments
