// The CPU kernels' vector type: as many floats as the widest vector register the build targets
// (-march=native, CMakeLists.txt): 16 with AVX-512, 8 with AVX, 4 otherwise (SSE2, NEON), as a
// GCC/Clang vector-extension value.
//
// Why the native width and not one fixed width: GCC splits a vector type wider than the target's
// registers into pieces that go through the stack; 64-byte vectors on an AVX2 machine made the
// fused steps' training 16-20x slower than 32-byte ones (bench/RESULTS.md, 2026-12-07, AVX2).
#pragma once

#include <cstdint>

namespace eqnca::kernels::detail {

#if defined(__AVX512F__)
inline constexpr int64_t kLanes = 16;
#elif defined(__AVX__)
inline constexpr int64_t kLanes = 8;
#else
inline constexpr int64_t kLanes = 4;
#endif
// Vector registers the kernels plan their register blocks for: AVX-512 has 32, AVX and SSE 16.
inline constexpr int kVectorRegisters = kLanes == 16 ? 32 : 16;

typedef float Floats __attribute__((vector_size(kLanes * sizeof(float))));

// Unaligned loads and stores of a vector, or of one float (the same code for a single lane).
// Through a may_alias type of alignment 4, not memcpy: GCC turned a memcpy of a vector held in an
// array into a store to the stack and reloads in 8-byte pieces (a store-forwarding stall that took
// a third of the hidden ReLU's time on Zen 3).
typedef float UnalignedFloats __attribute__((vector_size(kLanes * sizeof(float)), aligned(4), may_alias));
template <typename L>
inline L load(const float* p);
template <>
inline float load<float>(const float* p) {
  return *p;
}
template <>
inline Floats load<Floats>(const float* p) {
  return *reinterpret_cast<const UnalignedFloats*>(p);
}
inline void put(float* p, float x) { *p = x; }
inline void put(float* p, const Floats& x) { *reinterpret_cast<UnalignedFloats*>(p) = x; }

}  // namespace eqnca::kernels::detail
