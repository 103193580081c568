// The thread pool: work items on the caller plus sleeping helpers; see thread_pool.h.
#include "kernels/thread_pool.h"

#include <dlfcn.h>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>

namespace eqnca::kernels {
namespace {

class HelperPool {
 public:
  ~HelperPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : helpers_) t.join();
  }

  // Returns false (having run nothing) when another caller's job holds the pool.
  bool run(int64_t items, int helpers, const std::function<void(int64_t)>& f) {
    std::unique_lock<std::mutex> owner(owner_, std::try_to_lock);
    if (!owner.owns_lock()) return false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (int(helpers_.size()) < helpers) helpers_.emplace_back([this] { helper_loop(); });
      job_ = &f;
      items_ = items;
      next_.store(0);
      open_seats_ = helpers;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    work(f, items);
    {  // Close the job: no helper joins after this, and the caller waits only for those that did.
      std::lock_guard<std::mutex> lock(mu_);
      job_ = nullptr;
    }
    while (busy_.load() > 0) std::this_thread::yield();
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  void work(const std::function<void(int64_t)>& f, int64_t items) {
    for (int64_t k = next_.fetch_add(1); k < items; k = next_.fetch_add(1)) {
      try {
        f(k);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }

  void helper_loop() {
    uint64_t seen = 0;
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || (generation_ != seen && job_ != nullptr && open_seats_ > 0); });
      if (stop_) return;
      seen = generation_;
      --open_seats_;
      const std::function<void(int64_t)>* f = job_;
      const int64_t items = items_;
      busy_.fetch_add(1);
      lock.unlock();
      work(*f, items);
      busy_.fetch_sub(1);
    }
  }

  std::mutex owner_;  // one job at a time
  std::mutex mu_;     // guards the job fields below and helper start-up
  std::condition_variable wake_;
  std::vector<std::thread> helpers_;
  const std::function<void(int64_t)>* job_ = nullptr;
  int64_t items_ = 0;
  int open_seats_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::atomic<int64_t> next_{0};
  std::atomic<int> busy_{0};
};

HelperPool& pool() {
  static HelperPool p;
  return p;
}

}  // namespace

void for_each_work_item(int64_t items, const std::function<void(int64_t)>& f) {
  const int threads = at::get_num_threads();
  if (items > 1 && threads > 1 && !at::in_parallel_region() &&
      pool().run(items, int(std::min<int64_t>(threads, items)) - 1, f))
    return;
  for (int64_t k = 0; k < items; ++k) f(k);
}

int set_cpu_threads(int threads) {
  if (threads > 0) at::set_num_threads(threads);
  static std::once_flag blas_once;
  std::call_once(blas_once, [] {
    // Looked up rather than linked: the LibTorch of a PyTorch wheel brings MKL or its own BLAS.
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(1);
  });
  return at::get_num_threads();
}

}  // namespace eqnca::kernels
