// GFLOP/s of kernels/field_relu.h's hidden nonlinearity on one thread, forward and backward, at
// the default shapes of the group models on a 128-cell tile: per field, C coefficients to V
// values (bias + ReLU) and back. What its kernels were tuned with (bench/RESULTS.md); the flops
// counted are the two small maps' multiply-adds, 2 C V per field and pass.
//   build/bench/eqnca_field_relu_bench [iterations] [model]   (model: only that row)
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/random_floats.h"

#include "kernels/field_relu.h"
#include "kernels/simd.h"

using namespace eqnca::kernels::detail;

namespace {

struct Shape {
  const char* model;
  int64_t coefficients, values, fields;
};

// The models' default hidden fields (models/model_factory.cpp) and their per-field maps.
const std::vector<Shape> kShapes{
    {"c4", 4, 4, 64}, {"d4", 8, 8, 48}, {"c8", 8, 8, 48}, {"c16", 16, 16, 32}, {"so2", 7, 16, 72}, {"o2", 8, 32, 64},
};

// This thread's CPU time in seconds: on a shared machine the wall clock also counts the time
// other jobs hold the core.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// The best of five timed runs of `iterations` calls, in CPU seconds.
double best_seconds(const std::function<void()>& run, int iterations) {
  for (int i = 0; i < iterations / 10; ++i) run();  // warm-up
  double best = 1e300;
  for (int k = 0; k < 5; ++k) {
    const double start = cpu_seconds();
    for (int i = 0; i < iterations; ++i) run();
    best = std::min(best, cpu_seconds() - start);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 2000;
  constexpr int64_t r = 128;
  std::mt19937 gen(1);
  auto random = [&](int64_t n) { return random_floats(n, gen); };
  fmt::print("field_relu, {} floats per vector, one thread, CPU time, best of 5 x {} iterations of a {}-cell tile\n",
             kLanes, iterations, r);
  fmt::print("  {:<5} {:>7} {:>6} {:>7} {:>12} {:>12}\n", "model", "C x V", "fields", "", "forward", "backward");
  double checksum = 0.0;
  const std::string only = argc > 2 ? argv[2] : "";
  for (const Shape& s : kShapes) {
    if (!only.empty() && only != s.model) continue;
    const int64_t C = s.coefficients, V = s.values, f = s.fields;
    const std::vector<float> a = random(V * C), b = random(C * V);
    std::vector<float> at(size_t(C * V)), bt(size_t(V * C));
    for (int64_t i = 0; i < V; ++i)
      for (int64_t k = 0; k < C; ++k) {
        at[size_t(k * V + i)] = a[size_t(i * C + k)];
        bt[size_t(i * C + k)] = b[size_t(k * V + i)];
      }
    const FieldRelu relu(a.data(), b.data(), at.data(), bt.data(), V, C);
    const std::vector<float> c = random(r * C * f), bias = random(V * f), gc2 = random(r * C * f);
    std::vector<float> v(size_t(r * V * f)), c2(size_t(r * C * f)), gb(size_t(V * f)), gc(size_t(r * C * f));
    const double forward =
        best_seconds([&] { relu.forward(c.data(), bias.data(), r, f, v.data(), c2.data()); }, iterations);
    const double backward =
        best_seconds([&] { relu.backward(gc2.data(), v.data(), r, f, gb.data(), gc.data()); }, iterations);
    const double flops = 2.0 * 2.0 * double(C * V * f * r) * iterations;
    fmt::print("  {:<5} {:>3} x {:<3} {:>6} {:>7} {:>6.1f} GFLOP/s {:>6.1f} GFLOP/s\n", s.model, C, V, f, "",
               flops / forward / 1e9, flops / backward / 1e9);
    checksum += double(c2[7]) + double(gc[5]) + double(gb[3]);
  }
  fmt::print("  (checksum {:.6g})\n", checksum);
}
