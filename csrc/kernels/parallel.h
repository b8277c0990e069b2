// Data-parallel loops over the machine's cores.
//
// Work is cut into chunks that threads claim from an atomic counter; the calling thread works
// too and only waits for chunks that a helper has already claimed, never for a helper that has
// not woken up yet. On a machine shared with other processes a helper can stay descheduled for
// milliseconds; OpenMP's fork-join barrier then stalls the whole call (measured: a 60 us exp
// took 8 ms), while here the caller just does the remaining chunks itself. Results depend only
// on the chunking (a function of the sizes), never on which thread ran a chunk.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>

namespace fneedle {

// Threads a kernel may use, the caller included (FNEEDLE_NUM_THREADS, else the CPU count).
int max_threads();

// Runs fn(c) for every chunk c in [0, nchunks), on the caller and the pool's helpers.
// Falls back to running them all on the caller when the pool is busy with another call.
void run_chunks(int64_t nchunks, const std::function<void(int64_t)>& fn);

// Chunks to cut `work` units into so each gets at least `grain` (a few per thread, so an idle
// core can pick up the share of a busy one).
inline int64_t chunks_for(int64_t work, int64_t grain) {
  if (grain <= 0) grain = 1;
  const int64_t n = work / grain;
  return std::max<int64_t>(1, std::min<int64_t>(n, 4 * int64_t{max_threads()}));
}

// Kept for the call sites' vocabulary: how many chunks (not threads) to split into.
inline int threads_for(int64_t work, int64_t grain) {
  return static_cast<int>(chunks_for(work, grain));
}

// Calls f(chunk, nchunks, begin, end) on equal contiguous slices of [0, total).
template <class F>
void parallel_slices(int64_t total, int64_t nchunks, F&& f) {
  if (nchunks <= 1 || total <= 1) {
    f(0, 1, int64_t{0}, total);
    return;
  }
  run_chunks(nchunks, [&](int64_t c) {
    f(static_cast<int>(c), static_cast<int>(nchunks), total * c / nchunks,
      total * (c + 1) / nchunks);
  });
}

// Calls f(begin, end) over slices of [0, total) with at least `grain` units per slice.
template <class F>
void parallel_for(int64_t total, int64_t grain, F&& f) {
  parallel_slices(total, chunks_for(total, grain),
                  [&](int, int, int64_t begin, int64_t end) { f(begin, end); });
}

}  // namespace fneedle
