// `eqnca sweep --config sweep.toml --out DIR`: random hyperparameter search, every sampled set
// a normal `eqnca train` run in DIR/runs/<name>, run in parallel on this machine (N jobs x
// threads) and collected into DIR/results.csv. Re-running the same command skips finished runs.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/io/atomic_file.h"
#include "experiments/sweep/sweep_runner.h"
#include "experiments/sweep/sweep_spec.h"

namespace eqnca::experiments {

void add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "Random hyperparameter search: many `eqnca train` runs, one results table");
  auto config = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto backend = std::make_shared<std::string>("local");
  auto jobs = std::make_shared<int>(-1);
  cmd->add_option("--config", *config, "sweep file (TOML: base, sets, repeats, targets, [options.<name>])")->required();
  cmd->add_option("--out", *out, "sweep folder (runs/<name>/ per run, results.csv)")->required();
  cmd->add_option("--backend", *backend, "where runs run: local")->check(CLI::IsMember({"local"}));
  cmd->add_option("--jobs", *jobs, "local backend: runs at a time (default: the file's jobs, else cores / threads)")
      ->check(CLI::Range(1, 1024));
  cmd->callback([config, out, backend, jobs] {
    const SweepSpec spec = load_sweep_spec(*config);
    const std::vector<PlannedRun> runs = plan_sweep(spec);  // every check before anything runs
    ensure_writable_directory(*out);
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int n = *jobs > 0 ? *jobs : spec.jobs > 0 ? spec.jobs : std::max(1, cores / spec.threads);
    std::cout << fmt::format("sweep: {} runs, {} at a time x {} threads\n", runs.size(), n, spec.threads) << std::flush;
    const int failed = run_sweep_locally(self, *out, runs, n, spec.threads);
    write_results_csv(*out, spec, runs);
    std::cout << fmt::format("{} runs, {} failed\nresults: {}/results.csv\n", runs.size(), failed, *out);
    if (failed > 0)
      throw std::runtime_error(
          fmt::format("{} of {} runs failed (see the error column of {}/results.csv)", failed, runs.size(), *out));
  });
}

}  // namespace eqnca::experiments
