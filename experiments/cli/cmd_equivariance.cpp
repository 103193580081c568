// `eqnca equivariance`: measures rollout equivariance of a checkpoint or of a model with random
// weights (see equivariance_eval.h), prints a table or JSON, and optionally logs eval/... arrays
// into a run log. Example: eqnca equivariance --model c4 --init random --steps 32 --json
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/evaluation/equivariance_eval.h"
#include "experiments/evaluation/model_loading.h"
#include "experiments/io/run_log.h"

namespace eqnca::experiments {
namespace {

struct EquivarianceArgs {
  ModelSource source;
  int steps = 32;
  int size = 0;  // 0: the run's grid for checkpoints, 33 otherwise
  std::vector<double> angles;
  bool mirror = false;
  bool json = false;
  std::string out;
};

std::string element_label(const ElementResult& e) {
  return fmt::format("{:g}deg{}", e.angle_deg, e.reflection ? "+mirror" : "");
}

void print_table(const EquivarianceSummary& s, std::ostream& out) {
  out << fmt::format("model {} (group {}), {} steps; relative error ||F(g.s) - g.F(s)|| / ||F(s)||\n", s.model, s.group,
                     s.steps);
  out << fmt::format("{:<16} {:>5} {:>14} {:>14} {:>14} {:>14}\n", "element", "exact", "max (shared)", "final (shared)",
                     "final (indep.)", "rot. target");
  for (const auto& e : s.elements) {
    const std::string loss = e.rotated_target_loss.empty() ? "-" : fmt::format("{:.4g}", e.rotated_target_loss.back());
    out << fmt::format("{:<16} {:>5} {:>14.3e} {:>14.3e} {:>14.3e} {:>14}\n", element_label(e), e.exact ? "yes" : "no",
                       e.max_rel_error, e.final_rel_error, e.rel_error_independent_mask.back(), loss);
  }
}

void log_summary(const EquivarianceSummary& s, const std::string& path) {
  RunLog log = std::filesystem::exists(path) ? RunLog::open_existing(path)
                                             : RunLog::create(path, "# eqnca equivariance evaluation\n");
  log_equivariance(log, "eval/equivariance", s);
  log.flush();
}

void run(const EquivarianceArgs& a) {
  LoadedModel loaded = load_model(a.source);
  EvalOptions options;
  options.steps = a.steps;
  options.seed = a.source.seed;
  int size = a.size;
  if (loaded.config) {
    if (size == 0) size = loaded.config->grid_size();
    // The rotated-target loss needs the run's target on the run's grid.
    if (size == loaded.config->grid_size()) options.target = load_run_target(*loaded.config);
  }
  if (size == 0) size = 33;
  options.height = options.width = size;
  if (!a.angles.empty() || a.mirror)
    options.elements = elements_for(*loaded.model, a.angles.empty() ? default_angles() : a.angles,
                                    a.mirror || loaded.model->group().has_reflections());
  const EquivarianceSummary summary = evaluate_equivariance(loaded.model, options);
  if (a.json)
    std::cout << to_json(summary) << "\n";
  else
    print_table(summary, std::cout);
  if (!a.out.empty()) {
    log_summary(summary, a.out);
    if (!a.json) std::cout << "logged eval/equivariance/... to " << a.out << "\n";
  }
}

}  // namespace

void add_equivariance_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("equivariance", "Measure how equivariant an NCA's rollouts are");
  auto a = std::make_shared<EquivarianceArgs>();
  add_model_source_options(*cmd, a->source);
  cmd->add_option("--steps", a->steps, "NCA steps per rollout")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--size", a->size, "grid side (0: the run's grid, or 33 for --model; odd sizes centre the seed)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--angles", a->angles,
                  "rotation angles in degrees (default: every element of a finite group, else 90 180 270 45 22.5)")
      ->delimiter(',');
  cmd->add_flag("--mirror", a->mirror, "also test the mirrored elements");
  cmd->add_option("--seed", a->source.seed, "seed of the update masks and of random weights")->capture_default_str();
  cmd->add_flag("--json", a->json, "print the summary as one JSON object");
  cmd->add_option("--out", a->out, "run log (.h5) to add eval/equivariance/... to (created if missing)");
  cmd->callback([a] { run(*a); });
}

}  // namespace eqnca::experiments
