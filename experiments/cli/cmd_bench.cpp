// `eqnca bench`: growth and training throughput of one model (see bench_runner.h); --json prints
// the object bench/side_by_side.py compares with bench/distill_pytorch.py.
// Example: eqnca bench --model growing --batch 8 --size 72 --steps 64 --threads 2 --json
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/evaluation/bench_runner.h"
#include "models/model_factory.h"

namespace eqnca::experiments {
namespace {

void print_readable(const BenchResult& r, int repeats, std::ostream& out) {
  out << fmt::format(
      "eqnca ({} path, torch {}) {} NCA ({} parameters, task {}), device {}, {} threads, batch {}, {}x{}, "
      "{} steps, median of {}\n",
      r.path, r.torch_version, r.model, r.parameter_count, r.task, r.device, r.threads, r.batch, r.size, r.size,
      r.steps, repeats);
  if (r.multiply_adds_per_cell >= 0)
    out << fmt::format("  fused step: {} multiply-adds per cell update (forward)\n", r.multiply_adds_per_cell);
  if (r.growth_cell_updates_per_s >= 0)
    out << fmt::format("  growth: {:.4g} cell-updates/s\n", r.growth_cell_updates_per_s);
  if (r.train_s_per_iteration >= 0) out << fmt::format("  train:  {:.4g} s/iteration\n", r.train_s_per_iteration);
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Time growth (cell-updates/s) and training (s/iteration)");
  auto o = std::make_shared<BenchOptions>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--model", o->model, fmt::format("{}", fmt::join(models::model_names(), "|")))->capture_default_str();
  cmd->add_option("--task", o->task,
                  "grow (from the seed, MSE to a random target) | texture (all cells alive, circular padding, "
                  "Gram texture loss)")
      ->capture_default_str();
  cmd->add_option("--hidden-fields", o->hidden_fields,
                  "group models: hidden fields (0 = the model's default, as in eqnca train)")
      ->capture_default_str();
  cmd->add_option("--batch", o->batch, "states per batch")->capture_default_str();
  cmd->add_option("--size", o->size, "grid height = width")->capture_default_str();
  cmd->add_option("--steps", o->steps, "NCA steps per rollout")->capture_default_str();
  cmd->add_option("--threads", o->threads, "LibTorch CPU threads (0 = its default)")->capture_default_str();
  cmd->add_option("--device", o->device, "cpu|cuda")->capture_default_str();
  cmd->add_option("--repeats", o->repeats, "timed runs (the median is reported)")->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "untimed runs before timing")->capture_default_str();
  cmd->add_option("--mode", o->mode, "growth|train|both")->capture_default_str();
  cmd->add_option("--path", o->path, fmt::format("implementation: {}", fmt::join(bench_path_names(), "|")))
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "random seed")->capture_default_str();
  cmd->add_flag("--json", *json, "print one JSON object only");
  cmd->callback([o, json] {
    const BenchResult r = run_bench(*o);
    if (*json)
      std::cout << to_json(r) << "\n";
    else
      print_readable(r, o->repeats, std::cout);
  });
}

}  // namespace eqnca::experiments
