// `eqnca grow`: grows an NCA from a (possibly rotated) seed and writes what it looks like:
// PNG frames every --frame-every steps, a contact sheet of them, a looping GIF, and growth.h5
// (the frames' RGBA as "growth/rgba" (frames, 4, H, W), their steps "growth/steps", and the
// JSON outcome as the attribute "growth"/"summary_json", for plotting scripts); optionally
// with circular damage at one step to show regeneration. For a checkpoint whose target PNG is
// found, it also reports the final state's loss (RGBA MSE) against the target turned by the
// seed's element, so damaged and undamaged growth can be compared (--json: one JSON object).
// Example: eqnca grow --checkpoint runs/c4/checkpoint.pt --angle 90 --steps 96 --out runs/grow
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <torch/utils.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "experiments/cli/commands.h"
#include "experiments/evaluation/model_loading.h"
#include "experiments/evaluation/state_image.h"
#include "experiments/io/atomic_file.h"
#include "experiments/io/gif_writer.h"
#include "experiments/io/image_io.h"
#include "experiments/io/run_log.h"
#include "layers/grid_action.h"

namespace eqnca::experiments {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct GrowArgs {
  ModelSource source;
  int rotate_element = -1;  // index into a finite group's elements
  double angle = 0.0;       // degrees, when no element index is given
  bool mirror = false;
  int steps = 96;
  int size = 0;  // 0: the run's grid, or 72 for --model
  int damage_at = -1;
  double damage_radius = 0.0;         // cells; 0 = a sixth of the grid
  std::vector<double> damage_center;  // (column, row); default the grid centre
  int frame_every = 4;
  int scale = 4;
  int columns = 8;
  bool json = false;
  std::string out;
};

// MSE of the state's RGBA against the run's target turned by g; NaN without a run target of the
// state's size.
double loss_against_turned_target(const LoadedModel& loaded, const torch::Tensor& state,
                                  const groups::GroupElement& g) {
  if (!loaded.config) return NAN;
  torch::Tensor target = load_run_target(*loaded.config);
  if (!target.defined()) return NAN;
  if (target.dim() == 3) target = target.unsqueeze(0);
  if (target.size(-1) != state.size(-1) || target.size(-2) != state.size(-2)) return NAN;
  const torch::Tensor turned = layers::rotate_grid(target.to(state.options()), g);
  return (state.slice(1, 0, 4) - turned).pow(2).mean().item<double>();
}

groups::GroupElement chosen_element(const GrowArgs& a, const models::NcaModelImpl& model) {
  const groups::Group g = model.group();
  if (a.rotate_element >= 0) {
    if (!g.finite() || a.rotate_element >= g.size())
      throw std::invalid_argument(fmt::format("--rotate-element {} is not an element index of group {}{}",
                                              a.rotate_element, g.name(),
                                              g.finite() ? fmt::format(" (0..{})", g.size() - 1) : " (use --angle)"));
    return g.element(a.rotate_element);
  }
  // The model's own element when the angle is one (so rho(g) orients the seed); any other
  // angle still rotates a grid, as an O(2) element.
  const double radians = a.angle * kPi / 180.0;
  if (g.finite() && g.size() > 1) {
    try {
      return g.element_at(radians, a.mirror);
    } catch (const std::invalid_argument&) {
    }
  }
  return groups::Group::o2(1).element_at(radians, a.mirror);
}

void run(const GrowArgs& a) {
  if (a.out.empty()) throw std::invalid_argument("grow: --out DIR is required");
  LoadedModel loaded = load_model(a.source);
  auto& model = *loaded.model;
  int size = a.size > 0 ? a.size : (loaded.config ? loaded.config->grid_size() : 72);
  const groups::GroupElement g = chosen_element(a, model);
  ensure_writable_directory(a.out);

  torch::NoGradGuard no_grad;
  torch::manual_seed(a.source.seed);
  const auto opts = model.parameters().empty() ? torch::TensorOptions() : model.parameters()[0].options();
  torch::Tensor state = model.seed(1, size, size, g).to(opts);
  std::vector<RgbaImage> frames{state_to_image(state)};
  std::vector<float> rgba;  // every frame's RGBA, for growth.h5
  std::vector<float> frame_steps;
  auto keep_rgba = [&](int step) {
    const torch::Tensor x = state.slice(1, 0, 4).to(torch::kFloat).contiguous().cpu();
    rgba.insert(rgba.end(), x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    frame_steps.push_back(float(step));
  };
  keep_rgba(0);
  std::vector<std::string> frame_paths;
  auto save_frame = [&](int step) {
    const std::string path = (std::filesystem::path(a.out) / fmt::format("frame_{:04d}.png", step)).string();
    write_png(path, upscale(frames.back(), a.scale));
    frame_paths.push_back(path);
  };
  save_frame(0);
  model.begin_rollout();
  for (int t = 1; t <= a.steps; ++t) {
    if (t - 1 == a.damage_at) {
      const double r = a.damage_radius > 0 ? a.damage_radius : size / 6.0;
      const double cx = a.damage_center.size() == 2 ? a.damage_center[0] : (size - 1) / 2.0;
      const double cy = a.damage_center.size() == 2 ? a.damage_center[1] : (size - 1) / 2.0;
      state = damage_circle(state, cx, cy, r);
    }
    state = model.step(state);
    if (t % a.frame_every == 0 || t == a.steps) {
      frames.push_back(state_to_image(state));
      save_frame(t);
      keep_rgba(t);
    }
  }
  model.end_rollout();

  std::vector<std::vector<RgbaImage>> rows;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i % a.columns == 0) rows.emplace_back();
    rows.back().push_back(upscale(frames[i], std::max(1, a.scale / 2)));
  }
  const std::string sheet = (std::filesystem::path(a.out) / "contact_sheet.png").string();
  const std::string gif = (std::filesystem::path(a.out) / "growth.gif").string();
  write_png(sheet, montage(rows, 2));
  write_gif(gif, frames, 8, a.scale);
  const double loss = loss_against_turned_target(loaded, state, g);
  nlohmann::ordered_json j{{"model", model.name()},    {"element", groups::describe(g)}, {"steps", a.steps},
                           {"damage_at", a.damage_at}, {"contact_sheet", sheet},         {"animation", gif}};
  j["loss"] = std::isfinite(loss) ? nlohmann::ordered_json(loss) : nlohmann::ordered_json(nullptr);
  j["angle_deg"] = g.angle * 180.0 / kPi;
  j["mirror"] = g.reflection;
  const std::string h5 = (std::filesystem::path(a.out) / "growth.h5").string();
  write_file_atomically(h5, [&](const std::string& tmp) {
    RunLog log = RunLog::create(tmp, "");
    log.write_array("growth/rgba", rgba,
                    {hsize_t(frame_steps.size()), 4, hsize_t(state.size(2)), hsize_t(state.size(3))});
    log.write_array("growth/steps", frame_steps, {hsize_t(frame_steps.size())});
    log.set_attribute("growth", "summary_json", j.dump());
    log.flush();
  });
  if (a.json) {
    j["frames_h5"] = h5;
    std::cout << j.dump() << "\n";
    return;
  }
  if (std::isfinite(loss)) std::cout << fmt::format("loss against the target turned likewise: {:.6g}\n", loss);
  std::cout << fmt::format(
      "grew {} ({}) for {} steps from the seed at {}\n{} frames: {} .. {}\ncontact sheet: {}\n"
      "animation: {}\nframes (HDF5): {}\n",
      model.name(), model.group().name(), a.steps, groups::describe(g), frame_paths.size(), frame_paths.front(),
      frame_paths.back(), sheet, gif, h5);
}

}  // namespace

void add_grow_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("grow", "Grow an NCA from a (rotated) seed; write frames, a contact sheet and a GIF");
  auto a = std::make_shared<GrowArgs>();
  add_model_source_options(*cmd, a->source);
  auto* element = cmd->add_option("--rotate-element", a->rotate_element,
                                  "orient the seed by this element index of a finite group (r + N*mirror)");
  auto* angle =
      cmd->add_option("--angle", a->angle, "orient the seed by this rotation in degrees")->capture_default_str();
  element->excludes(angle);
  cmd->add_flag("--mirror", a->mirror, "mirror the seed too (with --angle)");
  cmd->add_option("--steps", a->steps, "NCA steps")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--size", a->size, "grid side (0: the run's grid, or 72 for --model)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--damage-at", a->damage_at, "cut a circular hole before this step (-1 = never)")
      ->capture_default_str();
  cmd->add_option("--damage-radius", a->damage_radius, "hole radius in cells (0 = a sixth of the grid)")
      ->capture_default_str();
  cmd->add_option("--damage-center", a->damage_center, "hole centre X,Y in cells (default: the grid centre)")
      ->delimiter(',')
      ->expected(2);
  cmd->add_option("--frame-every", a->frame_every, "write every k-th step as a frame")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--scale", a->scale, "pixel upscale of frames and the GIF")
      ->capture_default_str()
      ->check(CLI::Range(1, 32));
  cmd->add_option("--columns", a->columns, "frames per contact-sheet row")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--seed", a->source.seed, "seed of the update masks and of random weights")->capture_default_str();
  cmd->add_flag("--json", a->json, "print the outcome (element, steps, damage, loss vs the turned target) as JSON");
  cmd->add_option("--out", a->out, "output folder")->required();
  cmd->callback([a] { run(*a); });
}

}  // namespace eqnca::experiments
