// `eqnca equivariance`: measures rollout equivariance of a checkpoint or of a model with random
// weights (see equivariance_eval.h), prints a table or JSON, and optionally logs eval/... arrays
// into a run log. Example: eqnca equivariance --model c4 --init random --steps 32 --json
// Texture models (a texture run's checkpoint, or --task texture --target FILE.png with --model,
// built with circular padding) grow from the all-alive texture start or from noise (--start) and
// add the texture losses against the turned and the unturned texture (texture_eval.h).
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/evaluation/equivariance_eval.h"
#include "experiments/evaluation/model_loading.h"
#include "experiments/evaluation/texture_eval.h"
#include "experiments/io/data_path.h"
#include "experiments/io/run_log.h"
#include "experiments/training/texture_task.h"
#include "layers/padding.h"

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
  std::string task;            // empty: the run's task, or grow for --model
  std::string start = "seed";  // seed | noise
  std::string target;          // texture PNG (--task texture with --model; overrides a run's)
  int target_size = -1;        // -1: the run's, or 40 (TrainConfig's default) for --model
  std::string texture_loss;    // empty: the run's, or gram
};

std::string element_label(const ElementResult& e) {
  return fmt::format("{:g}deg{}", e.angle_deg, e.reflection ? "+mirror" : "");
}

void print_table(const EquivarianceSummary& s, std::ostream& out) {
  out << fmt::format("model {} (group {}), {} steps; relative error ||F(g.s) - g.F(s)|| / ||F(s)||\n", s.model, s.group,
                     s.steps);
  out << fmt::format("{:<16} {:>5} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}\n", "element", "exact", "max (shared)",
                     "final (shared)", "final (indep.)", "rot. target", "tex. turned", "tex. unturned");
  auto number = [](double v) { return std::isnan(v) ? std::string("-") : fmt::format("{:.4g}", v); };
  for (const auto& e : s.elements) {
    const std::string loss = e.rotated_target_loss.empty() ? "-" : number(e.rotated_target_loss.back());
    out << fmt::format("{:<16} {:>5} {:>14.3e} {:>14.3e} {:>14.3e} {:>14} {:>14} {:>14}\n", element_label(e),
                       e.exact ? "yes" : "no", e.max_rel_error, e.final_rel_error, e.rel_error_independent_mask.back(),
                       loss, number(e.texture_loss_turned), number(e.texture_loss_unturned));
  }
}

void log_summary(const EquivarianceSummary& s, const std::string& path) {
  RunLog log = std::filesystem::exists(path) ? RunLog::open_existing(path)
                                             : RunLog::create(path, "# eqnca equivariance evaluation\n");
  log_equivariance(log, "eval/equivariance", s);
  log.flush();
}

// The texture target and its loss for a texture model: --target / --target-size / --texture-loss
// where given, else the run's. Leaves options.texture undefined when a run's PNG is not found.
void set_texture(const EquivarianceArgs& a, const LoadedModel& loaded, EvalOptions& options) {
  if (loaded.model->padding() != layers::Padding::Circular)
    throw std::runtime_error(fmt::format("checkpoint '{}': a texture model must use circular padding, got {}",
                                         a.source.checkpoint, layers::padding_name(loaded.model->padding())));
  const std::optional<TrainConfig>& trained = loaded.config;
  std::string path = a.target.empty() ? "" : resolve_data_file(a.target);
  if (path.empty() && trained) path = find_data_file(trained->target);
  if (path.empty() && !trained) throw std::invalid_argument("--task texture with --model needs --target FILE.png");
  options.texture_loss = !a.texture_loss.empty() ? a.texture_loss : trained ? trained->texture_loss : "gram";
  // A run is scored over the features it trained with (VGG16's from its weights file).
  if (trained) options.texture_features = make_texture_features(trained->texture_features, trained->vgg16_weights);
  if (path.empty()) return;
  const int target_size = a.target_size >= 0 ? a.target_size
                          : trained          ? trained->target_size
                                             : TrainConfig().target_size;
  options.texture = load_texture_target(path, target_size);
}

void run(const EquivarianceArgs& a) {
  if (!a.task.empty() && a.task != "grow" && a.task != "texture")
    throw std::invalid_argument(fmt::format("--task must be grow or texture, got '{}'", a.task));
  if (a.start != "seed" && a.start != "noise")
    throw std::invalid_argument(fmt::format("--start must be seed or noise, got '{}'", a.start));
  ModelSource source = a.source;
  // A texture has no border: texture models run on circular padding, as they train.
  if (a.task == "texture" && source.checkpoint.empty()) source.padding = "circular";
  LoadedModel loaded = load_model(source);
  const std::string run_task = loaded.config ? loaded.config->task : "grow";
  const std::string task = a.task.empty() ? run_task : a.task;
  if (loaded.config && task != run_task)
    throw std::invalid_argument(
        fmt::format("--task {} but checkpoint '{}' is a {} run", task, a.source.checkpoint, run_task));
  if (task != "texture" && (!a.target.empty() || !a.texture_loss.empty() || a.target_size >= 0))
    throw std::invalid_argument("--target, --target-size and --texture-loss apply to --task texture");
  EvalOptions options;
  options.steps = a.steps;
  options.seed = a.source.seed;
  int size = a.size;
  if (loaded.config) {
    if (size == 0) size = loaded.config->grid_size();
    // The rotated-target loss needs the run's target on the run's grid.
    if (task == "grow" && size == loaded.config->grid_size()) options.target = load_run_target(*loaded.config);
  }
  if (size == 0) size = 33;
  options.height = options.width = size;
  if (task == "texture") {
    set_texture(a, loaded, options);
    options.start = texture_start(*loaded.model, a.start, size, size, a.source.seed);
  } else if (a.start == "noise") {
    options.start = noise_start(loaded.model->channels(), size, size, a.source.seed);
  }
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
  cmd->add_option("--task", a->task, "grow | texture (default: the run's task, or grow for --model)");
  cmd->add_option("--start", a->start,
                  "seed (the model's seed; for textures the seed cell everywhere) | noise (RGBA uniform in [0, 1), "
                  "hidden channels in [-1, 1))")
      ->capture_default_str();
  cmd->add_option("--target", a->target, "texture PNG for --task texture (default: the run's)");
  cmd->add_option("--target-size", a->target_size, "texture: longest side after shrinking (default: the run's, or 40)")
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--texture-loss", a->texture_loss, "texture: gram | sliced_wasserstein (default: the run's)");
  cmd->add_flag("--json", a->json, "print the summary as one JSON object");
  cmd->add_option("--out", a->out, "run log (.h5) to add eval/equivariance/... to (created if missing)");
  cmd->callback([a] { run(*a); });
}

}  // namespace eqnca::experiments
