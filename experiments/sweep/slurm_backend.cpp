// Job-array scripts, sbatch and squeue; see slurm_backend.h.
#include "experiments/sweep/slurm_backend.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "experiments/io/atomic_file.h"
#include "experiments/sweep/child_process.h"

namespace eqnca::experiments {
namespace fs = std::filesystem;
namespace {

// A word for bash: single quotes, with each ' written as '\''.
std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// sbatch splits #SBATCH lines at white space and expands % in --output: keep such paths out.
void check_directive_path(const std::string& path, const char* what) {
  if (path.find_first_of(" \t\n\r%'\"\\") != std::string::npos)
    throw std::invalid_argument(fmt::format(
        "slurm backend: the {} '{}' contains a space, quote, backslash or %, which a #SBATCH line cannot carry", what,
        path));
}

std::string job_id_path(const std::string& dir) { return (fs::path(dir) / "slurm" / "job_id").string(); }

}  // namespace

std::string write_array_script(const std::string& eqnca, const std::string& dir,
                               const std::vector<const PlannedRun*>& runs, const SlurmOptions& o, int threads) {
  const std::string abs = fs::absolute(dir).lexically_normal().string();
  check_directive_path(abs, "sweep folder");
  const int cpus = o.cpus > 0 ? o.cpus : threads;
  fs::create_directories(fs::path(abs) / "slurm" / "logs");
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# Written by `eqnca sweep --backend slurm` for " << abs << ": one array task per unfinished run.\n"
    << "# Each task trains its run in runs/<name> and writes runs/<name>/sweep_result.json; when the\n"
    << "# array has finished, `eqnca sweep collect " << abs << "` gathers them into results.csv.\n"
    << "#SBATCH --job-name=eqnca-sweep\n"
    << "#SBATCH --array=0-" << runs.size() - 1 << (o.max_running > 0 ? fmt::format("%{}", o.max_running) : "") << "\n"
    << "#SBATCH --time=" << o.time << "\n"
    << "#SBATCH --mem=" << o.mem << "\n"
    << "#SBATCH --cpus-per-task=" << cpus << "\n";
  if (!o.partition.empty()) s << "#SBATCH --partition=" << o.partition << "\n";
  if (o.gpu) s << "#SBATCH --gres=gpu:1\n";
  s << "#SBATCH --output=" << abs << "/slurm/logs/%A_%a.out\n"
    << "set -euo pipefail\n"
    << "runs=(\n";
  for (const PlannedRun* r : runs) s << "  " << shell_quote(r->name) << "\n";
  s << ")\n"
    << "exec " << shell_quote(eqnca) << " sweep task " << shell_quote(abs)
    << " --run \"${runs[$SLURM_ARRAY_TASK_ID]}\" --threads \"${SLURM_CPUS_PER_TASK:-" << cpus << "}\"\n";
  const std::string path = (fs::path(abs) / "slurm" / "array.sbatch").string();
  write_file_atomically(path, [&s](const std::string& tmp) { std::ofstream(tmp) << s.str(); });
  fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
  return path;
}

std::string submit_array_script(const std::string& dir, const std::string& script) {
  const CapturedChild c = capture_child({"sbatch", "--parsable", script});
  if (!c.result.started)
    throw std::runtime_error(c.result.start_error + " (is Slurm installed here? --dry-run only writes the script)");
  std::string id = c.out.substr(0, c.out.find_first_of(";\n"));  // "123" or "123;cluster"
  if (c.result.exit_code != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    std::string why = c.err.empty() ? c.out : c.err;
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
    why = why.substr(why.rfind('\n') == std::string::npos ? 0 : why.rfind('\n') + 1);
    throw std::runtime_error(fmt::format("sbatch {} failed (status {}): {}", script, c.result.exit_code, why));
  }
  write_file_atomically(job_id_path(dir), [&id](const std::string& tmp) { std::ofstream(tmp) << id << "\n"; });
  return id;
}

std::string queued_sweep_job(const std::string& dir) {
  std::ifstream in(job_id_path(dir));
  std::string id;
  if (!(in >> id)) return "";
  // squeue fails for a job it has forgotten: then the job is certainly not queued.
  const CapturedChild c = capture_child({"squeue", "-h", "-j", id, "-o", "%i"});
  if (!c.result.started || c.result.exit_code != 0) return "";
  return c.out.find_first_not_of(" \n") == std::string::npos ? "" : id;
}

void wait_for_job(const std::string& job_id, double poll_s) {
  for (;;) {
    const CapturedChild c = capture_child({"squeue", "-h", "-j", job_id, "-o", "%i"});
    if (!c.result.started) throw std::runtime_error(c.result.start_error);
    if (c.result.exit_code != 0 || c.out.find_first_not_of(" \n") == std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::duration<double>(poll_s));
  }
}

}  // namespace eqnca::experiments
