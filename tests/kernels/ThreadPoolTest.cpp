// The thread pool (for_each_work_item): every item runs exactly once, whatever the thread
// count; an exception thrown by an item reaches the caller; a nested call (from inside an item)
// runs serially instead of deadlocking on the pool; set_cpu_threads keeps OpenBLAS to one thread.
#include <dlfcn.h>

#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "kernels/thread_pool.h"

using eqnca::kernels::for_each_work_item;

TEST(ThreadPool, EveryItemRunsExactlyOnce) {
  const int saved = at::get_num_threads();
  for (int threads : {1, 2, 4}) {
    at::set_num_threads(threads);
    for (int64_t items : {0, 1, 7, 300}) {
      std::vector<std::atomic<int>> seen(static_cast<size_t>(items));
      for (auto& s : seen) s = 0;
      for_each_work_item(items, [&](int64_t k) { seen[size_t(k)]++; });
      for (int64_t k = 0; k < items; ++k) EXPECT_EQ(seen[size_t(k)].load(), 1) << threads << " threads, item " << k;
    }
  }
  at::set_num_threads(saved);
}

TEST(ThreadPool, ExceptionsReachTheCaller) {
  EXPECT_THROW(for_each_work_item(50,
                                  [](int64_t k) {
                                    if (k == 13) throw std::runtime_error("item 13");
                                  }),
               std::runtime_error);
  std::atomic<int> after{0};  // the pool still works afterwards
  for_each_work_item(20, [&](int64_t) { after++; });
  EXPECT_EQ(after.load(), 20);
}

TEST(ThreadPool, NestedCallsRunSerially) {
  std::atomic<int> inner{0};
  for_each_work_item(8, [&](int64_t) { for_each_work_item(5, [&](int64_t) { inner++; }); });
  EXPECT_EQ(inner.load(), 40);
}

// set_cpu_threads sets LibTorch's threads (0 leaves them) and, where the BLAS library is
// OpenBLAS, keeps its own pool to one thread.
TEST(ThreadPool, SetCpuThreadsKeepsTheBlasPoolToOneThread) {
  const int saved = at::get_num_threads();
  EXPECT_EQ(eqnca::kernels::set_cpu_threads(2), 2);
  EXPECT_EQ(at::get_num_threads(), 2);
  EXPECT_EQ(eqnca::kernels::set_cpu_threads(0), 2);
  using GetThreads = int (*)();
  if (auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"))) {
    EXPECT_EQ(get(), 1);
  } else {
    GTEST_SKIP() << "the BLAS library here is not OpenBLAS";
  }
  at::set_num_threads(saved);
}
