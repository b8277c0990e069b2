// The helper-thread pool behind run_chunks (see parallel.h for why it is not OpenMP).
#include "kernels/parallel.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FNEEDLE_PAUSE() _mm_pause()
#else
#define FNEEDLE_PAUSE() std::this_thread::yield()
#endif

#ifdef __linux__
#include <sched.h>
#endif

namespace fneedle {
namespace {

int detect_threads() {
  for (const char* var : {"FNEEDLE_NUM_THREADS", "OMP_NUM_THREADS"}) {
    if (const char* s = std::getenv(var)) {
      const int n = std::atoi(s);
      if (n > 0) return std::min(n, 256);
    }
  }
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

struct Job {
  const std::function<void(int64_t)>* fn;
  int64_t nchunks;
  std::atomic<int64_t> next{0};
  std::atomic<int> active{0};  // helpers currently inside this job

  void work() {
    for (int64_t c = next.fetch_add(1, std::memory_order_relaxed); c < nchunks;
         c = next.fetch_add(1, std::memory_order_relaxed))
      (*fn)(c);
  }
};

class Pool {
 public:
  explicit Pool(int helpers) {
    for (int i = 0; i < helpers; ++i) std::thread([this] { loop(); }).detach();
  }

  void run(int64_t nchunks, const std::function<void(int64_t)>& fn) {
    std::unique_lock<std::mutex> busy(run_mu_, std::try_to_lock);
    if (!busy.owns_lock()) {  // another call (or a nested one) has the helpers
      for (int64_t c = 0; c < nchunks; ++c) fn(c);
      return;
    }
    Job job;
    job.fn = &fn;
    job.nchunks = nchunks;
    {
      std::lock_guard<std::mutex> lk(mu_);
      job_ = &job;
      epoch_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    job.work();
    {
      std::lock_guard<std::mutex> lk(mu_);
      job_ = nullptr;  // no helper can join from here on
    }
    while (job.active.load(std::memory_order_acquire) != 0) FNEEDLE_PAUSE();
  }

 private:
  void loop() {
    uint64_t seen = 0;
    for (;;) {
      // Spin briefly first: kernels often come back to back.
      for (int i = 0; i < 512 && epoch_.load(std::memory_order_acquire) == seen; ++i)
        FNEEDLE_PAUSE();
      Job* job;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return job_ != nullptr && epoch_.load() != seen; });
        seen = epoch_.load();
        job = job_;
        job->active.fetch_add(1, std::memory_order_acq_rel);
      }
      job->work();
      job->active.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  std::mutex run_mu_;  // one caller at a time owns the helpers
  std::mutex mu_;
  std::condition_variable cv_;
  Job* job_ = nullptr;
  std::atomic<uint64_t> epoch_{0};
};

Pool& pool() {
  // Leaked on purpose: helpers are detached and must not be joined during interpreter exit.
  static Pool* p = new Pool(max_threads() - 1);
  return *p;
}

}  // namespace

int max_threads() {
  static const int n = detect_threads();
  return n;
}

void run_chunks(int64_t nchunks, const std::function<void(int64_t)>& fn) {
  if (nchunks <= 0) return;
  if (nchunks == 1 || max_threads() == 1) {
    for (int64_t c = 0; c < nchunks; ++c) fn(c);
    return;
  }
  pool().run(nchunks, fn);
}

}  // namespace fneedle
