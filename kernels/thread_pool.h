// The kernels' thread pool: runs independent work items on torch::get_num_threads() threads,
// the caller plus persistent helpers that claim items from a shared counter.
//
// Why not at::parallel_for: an OpenMP region ends in a barrier that every thread of the team
// must reach, so on a shared machine each region waits for a descheduled helper to be run
// again (measured on 2 loaded cores: the fused step at 2 threads was 1.2-1.6x slower than at
// 1). Here the caller never waits for a helper that has not started; it only waits for items
// already claimed. Helpers sleep on a condition variable between jobs.
#pragma once

#include <cstdint>
#include <functional>

namespace eqnca::kernels {

// Calls f(k) once for every k in [0, items), in any order and on any of the threads. Runs
// serially when one thread is configured, inside an at::parallel_for region, or while another
// caller's job is running. An exception thrown by f is rethrown here.
void for_each_work_item(int64_t items, const std::function<void(int64_t)>& f);

}  // namespace eqnca::kernels
