// The kernels' thread pool: runs independent work items on torch::get_num_threads() threads,
// the caller plus persistent helpers that claim items from a shared counter.
//
// Why not at::parallel_for: an OpenMP region ends in a barrier that every thread of the team
// must reach, so on a shared machine each region waits for a descheduled helper to be run
// again (measured on 2 loaded cores: the fused step at 2 threads was 1.2-1.6x slower than at
// 1). Here the caller never waits for a helper that has not started; it only waits for items
// already claimed. Helpers sleep on a condition variable between jobs.
//
// The BLAS library is kept to one thread (set_cpu_threads): Debian's OpenBLAS (pthread build)
// runs its own pool, whose workers spin in sched_yield for a while after every call. LibTorch
// calls BLAS for small products once per rollout (weight expansion, basis changes), so on 2
// cores a spinning BLAS worker took a core from this pool for most of every iteration
// (measured: c4 at the demo's shape trained 1.65x faster with it at one thread; growing, the
// plain path and the texture loss no slower).
#pragma once

#include <cstdint>
#include <functional>

namespace eqnca::kernels {

// Calls f(k) once for every k in [0, items), in any order and on any of the threads. Runs
// serially when one thread is configured, inside an at::parallel_for region, or while another
// caller's job is running. An exception thrown by f is rethrown here.
void for_each_work_item(int64_t items, const std::function<void(int64_t)>& f);

// The CPU threads of a run: LibTorch's intra-op threads (and so this pool's) to `threads` when
// > 0 (else left as they are), and the BLAS library's own pool to one thread when it is
// OpenBLAS (found at run time; other BLAS libraries are left alone). Returns the thread count
// LibTorch now uses.
int set_cpu_threads(int threads);

}  // namespace eqnca::kernels
