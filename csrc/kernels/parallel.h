// OpenMP helpers: split a range of work over the cores only when it is big enough to pay for
// waking the threads (a few microseconds).
#pragma once

#include <algorithm>
#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace fneedle {

inline int max_threads() {
#ifdef _OPENMP
  static const int n = omp_get_max_threads();
  return n;
#else
  return 1;
#endif
}

// Threads to use for `work` units when one thread should get at least `grain` units.
inline int threads_for(int64_t work, int64_t grain) {
  if (grain <= 0) grain = 1;
  int64_t n = work / grain;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(n, max_threads())));
}

// Calls f(thread, nthreads, begin, end) on equal contiguous slices of [0, total).
template <class F>
void parallel_slices(int64_t total, int nthreads, F&& f) {
  if (nthreads <= 1 || total <= 1) {
    f(0, 1, int64_t{0}, total);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads)
  {
    const int t = omp_get_thread_num();
    const int n = omp_get_num_threads();
    const int64_t begin = total * t / n;
    const int64_t end = total * (t + 1) / n;
    f(t, n, begin, end);
  }
#else
  f(0, 1, int64_t{0}, total);
#endif
}

// Calls f(begin, end) over slices of [0, total) with at least `grain` units per thread.
template <class F>
void parallel_for(int64_t total, int64_t grain, F&& f) {
  parallel_slices(total, threads_for(total, grain),
                  [&](int, int, int64_t begin, int64_t end) { f(begin, end); });
}

}  // namespace fneedle
