// Throughput benchmark; see bench_runner.h for what is measured and how.
#include "experiments/evaluation/bench_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <torch/cuda.h>
#include <torch/optim/adam.h>
#include <torch/utils.h>
#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif

#include "models/model_factory.h"
#include "models/fused_rollout.h"

namespace eqnca::experiments {
namespace {

using Rollout = std::function<torch::Tensor(models::NcaModel&, const torch::Tensor&, int)>;

// The reference recipe's training step, written against the model's public interface, with
// the rollout (`steps` NCA steps) supplied by the path.
BenchKernels kernels_with(models::NcaModel& model, Rollout rollout) {
  BenchKernels k;
  k.grow = [model, rollout](const torch::Tensor& state, int steps) mutable {
    torch::NoGradGuard no_grad;
    return rollout(model, state, steps);
  };
  auto adam = std::make_shared<torch::optim::Adam>(model->parameters(), torch::optim::AdamOptions(2e-3));
  k.train_iteration = [model, adam, rollout](const torch::Tensor& seed, const torch::Tensor& target, int steps) mutable {
    adam->zero_grad();
    torch::Tensor state = rollout(model, seed, steps);
    torch::Tensor loss = (state.slice(1, 0, 4) - target).pow(2).mean();
    loss.backward();
    {
      torch::NoGradGuard no_grad;
      for (auto& p : model->parameters())
        if (p.grad().defined()) p.grad().div_(p.grad().norm() + 1e-8);
    }
    adam->step();
    return loss.item<double>();
  };
  return k;
}

// "plain": the model's own step(), one LibTorch op after another (what a PyTorch port does).
BenchKernels plain_path(models::NcaModel& model, const BenchOptions&) {
  return kernels_with(model, [](models::NcaModel& m, const torch::Tensor& s, int n) { return m->grow(s, n); });
}

// "fast": the fused Sobel-MLP step with its hand-written backward (kernels/sobel_mlp_step.h);
// "fast-dense" computes every cell, as PyTorch does, instead of skipping idle ones.
BenchPathFactory fused_path(bool skip_idle) {
  return [skip_idle](models::NcaModel& model, const BenchOptions&) {
    if (!model->sobel_mlp_weights())
      throw std::invalid_argument("bench: the fast path needs an identity+Sobel perception model "
                                  "(growing, c4, d4, c8, c16), got '" + model->name() + "'");
    return kernels_with(model, [skip_idle](models::NcaModel& m, const torch::Tensor& s, int n) {
      return models::grow_fast(*m, s, n, skip_idle);
    });
  };
}

std::map<std::string, BenchPathFactory>& registry() {
  static std::map<std::string, BenchPathFactory> paths{
      {"plain", plain_path}, {"fast", fused_path(true)}, {"fast-dense", fused_path(false)}};
  return paths;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void check_options(const BenchOptions& o) {
  auto fail = [](const std::string& msg) { throw std::invalid_argument("bench: " + msg); };
  if (o.batch < 1) fail("--batch must be >= 1");
  if (o.size < 3) fail("--size must be >= 3");
  if (o.steps < 1) fail("--steps must be >= 1");
  if (o.repeats < 1) fail("--repeats must be >= 1");
  if (o.warmup < 0) fail("--warmup must be >= 0");
  if (o.threads < 0) fail("--threads must be >= 0");
  if (o.mode != "growth" && o.mode != "train" && o.mode != "both")
    fail("--mode must be growth, train or both, got '" + o.mode + "'");
  if (!registry().count(o.path)) {
    std::string known;
    for (const auto& n : bench_path_names()) known += (known.empty() ? "" : ", ") + n;
    fail("unknown --path '" + o.path + "' (available: " + known + ")");
  }
}

}  // namespace

void register_bench_path(const std::string& name, BenchPathFactory factory) {
  registry()[name] = std::move(factory);
}

std::vector<std::string> bench_path_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry()) names.push_back(name);
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
  if (o.threads > 0) torch::set_num_threads(o.threads);
  torch::manual_seed(o.seed);

  models::ModelConfig config;
  config.hidden_fields = o.hidden_fields;
  config.name = o.model;
  models::NcaModel model = models::make_model(config);
  {
    // Zero-initialised layers (the update's last layer) get small random weights, as in
    // bench/distill_pytorch.py, so the timed rollouts actually change the state.
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters())
      if (p.abs().max().item<double>() == 0.0) p.normal_(0.0, 1e-3);
  }
  model->to(device);
  BenchKernels kernels = registry().at(o.path)(model, o);

  const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  const torch::Tensor seed = model->seed(o.batch, o.size, o.size).to(opts);
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
  r.device = device.str();
  r.path = o.path;
  r.torch_version = compiled_torch_version();
  r.threads = device.is_cuda() ? o.threads : (o.threads > 0 ? o.threads : torch::get_num_threads());
  r.batch = o.batch;
  r.size = o.size;
  r.steps = o.steps;
  r.parameter_count = model->parameter_count();

  if (o.mode != "train") {
    model->eval();
    const double s = time_median([&] { kernels.grow(seed, o.steps); });
    r.growth_cell_updates_per_s = static_cast<double>(o.batch) * o.size * o.size * o.steps / std::max(s, 1e-12);
  }
  if (o.mode != "growth") {
    model->train();
    const torch::Tensor target = torch::rand({o.batch, 4, o.size, o.size}, opts);
    r.train_s_per_iteration =
        time_median([&] { r.final_train_loss = kernels.train_iteration(seed, target, o.steps); });
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
      {"device", r.device},
      {"threads", r.threads},
      {"batch", r.batch},
      {"size", r.size},
      {"steps", r.steps},
      {"growth_cell_updates_per_s", measured(r.growth_cell_updates_per_s)},
      {"train_s_per_iteration", measured(r.train_s_per_iteration)},
      {"parameter_count", r.parameter_count},
      {"torch_version", r.torch_version},
      {"path", r.path}};
  // Compact, one line; bytes that are not UTF-8 are replaced rather than thrown on.
  return result.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace eqnca::experiments
