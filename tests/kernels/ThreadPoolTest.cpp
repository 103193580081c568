// The thread pool (for_each_work_item): every item runs exactly once, whatever the thread
// count; an exception thrown by an item reaches the caller; a nested call (from inside an item)
// runs serially instead of deadlocking on the pool.
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
