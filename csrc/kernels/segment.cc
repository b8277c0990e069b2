// segment_sum without atomics, deterministic for a given thread count:
// wide rows -> threads split the columns; few segments -> per-thread partial sums over
// row ranges, added up at the end; many segments -> each thread owns a range of segments
// and scans all ids, adding only the rows that fall in its range.
#include "kernels/segment.h"

#include <algorithm>
#include <memory>
#include <type_traits>

#include "kernels/parallel.h"

namespace fneedle {
namespace {

constexpr int64_t kGrain = int64_t{1} << 15;
constexpr int64_t kPartialLimit = int64_t{1} << 16;  // elements per partial histogram

template <class T>
inline T add(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return a + b;
  else return static_cast<T>(std::make_unsigned_t<T>(a) + std::make_unsigned_t<T>(b));
}

// Adds rows [r0, r1) whose id lies in [s0, s1), columns [c0, c1), into out (indexed by id).
template <class T, class I>
void accumulate(const T* data, int64_t rs, int64_t cs, int64_t width, const I* ids,
                int64_t is, int64_t r0, int64_t r1, int64_t s0, int64_t s1, int64_t c0,
                int64_t c1, T* out) {
  if (width == 1) {  // scalars (bincount): no inner loop
    for (int64_t i = r0; i < r1; ++i) {
      const int64_t s = static_cast<int64_t>(ids[i * is]);
      if (s < s0 || s >= s1) continue;
      out[s] = add(out[s], data ? data[i * rs] : T(1));
    }
    return;
  }
  for (int64_t i = r0; i < r1; ++i) {
    const int64_t s = static_cast<int64_t>(ids[i * is]);
    if (s < s0 || s >= s1) continue;
    T* o = out + s * width;
    if (data == nullptr) {
      for (int64_t c = c0; c < c1; ++c) o[c] = add(o[c], T(1));
    } else if (cs == 1) {
      const T* row = data + i * rs;
#pragma omp simd
      for (int64_t c = c0; c < c1; ++c) o[c] = add(o[c], row[c]);
    } else {
      const T* row = data + i * rs;
      for (int64_t c = c0; c < c1; ++c) o[c] = add(o[c], row[c * cs]);
    }
  }
}

}  // namespace

template <class T, class I>
void segment_sum(const T* data, int64_t rs, int64_t cs, int64_t n, int64_t width, const I* ids,
                 int64_t is, int64_t S, T* out) {
  const int64_t out_size = S * width;
  std::fill(out, out + out_size, T(0));
  if (n == 0 || width == 0 || S == 0) return;
  if (n * width < 2 * kGrain || max_threads() == 1) {
    accumulate(data, rs, cs, width, ids, is, 0, n, 0, S, 0, width, out);
    return;
  }
  const int nt = max_threads();
  if (width >= 64 * nt) {
    parallel_slices(width, nt, [&](int, int, int64_t c0, int64_t c1) {
      accumulate(data, rs, cs, width, ids, is, 0, n, 0, S, c0, c1, out);
    });
  } else if (out_size * (nt - 1) <= std::max(kPartialLimit, n * width / 2)) {
    // Partial sums over row ranges; zeroing and adding them up costs less than the rows.
    std::unique_ptr<T[]> partial(new T[out_size * (nt - 1)]);
    parallel_slices(n, nt, [&](int t, int, int64_t r0, int64_t r1) {
      T* o = t == 0 ? out : partial.get() + (t - 1) * out_size;
      if (t > 0) std::fill(o, o + out_size, T(0));
      accumulate(data, rs, cs, width, ids, is, r0, r1, 0, S, 0, width, o);
    });
    parallel_for(out_size, kGrain, [&](int64_t k0, int64_t k1) {
      for (int t = 1; t < nt; ++t) {
        const T* p = partial.get() + (t - 1) * out_size;
        for (int64_t k = k0; k < k1; ++k) out[k] = add(out[k], p[k]);
      }
    });
  } else {
    // Each thread owns a range of segments and reads every id (ids are read nt times).
    parallel_slices(S, nt, [&](int, int, int64_t s0, int64_t s1) {
      accumulate(data, rs, cs, width, ids, is, 0, n, s0, s1, 0, width, out);
    });
  }
}

#define FNEEDLE_INSTANTIATE(T, I)                                                          \
  template void segment_sum<T, I>(const T*, int64_t, int64_t, int64_t, int64_t, const I*, \
                                  int64_t, int64_t, T*);
FNEEDLE_INSTANTIATE(float, int32_t)
FNEEDLE_INSTANTIATE(float, int64_t)
FNEEDLE_INSTANTIATE(double, int32_t)
FNEEDLE_INSTANTIATE(double, int64_t)
FNEEDLE_INSTANTIATE(int32_t, int32_t)
FNEEDLE_INSTANTIATE(int32_t, int64_t)
FNEEDLE_INSTANTIATE(int64_t, int32_t)
FNEEDLE_INSTANTIATE(int64_t, int64_t)
#undef FNEEDLE_INSTANTIATE

}  // namespace fneedle
