// GFLOP/s of kernels/tile_gemm.h's products on one thread, at the shapes of the growing NCA's
// MLP on a 128-cell tile (48 features -> 128 hidden -> 16 channels): the forward's two products,
// the backward's two input gradients and two weight gradients (W1's also transposed, the other
// way to lay it out). What the register blocks of
// kernels/tile_gemm.cpp were tuned with (bench/RESULTS.md); compare with the core's peak (FMA
// units x lanes x 2 x clock).
//   build/bench/eqnca_tile_gemm_bench [iterations]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "bench/random_floats.h"

#include "kernels/simd.h"
#include "kernels/tile_gemm.h"

using namespace eqnca::kernels::detail;

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 20000;
  constexpr int64_t r = 128, f = 48, h = 128, c = 16;
  std::mt19937 gen(1);
  auto random = [&](int64_t n) { return random_floats(n, gen); };
  std::vector<float> w1 = random(h * f), w2 = random(c * h), feat = random(r * f), hid = random(r * h),
                     delta = random(r * c), b1 = random(h), gw1 = random(h * f), gw2 = random(h * c), gfeat(r * f);
  PackedWeights w1t, w1n, w2t, w2n;
  w1t.pack(w1.data(), h, f, true);
  w1n.pack(w1.data(), h, f, false);
  w2t.pack(w2.data(), c, h, true);
  w2n.pack(w2.data(), c, h, false);
  struct Product {
    const char* name;
    int64_t macs;
    std::function<void()> run;
  };
  const std::vector<Product> products{
      {"hidden = relu(f W1^T + b1)", r * f * h,
       [&] { multiply(feat.data(), f, 1, r, w1t, hid.data(), h, Store::kBiasRelu, b1.data()); }},
      {"delta = hidden W2^T", r * h * c, [&] { multiply(hid.data(), h, 1, r, w2t, delta.data(), c, Store::kAssign); }},
      {"d hidden = d delta W2", r * c * h,
       [&] { multiply(delta.data(), c, 1, r, w2n, hid.data(), h, Store::kAssign); }},
      {"d f = d hidden W1", r * h * f, [&] { multiply(hid.data(), h, 1, r, w1n, gfeat.data(), f, Store::kAssign); }},
      {"d W1 += d hidden^T f", r * f * h,
       [&] { accumulate_outer(hid.data(), h, 1, h, feat.data(), f, f, r, gw1.data(), f); }},
      {"d W1^T += f^T d hidden", r * f * h,
       [&] { accumulate_outer(feat.data(), f, 1, f, hid.data(), h, h, r, gw1.data(), h); }},
      {"d W2^T += hidden^T d delta", r * h * c,
       [&] { accumulate_outer(hid.data(), h, 1, h, delta.data(), c, c, r, gw2.data(), c); }},
  };
  fmt::print("tile_gemm, {} floats per vector, one thread, best of 5 x {} iterations of a {}-cell tile\n", kLanes,
             iterations, r);
  double all_flops = 0.0, all_seconds = 0.0;
  for (const Product& p : products) {
    for (int i = 0; i < iterations / 10; ++i) p.run();  // warm-up
    // The best of five runs: on a shared virtual machine the median still moved by 20% between
    // invocations, the best by a few percent.
    double s = 1e300;
    for (int run = 0; run < 5; ++run) {
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < iterations; ++i) p.run();
      s = std::min(s, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    const double flops = 2.0 * double(p.macs) * iterations;
    all_flops += flops;
    all_seconds += s;
    fmt::print("  {:<28} {:6.1f} GFLOP/s\n", p.name, flops / s / 1e9);
  }
  fmt::print("  {:<28} {:6.1f} GFLOP/s (checksum {:.6g})\n", fmt::format("all {}", products.size()),
             all_flops / all_seconds / 1e9, double(gfeat[5] + gw1[3] + gw2[7]));
}
