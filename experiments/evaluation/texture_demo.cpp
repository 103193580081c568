// The demo's texture part; see texture_demo.h for what it does and where it writes.
#include "experiments/evaluation/texture_demo.h"

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "experiments/evaluation/model_loading.h"
#include "experiments/evaluation/state_image.h"
#include "experiments/evaluation/texture_eval.h"
#include "experiments/io/atomic_file.h"
#include "experiments/io/data_path.h"
#include "experiments/io/image_io.h"
#include "experiments/io/run_log.h"
#include "experiments/training/stripes_target.h"
#include "experiments/training/texture_task.h"
#include "experiments/training/trainer.h"

namespace eqnca::experiments {
namespace {

namespace fs = std::filesystem;

}  // namespace

TrainConfig demo_texture_config(const DemoOptions& o, const std::string& model, const std::string& texture,
                                const std::string& out_dir) {
  TrainConfig c = demo_train_config(o, model, out_dir);
  c.task = "texture";
  c.texture_loss = "gram";
  c.target = texture;
  // The texture as a whole (a generated one is made at the grid's size, so the grid holds
  // whole periods); a 24x24 torus holds three stripe periods of 8 pixels.
  c.target_size = o.quick ? 12 : 24;
  c.grid = o.quick ? 12 : 24;
  c.min_steps = o.quick ? 8 : 24;
  c.max_steps = o.quick ? 12 : 32;
  c.mode = "persistent";
  c.loss = "mse";
  return c;
}

TextureDemoResult run_texture_demo(const DemoOptions& o, const std::string& out_dir, std::ostream& progress) {
  TextureDemoResult result;
  const fs::path dir = fs::path(out_dir) / "texture";
  ensure_writable_directory(dir.string());
  const int grid = demo_texture_config(o, o.models.front(), "", "").grid;
  if (o.texture_target == "stripes") {
    result.texture_path = (dir / "stripes.png").string();
    write_png(result.texture_path, stripes_image(grid, o.quick ? 4 : 8));
  } else {
    result.texture_path = resolve_data_file(o.texture_target);
  }
  const double budget_s = o.quick ? 2.0 : o.texture_minutes * 60.0;
  const groups::Group c4 = groups::Group::cyclic(4);
  std::vector<std::vector<RgbaImage>> rows;
  std::vector<TrainConfig> configs;
  for (const auto& name : o.models)
    configs.push_back(demo_texture_config(o, name, result.texture_path, (dir / name).string()));
  progress << fmt::format("--- training {} on the texture {} ---\n", fmt::join(o.models, " and "), result.texture_path);
  const std::vector<TrainResult> runs = train_models_for_budget(configs, budget_s, o.budget, progress);
  for (std::size_t i = 0; i < o.models.size(); ++i) {
    const std::string& name = o.models[i];
    const TrainConfig& config = configs[i];
    const TrainResult& trained = runs[i];

    ModelSource source;
    source.checkpoint = trained.checkpoint_path;
    LoadedModel loaded = load_model(source);
    EvalOptions eval;
    // Twice the longest training rollout: the pool's states have run for several rollouts, so
    // a fresh start needs longer than one to settle into the texture.
    eval.steps = 2 * config.max_steps;
    eval.seed = o.seed;
    eval.elements = c4.elements();  // the baseline is measured on the same rotations
    eval.start = texture_start(*loaded.model, "seed", grid, grid, o.seed);
    eval.texture = load_texture_target(result.texture_path, config.target_size);
    eval.texture_loss = config.texture_loss;

    DemoModelResult m;
    m.model = name;
    m.iterations = trained.iterations;
    m.train_s = trained.wall_s;
    m.final_train_loss = trained.final_loss;
    m.evaluation = evaluate_equivariance(loaded.model, eval);
    rows.emplace_back();
    for (const auto& e : m.evaluation.elements) rows.back().push_back(upscale(state_to_image(e.final_state), 4));
    result.models.push_back(std::move(m));
  }
  result.montage_path = (dir / "montage.png").string();
  write_png(result.montage_path, montage(rows, 4));
  return result;
}

void log_texture_demo(RunLog& log, const std::string& out_dir, const TextureDemoResult& result) {
  for (const auto& m : result.models)
    log_demo_model(log, "texture/" + m.model, (fs::path(out_dir) / "texture" / m.model / "run.h5").string(), m);
  log.set_attribute("texture", "target", result.texture_path);
}

void print_texture_demo(const TextureDemoResult& result, std::ostream& out) {
  out << fmt::format("--- texture: grown from the all-alive start turned by each element of C4 ({}) ---\n",
                     result.texture_path);
  for (const auto& m : result.models) {
    out << fmt::format("{} ({} iterations, {:.1f} s, final training loss {:.4g}):\n", m.model, m.iterations, m.train_s,
                       m.final_train_loss);
    out << fmt::format("  {:>8} {:>22} {:>22} {:>22}\n", "rotation", "equiv. error (shared)", "texture loss (turned)",
                       "texture loss (unturned)");
    for (const auto& e : m.evaluation.elements)
      out << fmt::format("  {:>7g}° {:>22.3e} {:>22.4g} {:>22.4g}\n", e.angle_deg, e.final_rel_error,
                         e.texture_loss_turned, e.texture_loss_unturned);
  }
  out << fmt::format("texture montage (rows: models; columns: start turned 0/90/180/270): {}\n", result.montage_path);
}

}  // namespace eqnca::experiments
