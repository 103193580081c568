// Throughput benchmark of an NCA model, comparable with bench/distill_pytorch.py:
//   growth: cell updates per second, B*H*W*S / seconds, eval mode, no gradients;
//   train:  seconds per iteration (seed batch, S steps, MSE to a random target, backward,
//           per-parameter gradient normalisation g/(|g|+1e-8), Adam step).
// Both are medians over `repeats` timed runs after `warmup` untimed ones; on CUDA the clock is
// read only after torch::cuda::synchronize().
//
// Implementations are "paths" registered by name: "plain" runs the model's own step(); "fast"
// the fused Sobel-MLP step (kernels/sobel_mlp_step.h), skipping cells whose update cannot matter;
// "fast-dense" the same kernels over every cell (the like-for-like comparison with PyTorch).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "models/nca_model.h"

namespace eqnca::experiments {

struct BenchOptions {
  std::string model = "growing";
  int hidden_fields = 0;      // group models: hidden fields (0 = parameter-matched default)
  int batch = 8;
  int size = 72;
  int steps = 64;
  int threads = 2;            // torch::set_num_threads; 0 leaves LibTorch's default
  std::string device = "cpu";  // cpu | cuda | cuda:N
  int repeats = 5;
  int warmup = 1;
  std::string mode = "both";  // growth | train | both
  std::string path = "plain";
  std::uint64_t seed = 0;
};

struct BenchResult {
  std::string implementation = "eqnca";
  std::string model, device, path, torch_version;
  int threads = 0, batch = 0, size = 0, steps = 0;
  double growth_cell_updates_per_s = -1.0;  // < 0: not measured (mode train)
  double train_s_per_iteration = -1.0;      // < 0: not measured (mode growth)
  double final_train_loss = -1.0;
  std::int64_t parameter_count = 0;
};

// What a path provides; both functions run on the device of their inputs.
struct BenchKernels {
  // S steps from `state` with fresh stochastic masks, no gradients.
  std::function<torch::Tensor(const torch::Tensor& state, int steps)> grow;
  // One full training iteration from the seed batch towards `target`; returns the loss.
  std::function<double(const torch::Tensor& seed, const torch::Tensor& target, int steps)> train_iteration;
};
using BenchPathFactory = std::function<BenchKernels(models::NcaModel& model, const BenchOptions& options)>;

// Registers (or replaces) a path; "plain" is always present.
void register_bench_path(const std::string& name, BenchPathFactory factory);
std::vector<std::string> bench_path_names();

// Throws std::invalid_argument (one line) for bad options, unknown paths, or CUDA requested where
// it is not available.
BenchResult run_bench(const BenchOptions& options);

// One JSON object, keys in a fixed order; unmeasured numbers are null.
std::string to_json(const BenchResult& result);
// The torch version this binary was compiled against ("1.13.0", "2.3.1", or "unknown").
std::string compiled_torch_version();

}  // namespace eqnca::experiments
