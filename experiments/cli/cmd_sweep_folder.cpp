// The `eqnca sweep` subcommands that work on an existing sweep folder, from its plan.json alone:
//   eqnca sweep task DIR --run NAME [--threads N]  one run (what each local worker and each Slurm
//                                                  array task runs)
//   eqnca sweep collect DIR                        results.csv and sweep.h5 from the finished runs
//   eqnca sweep report DIR                         seed 004's figures, PNGs in DIR/report/
// The figures are drawn by scripts/sweep_figures.py (python3-matplotlib), found beside the source
// tree or an installed copy like data files (experiments/io/data_path.h), and run with
// $EQNCA_PYTHON, else /usr/bin/python3, else python3 from PATH.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/io/data_path.h"
#include "experiments/sweep/child_process.h"
#include "experiments/sweep/results_h5.h"
#include "experiments/sweep/results_table.h"
#include "experiments/sweep/slurm_backend.h"
#include "experiments/sweep/sweep_runner.h"

namespace eqnca::experiments {
namespace fs = std::filesystem;

void report_collected(const std::string& dir, const SweepPlan& plan, bool fail_if_unfinished) {
  const ResultsTable table = collect_results(dir, plan);
  write_results_csv(dir, table);
  write_results_h5(dir, table);
  const ResultCounts n = count_results(table);
  const size_t total = table.rows.size();
  std::cout << fmt::format("{} runs: {} ok, {} failed, {} not finished\nresults: {}/results.csv, {}/sweep.h5\n", total,
                           n.ok, n.failed, n.missing, dir, dir)
            << std::flush;  // before any child process writes to the same stream
  if (!fail_if_unfinished) return;
  if (n.missing > 0)
    throw std::runtime_error(fmt::format("{} of {} runs failed and {} have no result yet (see {}/results.csv)",
                                         n.failed, total, n.missing, dir));
  if (n.failed > 0)
    throw std::runtime_error(
        fmt::format("{} of {} runs failed (see the error column of {}/results.csv)", n.failed, total, dir));
}

namespace {

void add_task(CLI::App& sweep) {
  auto* cmd = sweep.add_subcommand("task", "Run one run of a sweep folder (what each Slurm array task runs)");
  auto dir = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(0);
  cmd->add_option("dir", *dir, "sweep folder")->required();
  cmd->add_option("--run", *name, "the run's name (a folder under DIR/runs)")->required();
  cmd->add_option("--threads", *threads, "LibTorch threads (default: the sweep's threads)")->check(CLI::Range(1, 4096));
  cmd->callback([dir, name, threads] {
    const SweepPlan plan = read_plan(*dir);
    const PlannedRun& run = find_run(plan, *name);
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    const RunOutcome o = run_task(self, *dir, plan, run, *threads > 0 ? *threads : plan.threads);
    std::cout << fmt::format("{}: {} in {:.1f} s, final loss {:.6g}\n", run.name, o.status, o.wall_s, o.final_loss);
    if (o.status != "ok") throw std::runtime_error(fmt::format("run {} failed: {}", run.name, o.error));
  });
}

void add_collect(CLI::App& sweep) {
  auto* cmd = sweep.add_subcommand("collect", "Gather a sweep folder's finished runs into results.csv and sweep.h5");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("dir", *dir, "sweep folder")->required();
  cmd->callback([dir] {
    const SweepPlan plan = read_plan(*dir);
    if (const std::string job = queued_sweep_job(*dir); !job.empty())
      std::cout << fmt::format("job {} is still queued or running: these results are partial\n", job);
    report_collected(*dir, plan, true);
  });
}

void add_report(CLI::App& sweep) {
  auto* cmd = sweep.add_subcommand("report", "Draw a sweep's figures (loss against each option, per target) as PNGs");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("dir", *dir, "sweep folder")->required();
  cmd->callback([dir] {
    report_collected(*dir, read_plan(*dir), false);
    const std::string script = resolve_data_file("scripts/sweep_figures.py");
    const std::string out = (fs::path(*dir) / "report").string();
    const std::string err = (fs::path(*dir) / "report.err").string();
    // Debian's python3 is the one apt's matplotlib belongs to (a pyenv one may shadow it in PATH).
    const char* env = std::getenv("EQNCA_PYTHON");
    const std::string python = env && *env ? env : fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const ChildResult r = run_child({python, script, (fs::path(*dir) / "results.csv").string(), out}, "", err);
    if (!r.started) throw std::runtime_error(r.start_error + " (sweep report needs python3 with matplotlib)");
    const std::string why = last_line_of(err);
    if (r.exit_code != 0)
      throw std::runtime_error(why.empty() ? fmt::format("{} ended with status {}", script, r.exit_code) : why);
    fs::remove(err);
  });
}

}  // namespace

void add_sweep_folder_commands(CLI::App& sweep) {
  add_task(sweep);
  add_collect(sweep);
  add_report(sweep);
}

}  // namespace eqnca::experiments
