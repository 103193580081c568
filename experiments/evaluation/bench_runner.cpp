// Throughput benchmark; see bench_runner.h for what is measured and how.
#include "experiments/evaluation/bench_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/cuda.h>
#include <torch/optim/adam.h>
#include <torch/utils.h>
#include <nlohmann/json.hpp>
#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif

#include "experiments/training/texture_task.h"
#include "experiments/training/train_step.h"
#include "groups/check.h"
#include "kernels/rollout.h"
#include "kernels/sobel_mlp_step.h"
#include "kernels/thread_pool.h"
#include "models/model_factory.h"

namespace eqnca::experiments {
namespace {

// The rollout backend behind a --path name, "" for none: the backends' own names, and the
// bench's older names for the fused ones (bench/side_by_side.py and the README use them).
std::string backend_of(const std::string& path) {
  if (path == "fast") return "fused";
  if (path == "fast-dense") return "fused-dense";
  const std::vector<std::string>& names = kernels::rollout_names();
  return std::find(names.begin(), names.end(), path) != names.end() ? path : std::string();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void check_options(const BenchOptions& o) {
  EQNCA_CHECK(o.batch >= 1, "bench: --batch must be >= 1, got {}", o.batch);
  EQNCA_CHECK(o.size >= 3, "bench: --size must be >= 3, got {}", o.size);
  EQNCA_CHECK(o.steps >= 1, "bench: --steps must be >= 1, got {}", o.steps);
  EQNCA_CHECK(o.repeats >= 1, "bench: --repeats must be >= 1, got {}", o.repeats);
  EQNCA_CHECK(o.warmup >= 0, "bench: --warmup must be >= 0, got {}", o.warmup);
  EQNCA_CHECK(o.threads >= 0, "bench: --threads must be >= 0, got {}", o.threads);
  EQNCA_CHECK(o.task == "grow" || o.task == "texture", "bench: --task must be grow or texture, got '{}'", o.task);
  EQNCA_CHECK(o.task != "texture" || o.size >= 8,
              "bench: --task texture needs --size >= 8 (the feature network pools three times), got {}", o.size);
  EQNCA_CHECK(o.mode == "growth" || o.mode == "train" || o.mode == "both",
              "bench: --mode must be growth, train or both, got '{}'", o.mode);
  EQNCA_CHECK(!backend_of(o.path).empty(), "bench: unknown --path '{}' (available: {})", o.path,
              fmt::join(bench_path_names(), ", "));
}

}  // namespace

std::vector<std::string> bench_path_names() {
  std::vector<std::string> names = kernels::rollout_names();
  names.insert(names.end(), {"fast", "fast-dense"});
  return names;
}

std::string compiled_torch_version() {
#ifdef TORCH_VERSION
  return TORCH_VERSION;
#else
  return "unknown";
#endif
}

BenchResult run_bench(const BenchOptions& o) {
  check_options(o);
  const torch::Device device = [&] {
    try {
      return torch::Device(o.device);
    } catch (const std::exception&) {
      throw std::invalid_argument("bench: --device must be cpu or cuda[:N], got '" + o.device + "'");
    }
  }();
  if (device.is_cuda() && !torch::cuda::is_available())
    throw std::invalid_argument("bench: --device " + o.device + " requested but CUDA is not available");
  kernels::set_cpu_threads(o.threads);
  torch::manual_seed(o.seed);

  models::ModelConfig config;
  config.hidden_fields = o.hidden_fields;
  config.name = o.model;
  const bool texture = o.task == "texture";
  if (texture) config.padding = "circular";  // as eqnca train --task texture
  models::NcaModel model = models::make_model(config);
  {
    // Zero-initialised layers (the update's last layer) get small random weights, as in
    // bench/distill_pytorch.py, so the timed rollouts actually change the state.
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters())
      if (p.abs().max().item<double>() == 0.0) p.normal_(0.0, 1e-3);
  }
  model->to(device);
  const std::unique_ptr<kernels::Rollout> rollout = kernels::make_rollout(backend_of(o.path));
  const bool supported = [&] {
    torch::NoGradGuard no_grad;
    return rollout->supports(*model);
  }();
  EQNCA_CHECK(supported, "bench: --path {} needs a model with the fused step; model '{}' has none (use --path plain)",
              o.path, model->name());
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(2e-3));

  const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  const torch::Tensor seed = texture
                                 ? texture_seed(model->seed(1, o.size, o.size)).expand({o.batch, -1, -1, -1}).to(opts)
                                 : model->seed(o.batch, o.size, o.size).to(opts);
  auto sync = [&] {
    if (device.is_cuda()) torch::cuda::synchronize();
  };
  // Runs `fn` warmup + repeats times and returns the median seconds of the timed runs.
  auto time_median = [&](const std::function<void()>& fn) {
    std::vector<double> seconds;
    for (int i = 0; i < o.warmup + o.repeats; ++i) {
      sync();
      const auto start = std::chrono::steady_clock::now();
      fn();
      sync();
      const std::chrono::duration<double> d = std::chrono::steady_clock::now() - start;
      if (i >= o.warmup) seconds.push_back(d.count());
    }
    return median(seconds);
  };

  BenchResult r;
  r.model = model->name();
  r.task = o.task;
  r.device = device.str();
  r.path = o.path;
  r.torch_version = compiled_torch_version();
  r.threads = device.is_cuda() ? o.threads : (o.threads > 0 ? o.threads : torch::get_num_threads());
  r.batch = o.batch;
  r.size = o.size;
  r.steps = o.steps;
  r.parameter_count = model->parameter_count();
  {
    torch::NoGradGuard no_grad;
    if (const std::optional<kernels::SobelMlpWeights> w = model->sobel_mlp_weights())
      r.multiply_adds_per_cell = kernels::multiply_adds_per_cell(*w, model->channels());
  }

  if (o.mode != "train") {
    model->eval();
    const double s = time_median([&] {
      torch::NoGradGuard no_grad;
      rollout->run(*model, seed, o.steps);
    });
    r.growth_cell_updates_per_s = static_cast<double>(o.batch) * o.size * o.size * o.steps / std::max(s, 1e-12);
  }
  if (o.mode != "growth") {
    model->train();
    StateLoss loss;
    if (texture) {
      const LossFunction texture_loss = make_texture_task_loss("gram", torch::rand({1, 3, o.size, o.size}, opts));
      loss = [texture_loss](const torch::Tensor& state) { return texture_loss(state).mean(); };
    } else {
      const torch::Tensor target = torch::rand({o.batch, 4, o.size, o.size}, opts);
      loss = [target](const torch::Tensor& state) { return (state.slice(1, 0, 4) - target).pow(2).mean(); };
    }
    r.train_s_per_iteration =
        time_median([&] { r.final_train_loss = train_step(*model, *rollout, adam, seed, o.steps, loss).loss; });
  }
  return r;
}

std::string to_json(const BenchResult& r) {
  // Negative means not measured in this mode; NaN has no JSON form. Both are null.
  auto measured = [](double v) {
    return v < 0 || !std::isfinite(v) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
  };
  const nlohmann::ordered_json result = {
      {"implementation", r.implementation},
      {"model", r.model},
      {"task", r.task},
      {"device", r.device},
      {"threads", r.threads},
      {"batch", r.batch},
      {"size", r.size},
      {"steps", r.steps},
      {"growth_cell_updates_per_s", measured(r.growth_cell_updates_per_s)},
      {"train_s_per_iteration", measured(r.train_s_per_iteration)},
      {"parameter_count", r.parameter_count},
      {"multiply_adds_per_cell", r.multiply_adds_per_cell < 0 ? nlohmann::ordered_json(nullptr)
                                                              : nlohmann::ordered_json(r.multiply_adds_per_cell)},
      {"torch_version", r.torch_version},
      {"path", r.path}};
  // Compact, one line; bytes that are not UTF-8 are replaced rather than thrown on.
  return result.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace eqnca::experiments
