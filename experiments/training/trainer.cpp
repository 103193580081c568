// The training loop (see trainer.h).
#include "experiments/training/trainer.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/optim/adam.h>
#include <torch/utils.h>

#include "experiments/io/atomic_file.h"
#include "experiments/io/folder_lock.h"
#include "experiments/io/progress.h"
#include "experiments/io/run_log.h"
#include "experiments/training/checkpoint.h"
#include "experiments/training/curriculum.h"
#include "experiments/training/losses.h"
#include "experiments/training/model_file.h"
#include "experiments/training/nca_pool.h"
#include "experiments/training/seed_turns.h"
#include "experiments/training/stop_signals.h"
#include "experiments/training/target.h"
#include "experiments/training/texture_task.h"
#include "experiments/training/train_step.h"
#include "kernels/rollout.h"
#include "kernels/thread_pool.h"

namespace eqnca::experiments {
namespace {

const char* const kScalars[] = {"train/loss", "train/lr", "train/grad_norm", "train/wall_time", "train/iteration"};
constexpr int kSnapshotStates = 4;

std::map<std::string, std::string> toml_values(const std::string& toml) {
  std::map<std::string, std::string> values;
  std::istringstream in(toml);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find(" = ");
    if (!line.empty() && line[0] != '#' && eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 3);
  }
  return values;
}

// A resumed run must train the same model on the same data; schedules and logging may change.
void check_resumable(const std::string& saved_toml, const std::string& current_toml) {
  const auto saved = toml_values(saved_toml), current = toml_values(current_toml);
  for (const char* key :
       {"task", "texture-loss", "texture-features", "model", "channels", "hidden", "hidden-fields", "state-fields",
        "band-limit", "padding", "target-size", "pad", "grid", "pool-size", "mode", "seed-turns"}) {
    const std::string name = key;
    const auto s = saved.find(name), c = current.find(name);
    // Runs from before the texture task have no task keys: they grew one image. Texture runs from
    // before VGG16 features used the random ones. (--vgg16-weights is not compared: the same file
    // may be resumed from another place.)
    if (s == saved.end() && (name == "task" || name == "texture-loss")) continue;
    // Runs from before --seed-turns planted upright seeds.
    const std::string sv = s != saved.end()             ? s->second
                           : name == "texture-features" ? "\"random\""
                           : name == "seed-turns"       ? "\"none\""
                                                        : "?";
    const std::string cv = c == current.end() ? "?" : c->second;
    if (sv != cv)
      throw std::invalid_argument(
          fmt::format("cannot resume: --{} is {} but the checkpoint was trained with {}", key, cv, sv));
  }
}

bool parameters_finite(const std::vector<torch::Tensor>& parameters) {
  for (const auto& p : parameters)
    if (!torch::isfinite(p).all().item<bool>()) return false;
  return true;
}

std::vector<float> to_floats(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

TrainResult train(const TrainConfig& requested, bool resume, std::ostream& out) {
  requested.validate();
  const TrainConfig config = [&] {
    TrainConfig c = requested;
    // Runs from before --seed-turns planted upright seeds; today's default would turn so2's.
    if (resume && c.seed_turns == "default") {
      std::ifstream saved(std::filesystem::path(c.out_dir) / "config.toml");
      const std::string text((std::istreambuf_iterator<char>(saved)), std::istreambuf_iterator<char>());
      if (saved && toml_values(text).count("seed-turns") == 0) c.seed_turns = "none";
    }
    return c.resolved();
  }();
  const bool cuda = config.device == "cuda";
  if (cuda && !torch::cuda::is_available()) throw std::runtime_error("CUDA requested but not available");
  const torch::Device device = cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  kernels::set_cpu_threads(config.threads);

  namespace fs = std::filesystem;
  // A bad target fails before anything is written.
  const int grid = config.grid_size();
  const bool texture = config.task == "texture";
  const auto target = (texture ? load_texture_target(config.target, config.target_size)
                               : load_target(config.target, config.target_size, grid, grid))
                          .to(device);
  // So do a missing or malformed weights file and a texture too small for the features: the
  // texture loss (its target side computed once) is built here. It draws on no torch generator,
  // so building it before the model's seeding changes no run.
  const LossFunction texture_loss =
      texture ? make_texture_task_loss(config.texture_loss, target,
                                       make_texture_features(config.texture_features, config.vgg16_weights))
              : LossFunction();
  ensure_writable_directory(config.out_dir);
  const FolderLock lock(config.out_dir);  // before anything in it is read or written
  const StopSignals stop;
  TrainResult result;
  result.log_path = (fs::path(config.out_dir) / "run.h5").string();
  result.checkpoint_path = (fs::path(config.out_dir) / "checkpoint.pt").string();
  if (!resume && fs::exists(result.log_path))
    throw std::runtime_error(
        fmt::format("output folder '{}' already holds a run; pass --resume to continue it "
                    "or choose another --out",
                    config.out_dir));
  if (resume && !fs::exists(result.checkpoint_path))
    throw std::runtime_error(fmt::format("cannot resume: no checkpoint '{}'", result.checkpoint_path));

  // Seeding before the model is built makes its initialisation part of the run's seed.
  torch::manual_seed(config.seed);
  models::NcaModel model = models::make_model(config.model);
  model->to(device);
  const LossFunction loss_fn = texture ? texture_loss : make_loss(config.loss, target, model->group());
  std::optional<SeedTurns> turns;
  if (config.seed_turns == "group") turns.emplace(*model, target);
  // Per sample; with turned seeds each state is scored against the target turned by its seed's angle.
  const SamplePool::Loss sample_loss = [&](const torch::Tensor& states, const torch::Tensor& angles) {
    return turns ? rgba_mse_loss(states, turns->targets(angles)) : loss_fn(states);
  };
  const torch::Tensor seed = model->seed(1, grid, grid).to(device);
  SamplePool pool(pool_mode_from_name(config.mode), config.pool_size, texture ? texture_seed(seed) : seed,
                  turns ? &*turns : nullptr);
  std::optional<Curriculum> curriculum;
  if (config.curriculum) curriculum.emplace(grid, grid);
  auto parameters = model->parameters();
  torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(config.lr));
  // The fused step where the model has one (every built-in model; the same masks as the plain
  // backend), the model's own step() otherwise.
  const bool fused = [&] {
    torch::NoGradGuard no_grad;
    return model->sobel_mlp_weights().has_value();
  }();
  const std::unique_ptr<kernels::Rollout> rollout = kernels::make_rollout(fused ? "fused" : "plain");

  const std::string toml = config.to_toml();
  int start = 0;
  double wall_before = 0.0;
  std::optional<RunLog> log;
  if (resume) {
    TrainingState saved = load_checkpoint(result.checkpoint_path, *model, optimizer, device);
    check_resumable(saved.config_toml, toml);
    start = static_cast<int>(saved.iteration);
    wall_before = saved.wall_time;
    if (saved.pool.defined()) pool.set_states(saved.pool.to(device));
    if (saved.pool_angles.defined()) pool.set_angles(saved.pool_angles);
    if (curriculum && saved.curriculum.defined()) curriculum->set_state(saved.curriculum);
    if (saved.cpu_rng.defined()) restore_cpu_rng_state(saved.cpu_rng);
    log.emplace(RunLog::open_existing(result.log_path));
    for (const char* name : kScalars) {
      if (!log->exists(name)) continue;
      const auto rows = log->read_scalars(name).size();
      if (rows < static_cast<size_t>(start))
        throw std::runtime_error(
            fmt::format("cannot resume: '{}' has {} rows of {} but the checkpoint is at "
                        "iteration {}",
                        result.log_path, rows, name, start));
      log->truncate(name, static_cast<hsize_t>(start));
    }
    log->drop_snapshots_after(start);
    log->set_attribute("/", "resumed_at_iteration", static_cast<double>(start));
    out << fmt::format("resuming {} at iteration {}\n", config.out_dir, start);
  } else {
    log.emplace(RunLog::create(result.log_path, toml));
  }
  // From here on the log only grows, in HDF5's SWMR mode: h5py.File(path, "r", swmr=True) follows
  // it while the run trains.
  std::vector<hsize_t> snapshot_dims;
  if (config.snapshot_every > 0) {
    const int64_t channels = model->seed(1, grid, grid).size(1);
    snapshot_dims = {static_cast<hsize_t>(std::min<int64_t>(kSnapshotStates, config.batch)),
                     static_cast<hsize_t>(channels), static_cast<hsize_t>(grid), static_cast<hsize_t>(grid)};
  }
  log->begin_live(std::vector<std::string>(std::begin(kScalars), std::end(kScalars)), snapshot_dims);
  write_file_atomically((fs::path(config.out_dir) / "config.toml").string(), [&toml](const std::string& tmp) {
    std::ofstream file(tmp);
    file << toml;
    if (!file.flush()) throw std::runtime_error(fmt::format("cannot write '{}': {}", tmp, std::strerror(errno)));
  });

  const auto session_start = std::chrono::steady_clock::now();
  auto wall_time = [&] {
    return wall_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start).count();
  };
  int last_checkpoint = resume ? start : -1;
  auto checkpoint = [&](int completed) {
    log->flush();  // the log always covers at least the checkpoint's iterations
    TrainingState state;
    state.iteration = completed;
    state.wall_time = wall_time();
    state.pool = pool.states();
    if (turns) state.pool_angles = pool.angles();
    if (curriculum) state.curriculum = curriculum->state();
    state.cpu_rng = capture_cpu_rng_state();
    state.config_toml = toml;
    save_checkpoint(result.checkpoint_path, *model, optimizer, state);
    save_model_file((fs::path(config.out_dir) / "model.h5").string(), *model, toml, completed);
    last_checkpoint = completed;
  };
  auto fail = [&](const std::string& what, int iteration) {
    log->flush();
    const std::string kept = last_checkpoint >= 0 ? fmt::format("last good checkpoint '{}' (iteration {}) kept",
                                                                result.checkpoint_path, last_checkpoint)
                                                  : std::string("no checkpoint was written yet");
    throw std::runtime_error(fmt::format("{} at iteration {}; {}", what, iteration, kept));
  };

  Progress progress(config.iterations, out, &out == &std::cerr && stderr_is_terminal());
  result.iterations = start;
  for (int it = start; it < config.iterations; ++it) {
    const double lr = it < config.lr_drop ? config.lr : config.lr_final;
    for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
    // CUDA update masks come from the CUDA generator: reseed it per iteration so a resumed
    // run draws the same masks (CUDA kernels may still differ in the last bits).
    if (cuda) torch::cuda::manual_seed_all(config.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(it));

    SamplePool::Batch batch = pool.sample(config.batch, sample_loss);
    torch::Tensor x = batch.states;
    if (curriculum) x = curriculum->perturb(x);
    int steps =
        static_cast<int>(torch::randint(config.min_steps, config.max_steps + 1, {1}, torch::kLong).item<int64_t>());
    if (curriculum) steps += curriculum->extra_steps();

    const TrainStepResult step = train_step(*model, *rollout, optimizer, x, steps, [&](const torch::Tensor& s) {
      return sample_loss(s, batch.angles).mean();
    });
    x = step.state;
    const double loss_value = step.loss;
    const int iteration = it + 1;  // 1-based in logs and messages
    if (!step.stepped) {
      // Logged so the curve shows where it broke; resume truncates it away.
      log->append_scalar("train/loss", loss_value);
      log->append_scalar("train/lr", lr);
      log->append_scalar("train/grad_norm", std::nan(""));
      log->append_scalar("train/wall_time", wall_time());
      log->append_scalar("train/iteration", iteration);
      fail(std::isnan(loss_value) ? "loss became NaN" : "loss became infinite", iteration);
    }

    const double grad_norm = step.grad_norm;
    if (!parameters_finite(parameters)) fail("parameters became NaN or infinite", iteration);
    pool.commit(batch, x);
    if (curriculum) curriculum->observe(loss_value);

    log->append_scalar("train/loss", loss_value);
    log->append_scalar("train/lr", lr);
    log->append_scalar("train/grad_norm", grad_norm);
    log->append_scalar("train/wall_time", wall_time());
    log->append_scalar("train/iteration", iteration);
    if (config.snapshot_every > 0 && iteration % config.snapshot_every == 0) {
      auto states = x.detach().slice(0, 0, std::min<int64_t>(kSnapshotStates, x.size(0)));
      std::vector<hsize_t> dims(states.sizes().begin(), states.sizes().end());
      log->append_snapshot(iteration, to_floats(states), dims);
    }
    if (iteration % config.log_every == 0) log->flush();
    result.final_loss = loss_value;
    result.iterations = iteration;
    progress.update(iteration, loss_value,
                    fmt::format("lr {:.3g}", lr) + (curriculum ? " " + curriculum->describe() : std::string()));
    if (iteration % config.checkpoint_every == 0 || iteration == config.iterations) checkpoint(iteration);
    if (const int signal = StopSignals::requested()) {
      if (last_checkpoint != iteration) checkpoint(iteration);
      progress.finish();
      throw std::runtime_error(
          fmt::format("stopped by {} after iteration {}; checkpoint '{}' written (continue with --resume)",
                      StopSignals::name(signal), iteration, result.checkpoint_path));
    }
  }
  if (start >= config.iterations) {
    const auto losses = log->read_scalars("train/loss");
    if (!losses.empty()) result.final_loss = losses.back();
  }
  progress.finish();
  log->flush();
  result.wall_s = wall_time();
  return result;
}

}  // namespace eqnca::experiments
