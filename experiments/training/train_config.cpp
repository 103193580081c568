// Range checks, TOML output and CLI11 binding of TrainConfig (see train_config.h).
#include "experiments/training/train_config.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>

#include "experiments/io/data_path.h"

namespace eqnca::experiments {
namespace {

void check_int(const char* option, long long value, long long lo, long long hi) {
  if (value < lo || value > hi)
    throw std::invalid_argument(fmt::format("{} must be in [{}, {}], got {}", option, lo, hi, value));
}

// Open at 0 (a rate or learning rate of 0 trains nothing), closed at hi.
void check_positive(const char* option, double value, double hi) {
  if (!(std::isfinite(value) && value > 0.0 && value <= hi))
    throw std::invalid_argument(fmt::format("{} must be in (0, {}], got {}", option, hi, value));
}

// 0 (the default) or as check_positive.
void check_positive_or_default(const char* option, double value, double hi) {
  if (value == 0.0 || (std::isfinite(value) && value > 0.0 && value <= hi)) return;
  throw std::invalid_argument(fmt::format("{} must be 0 (the default) or in (0, {}], got {}", option, hi, value));
}

void check_choice(const char* option, const std::string& value, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end())
    throw std::invalid_argument(fmt::format("{} must be one of {}, got '{}'", option, fmt::join(allowed, "|"), value));
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void TrainConfig::validate() const {
  check_choice("--task", task, {"grow", "texture"});
  check_choice("--texture-loss", texture_loss, {"gram", "sliced_wasserstein"});
  check_choice("--texture-features", texture_features, {"random", "vgg16"});
  if (task == "texture" && texture_features == "vgg16") {
    if (vgg16_weights.empty())
      throw std::invalid_argument(
          "--texture-features vgg16 needs --vgg16-weights FILE.h5 (made by scripts/vgg16_to_h5.py; eqnca never "
          "downloads weights)");
    if (grid_size() < 16)
      throw std::invalid_argument(fmt::format(
          "--texture-features vgg16 needs a grid of at least 16 (relu5_1 is four 2x2 poolings deep), got {}",
          grid_size()));
  }
  if (task == "texture" && loss != "mse")
    throw std::invalid_argument(fmt::format(
        "--loss {} applies to --task grow; texture runs choose --texture-loss (gram or sliced_wasserstein)", loss));
  if (task == "texture" && device != "cpu")
    throw std::invalid_argument("--task texture runs on --device cpu only so far (its feature network lives there)");
  check_choice("--model", model.name, models::model_names());
  check_int("--channels", model.channels, 4, 1024);
  check_int("--hidden", model.hidden, 1, 16384);
  check_int("--hidden-fields", model.hidden_fields, 0, 4096);
  check_int("--state-fields", model.state_fields, 0, 1024);
  check_int("--band-limit", model.band_limit, 1, 16);
  check_positive("--fire-rate", model.fire_rate, 1.0);
  check_choice("--padding", model.padding, {"zeros", "circular"});
  if (target.empty()) throw std::invalid_argument("--target must name a PNG file, got ''");
  check_int("--target-size", target_size, 0, 4096);
  check_int("--pad", pad, 0, 4096);
  check_int("--grid", grid, 0, 8192);
  if (grid_size() < 3)
    throw std::invalid_argument(
        fmt::format("the grid (--grid, or --target-size + 2*--pad) must be at least 3, got {}", grid_size()));
  check_int("--pool-size", pool_size, 1, 1 << 20);
  check_int("--batch", batch, 1, 4096);
  if (mode != "growing" && batch > pool_size)
    throw std::invalid_argument(fmt::format("--batch ({}) must not exceed --pool-size ({})", batch, pool_size));
  check_int("--steps-min", min_steps, 1, 100000);
  check_int("--steps-max", max_steps, min_steps, 100000);
  check_int("--iterations", iterations, 1, 1000000000);
  check_positive_or_default("--lr", lr, 1e38);
  check_positive_or_default("--lr-final", lr_final, 1e38);
  check_int("--lr-drop", lr_drop, 0, 1000000000);
  check_choice("--mode", mode, {"growing", "persistent", "regenerating"});
  check_choice("--loss", loss, {"mse", "group_min", "polar"});
  check_choice("--seed-turns", seed_turns, {"default", "none", "group"});
  if (seed_turns == "group" && loss != "mse")
    throw std::invalid_argument(fmt::format(
        "--seed-turns {} scores each state against its own turned target, which needs --loss mse (got '{}', "
        "already rotation-invariant)",
        seed_turns, loss));
  if (seed_turns == "group" && task != "grow")
    throw std::invalid_argument(fmt::format("--seed-turns {} is for --task grow (got '{}')", seed_turns, task));
  check_choice("--device", device, {"cpu", "cuda"});
  check_int("--threads", threads, 0, 1024);
  check_int("--log-every", log_every, 1, 1000000000);
  check_int("--checkpoint-every", checkpoint_every, 1, 1000000000);
  check_int("--snapshot-every", snapshot_every, 0, 1000000000);
  if (out_dir.empty()) throw std::invalid_argument("--out must name a folder, got ''");
}

TrainConfig TrainConfig::resolved() const {
  constexpr double kDistillLearningRate = 2e-3;
  TrainConfig c = *this;
  c.model = models::resolved(model);
  if (c.task == "texture") c.model.padding = "circular";
  // The repository's data files are found from any working folder (experiments/io/data_path.h);
  // the run stores where, so evaluations find the same file.
  if (const std::string found = find_data_file(target); !found.empty()) c.target = found;
  // The weights file is found again from any folder a resumed run is started in.
  if (!c.vgg16_weights.empty())
    c.vgg16_weights = std::filesystem::absolute(c.vgg16_weights).lexically_normal().string();
  if (c.lr == 0.0) c.lr = kDistillLearningRate * models::learning_rate_scale(c.model);
  if (c.lr_final == 0.0) c.lr_final = c.lr / 10.0;
  if (c.seed_turns == "default")
    c.seed_turns = models::turned_seeds_by_default(c.model) && c.task == "grow" && c.loss == "mse" ? "group" : "none";
  return c;
}

std::string TrainConfig::to_toml() const {
  // Keys are the CLI option names, so this text is a valid --config file.
  std::string s = "# eqnca train: resolved configuration\n";
  auto line = [&s](const char* key, const std::string& value) { s += fmt::format("{} = {}\n", key, value); };
  line("task", quoted(task));
  line("texture-loss", quoted(texture_loss));
  line("texture-features", quoted(texture_features));
  line("vgg16-weights", quoted(vgg16_weights));
  line("model", quoted(model.name));
  line("channels", std::to_string(model.channels));
  line("hidden", std::to_string(model.hidden));
  line("hidden-fields", std::to_string(model.hidden_fields));
  line("state-fields", std::to_string(model.state_fields));
  line("band-limit", std::to_string(model.band_limit));
  line("fire-rate", fmt::format("{}", model.fire_rate));
  line("padding", quoted(model.padding));
  line("target", quoted(target));
  line("target-size", std::to_string(target_size));
  line("pad", std::to_string(pad));
  line("grid", std::to_string(grid));
  line("pool-size", std::to_string(pool_size));
  line("batch", std::to_string(batch));
  line("steps-min", std::to_string(min_steps));
  line("steps-max", std::to_string(max_steps));
  line("iterations", std::to_string(iterations));
  line("lr", fmt::format("{}", lr));
  line("lr-final", fmt::format("{}", lr_final));
  line("lr-drop", std::to_string(lr_drop));
  line("mode", quoted(mode));
  line("loss", quoted(loss));
  line("curriculum", curriculum ? "true" : "false");
  line("seed-turns", quoted(seed_turns));
  line("device", quoted(device));
  line("seed", std::to_string(seed));
  line("threads", std::to_string(threads));
  line("log-every", std::to_string(log_every));
  line("checkpoint-every", std::to_string(checkpoint_every));
  line("snapshot-every", std::to_string(snapshot_every));
  line("out", quoted(out_dir));
  return s;
}

void add_train_options(CLI::App& app, TrainConfig& c) {
  // Options given twice (e.g. appended to a scripted command line) take the last value.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--config",
                 "TOML file of options (keys are the long option names, e.g. steps-min = 64); "
                 "command-line options override it")
      ->type_name("FILE");

  app.add_option("--task", c.task,
                 "grow (one target image from the seed) | texture (the grid settles into the target's texture "
                 "everywhere; circular padding)")
      ->capture_default_str();
  app.add_option("--texture-loss", c.texture_loss,
                 "texture task: gram (Gram matrices) | sliced_wasserstein, over the --texture-features network")
      ->capture_default_str();
  app.add_option("--texture-features", c.texture_features,
                 "texture task: random (a fixed seeded network, built in) | vgg16 (weights from --vgg16-weights)")
      ->capture_default_str();
  app.add_option("--vgg16-weights", c.vgg16_weights,
                 "texture task with --texture-features vgg16: HDF5 weights written by scripts/vgg16_to_h5.py "
                 "(eqnca never downloads them)")
      ->type_name("FILE");
  auto& m = c.model;
  const std::string models = fmt::format("{}", fmt::join(models::model_names(), "|"));
  app.add_option("--model", m.name, "NCA model: " + models)->capture_default_str();
  app.add_option("--channels", m.channels, "state channels of the baseline models (RGBA + hidden)")
      ->capture_default_str();
  app.add_option("--hidden", m.hidden, "hidden width of the baseline update rule")->capture_default_str();
  app.add_option("--hidden-fields", m.hidden_fields,
                 "group models: hidden fields (0 = the model's default: c4 64, d4 c8 48, c16 32, "
                 "so2 o2 parameter-matched)")
      ->capture_default_str();
  app.add_option("--state-fields", m.state_fields,
                 "group models: oriented state fields (0 = the model's default: c4 6, d4 c8 4, c16 3, so2 o2 2)")
      ->capture_default_str();
  app.add_option("--band-limit", m.band_limit, "so2/o2 models: highest irrep frequency")->capture_default_str();
  app.add_option("--fire-rate", m.fire_rate, "probability that a cell updates in a step, in (0, 1]")
      ->capture_default_str();
  app.add_option("--padding", m.padding, "grid boundary: zeros|circular")->capture_default_str();

  app.add_option("--target", c.target, "target RGBA PNG (premultiplied, thumbnailed and padded onto the grid)")
      ->capture_default_str();
  app.add_option("--target-size", c.target_size, "longest side of the thumbnailed target in pixels (0 = as is)")
      ->capture_default_str();
  app.add_option("--pad", c.pad, "empty cells around the target on each side (grid = target-size + 2*pad)")
      ->capture_default_str();
  app.add_option("--grid", c.grid, "side of the square grid, overriding target-size + 2*pad (0 = derived)")
      ->capture_default_str();

  app.add_option("--pool-size", c.pool_size, "states in the sample pool (persistent/regenerating)")
      ->capture_default_str();
  app.add_option("--batch", c.batch, "states per training iteration")->capture_default_str();
  app.add_option("--steps-min", c.min_steps, "fewest NCA steps in a rollout")->capture_default_str();
  app.add_option("--steps-max", c.max_steps, "most NCA steps in a rollout (inclusive)")->capture_default_str();
  app.add_option("--iterations", c.iterations, "training iterations in all (a resumed run continues to this)")
      ->capture_default_str();
  app.add_option(
         "--lr", c.lr,
         "Adam learning rate for the first lr-drop iterations (0 = 2e-3, times sqrt|G| for c4 d4 c8 c16, 2 for so2)")
      ->capture_default_str();
  app.add_option("--lr-final", c.lr_final, "Adam learning rate after lr-drop iterations (0 = lr / 10)")
      ->capture_default_str();
  app.add_option("--lr-drop", c.lr_drop, "iteration at which the learning rate drops to lr-final")
      ->capture_default_str();
  app.add_option("--mode", c.mode,
                 "growing (always from the seed) | persistent (sample pool) | regenerating (pool + damage)")
      ->capture_default_str();
  app.add_option("--loss", c.loss,
                 "mse (RGBA) | group_min (min over the model group's rotations of the target) | "
                 "polar (rotation-invariant polar cross-correlation)")
      ->capture_default_str();
  app.add_flag("--curriculum", c.curriculum,
               "perturbation curriculum of Growing Pokemon: noise, truncation, bites and extra steps, "
               "harder whenever the loss falls below 0.025");
  app.add_option("--seed-turns", c.seed_turns,
                 "default | none | group: each seed planted in the pool starts turned by a random rotation of the "
                 "model's group (one of its N for c4 d4 c8 c16, any angle for so2 o2), against the target turned "
                 "alike (default: group for so2 with --loss mse, else none)")
      ->capture_default_str();
  app.add_option("--device", c.device, "cpu|cuda")->capture_default_str();
  app.add_option("--seed", c.seed, "random seed (model initialisation, pool sampling, update masks)")
      ->capture_default_str();
  app.add_option("--threads", c.threads, "CPU threads for LibTorch (0 = its default)")->capture_default_str();
  app.add_option("--log-every", c.log_every, "flush the run log every N iterations")->capture_default_str();
  app.add_option("--checkpoint-every", c.checkpoint_every, "write the checkpoint every N iterations")
      ->capture_default_str();
  app.add_option("--snapshot-every", c.snapshot_every, "log a few batch states every N iterations (0 = never)")
      ->capture_default_str();
  app.add_option("--out", c.out_dir, "output folder (run.h5, checkpoint.pt, config.toml)")->capture_default_str();
}

}  // namespace eqnca::experiments
