// `eqnca sweep --config sweep.toml --out DIR [--backend local|slurm]`: random hyperparameter
// search, every sampled set a normal `eqnca train` run in DIR/runs/<name>, run in parallel on
// this machine (N jobs x threads) or submitted as one Slurm job array, and collected into
// DIR/results.csv and DIR/sweep.h5. Re-running the same command skips finished runs and reruns
// missing or failed ones. The subcommands that work on an existing DIR (task, collect, report)
// live in cmd_sweep_folder.cpp.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/io/atomic_file.h"
#include "experiments/io/folder_lock.h"
#include "experiments/sweep/slurm_backend.h"
#include "experiments/sweep/sweep_runner.h"
#include "experiments/sweep/sweep_spec.h"

namespace eqnca::experiments {
namespace {

struct SweepArgs {
  std::string config, out, backend = "local";
  int jobs = -1;
  bool dry_run = false, wait = false;
  double poll_s = 5;
  // Slurm overrides of the file's [slurm] table; unset ones keep the file's values.
  std::string partition, time, mem;
  int cpus = 0, max_running = -1;
  bool gpu = false;
};

// A DIR that already holds a plan may only be continued by a sweep that plans its runs the same
// way (more sets or repeats are fine): otherwise old results would pass for new ones.
void check_same_sweep(const std::string& dir, const SweepPlan& plan) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "plan.json")) return;
  const SweepPlan old = read_plan(dir);
  for (const auto& run : old.runs) {
    const auto same = std::find_if(plan.runs.begin(), plan.runs.end(), [&](const PlannedRun& r) {
      return r.name == run.name && r.train_args == run.train_args;
    });
    if (same == plan.runs.end())
      throw std::invalid_argument(fmt::format(
          "'{}' holds another sweep (its run {} is planned differently now); use a new --out", dir, run.name));
  }
}

void run_on_slurm(const SweepArgs& a, const SweepSpec& spec, const SweepPlan& plan, const std::string& self) {
  const FolderLock lock(a.out);  // one submission at a time
  if (const std::string job = queued_sweep_job(a.out); !job.empty())
    throw std::runtime_error(fmt::format(
        "job {} of this sweep is still queued or running (squeue -j {}): wait for it, or scancel it", job, job));
  const std::vector<const PlannedRun*> todo = unfinished_runs(a.out, plan);
  if (todo.empty()) {
    report_collected(a.out, plan, true);
    return;
  }
  const std::string script = write_array_script(self, a.out, todo, spec.slurm, spec.threads);
  std::cout << fmt::format("sweep: {} of {} runs to do; job-array script {}\n", todo.size(), plan.runs.size(), script);
  if (a.dry_run) {
    std::cout << fmt::format("dry run: not submitted (submit it with: sbatch {})\n", script);
    return;
  }
  const std::string job = submit_array_script(a.out, script);
  std::cout << fmt::format("submitted job {} ({} array tasks; logs in {}/slurm/logs)\n", job, todo.size(), a.out)
            << std::flush;
  if (!a.wait) {
    std::cout << fmt::format("when it has finished: eqnca sweep collect {} (or run this command again)\n", a.out);
    return;
  }
  wait_for_job(job, a.poll_s);
  report_collected(a.out, plan, true);
}

void run(SweepArgs a) {
  SweepSpec spec = load_sweep_spec(a.config);
  SlurmOptions& s = spec.slurm;
  if (!a.partition.empty()) s.partition = a.partition;
  if (!a.time.empty()) s.time = a.time;
  if (!a.mem.empty()) s.mem = a.mem;
  if (a.cpus > 0) s.cpus = a.cpus;
  if (a.max_running >= 0) s.max_running = a.max_running;
  s.gpu = s.gpu || a.gpu;
  check_slurm_options(s);
  if (a.backend != "slurm" && a.dry_run) throw std::invalid_argument("--dry-run needs --backend slurm");
  const SweepPlan plan = make_plan(spec, plan_sweep(spec));  // every check before anything runs
  ensure_writable_directory(a.out);
  check_same_sweep(a.out, plan);
  write_plan(a.out, plan);
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  if (a.backend == "slurm") {
    run_on_slurm(a, spec, plan, self);
    return;
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int n = a.jobs > 0 ? a.jobs : spec.jobs > 0 ? spec.jobs : std::max(1, cores / spec.threads);
  std::cout << fmt::format("sweep: {} runs, {} at a time x {} threads\n", plan.runs.size(), n, spec.threads)
            << std::flush;
  run_sweep_locally(self, a.out, plan, n, spec.threads);
  report_collected(a.out, plan, true);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "Random hyperparameter search: many `eqnca train` runs, one results table");
  auto a = std::make_shared<SweepArgs>();
  cmd->add_option("--config", a->config, "sweep file (TOML: base, sets, repeats, targets, [options.<name>], [slurm])");
  cmd->add_option("--out", a->out, "sweep folder (plan.json, runs/<name>/ per run, results.csv, sweep.h5)");
  cmd->add_option("--backend", a->backend, "where runs run: local (this machine) or slurm (one job array)")
      ->check(CLI::IsMember({"local", "slurm"}))
      ->capture_default_str();
  cmd->add_option("--jobs", a->jobs, "local backend: runs at a time (default: the file's jobs, else cores / threads)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--dry-run", a->dry_run, "slurm: write DIR/slurm/array.sbatch but do not submit it");
  cmd->add_flag("--wait", a->wait, "slurm: wait for the job array to finish, then collect the results");
  cmd->add_option("--poll", a->poll_s, "slurm --wait: seconds between squeue checks")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--partition", a->partition, "slurm: partition (default: the file's, else the cluster's default)");
  cmd->add_option("--time", a->time, "slurm: time limit per run, as sbatch --time (default: the file's, else 1:00:00)");
  cmd->add_option("--mem", a->mem, "slurm: memory per run, as sbatch --mem (default: the file's, else 4G)");
  cmd->add_option("--cpus-per-task", a->cpus, "slurm: CPUs per run, also its LibTorch threads (default: threads)")
      ->check(CLI::Range(1, 4096));
  cmd->add_flag("--gpu", a->gpu, "slurm: ask for one GPU per run (--gres=gpu:1)");
  cmd->add_option("--max-running", a->max_running, "slurm: array tasks running at once (0: no limit)")
      ->check(CLI::Range(0, 1000000));
  add_sweep_folder_commands(*cmd);
  cmd->callback([cmd, a] {
    if (!cmd->get_subcommands().empty()) return;  // task, collect or report ran instead
    if (a->config.empty() || a->out.empty())
      throw std::invalid_argument("sweep needs --config FILE and --out DIR (or one of: task, collect, report)");
    run(*a);
  });
}

}  // namespace eqnca::experiments
