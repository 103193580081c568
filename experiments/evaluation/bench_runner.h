// Throughput benchmark of an NCA model, comparable with bench/distill_pytorch.py:
//   growth: cell updates per second, B*H*W*S / seconds, eval mode, no gradients;
//   train:  seconds per iteration (seed batch, S steps, MSE to a random target, backward,
//           per-parameter gradient normalisation g/(|g|+1e-8), Adam step).
// With task "texture" (comparable with bench/texture_pytorch.py) both run the texture task instead:
// every cell starts as the seed cell, padding is circular, and the training loss is the texture
// task's (Gram loss over the fixed random feature network plus the overflow and opacity losses,
// texture_task.h)
// against a seeded random RGB texture of the grid's size.
// Both are medians over `repeats` timed runs after `warmup` untimed ones; on CUDA the clock is
// read only after torch::cuda::synchronize().
//
// The implementation ("path") is a rollout backend of kernels/rollout.h, named as there (plain,
// fused, fused-dense) or by the bench's older names: "fast" = fused (skipping cells whose
// update cannot matter), "fast-dense" = fused-dense (every cell: like for like with PyTorch).
// The training iteration is experiments/training/train_step.h's, with Adam at 2e-3.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eqnca::experiments {

struct BenchOptions {
  std::string model = "growing";
  std::string task = "grow";  // grow | texture
  int hidden_fields = 0;      // group models: hidden fields (0 = the model's default)
  int batch = 8;
  int size = 72;
  int steps = 64;
  int threads = 2;             // torch::set_num_threads; 0 leaves LibTorch's default
  std::string device = "cpu";  // cpu | cuda | cuda:N
  int repeats = 5;
  int warmup = 1;
  std::string mode = "both";  // growth | train | both
  std::string path = "plain";
  std::uint64_t seed = 0;
};

struct BenchResult {
  std::string implementation = "eqnca";
  std::string model, task, device, path, torch_version;
  int threads = 0, batch = 0, size = 0, steps = 0;
  double growth_cell_updates_per_s = -1.0;  // < 0: not measured (mode train)
  double train_s_per_iteration = -1.0;      // < 0: not measured (mode growth)
  double final_train_loss = -1.0;           // the loss of the last training iteration
  std::int64_t parameter_count = 0;
  // The fused step's forward multiply-adds per cell update (kernels::multiply_adds_per_cell);
  // -1 for a model without it.
  std::int64_t multiply_adds_per_cell = -1;
};

// The names --path accepts.
std::vector<std::string> bench_path_names();

// Throws std::invalid_argument (one line) for bad options, unknown paths, a fused path for a
// model without the fused step, or CUDA requested where it is not available.
BenchResult run_bench(const BenchOptions& options);

// One JSON object, keys in a fixed order; unmeasured numbers are null.
std::string to_json(const BenchResult& result);
// The torch version this binary was compiled against ("1.13.0", "2.3.1", or "unknown").
std::string compiled_torch_version();

}  // namespace eqnca::experiments
