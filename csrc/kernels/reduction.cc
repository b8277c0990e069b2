// Reductions: split dims into kept and reduced groups, coalesce each, then either reduce
// along contiguous rows (the reduced axis is innermost in memory) or accumulate whole rows
// into a buffer of outputs (a kept axis is innermost). No transposed copy is ever made.
#include "kernels/reduction.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <limits>
#include <string_view>
#include <type_traits>

#include "kernels/parallel.h"
#include "kernels/strided.h"

namespace fneedle {
namespace {

constexpr int64_t kGrain = int64_t{1} << 15;  // elements per thread before using two
constexpr int64_t kPairwiseLeaf = 512;         // float64 sums: pairwise above this length
constexpr int64_t kBlock = 8192;  // outputs accumulated together: long rows stream like a copy
constexpr int64_t kArgBlock = 1024;  // outputs tracked together by argmax/argmin

// Sums and products: floats accumulate in double, integers wrap around in unsigned arithmetic.
template <class T, bool = std::is_floating_point_v<T>>
struct SumAccOf { using type = double; };
template <class T>
struct SumAccOf<T, false> { using type = std::make_unsigned_t<T>; };
template <class T>
using SumAcc = typename SumAccOf<T>::type;

template <class T>
struct Sum {
  using Acc = SumAcc<T>;
  static constexpr bool kFloatExtreme = false;
  static constexpr bool kPairwise = std::is_same_v<T, double>;
  static Acc identity() { return Acc(0); }
  static Acc load(T x) { return static_cast<Acc>(x); }
  static Acc combine(Acc a, Acc b) { return static_cast<Acc>(a + b); }
  static T finish(Acc a) { return static_cast<T>(a); }
};

template <class T>
struct Prod {
  using Acc = SumAcc<T>;
  static constexpr bool kFloatExtreme = false;
  static constexpr bool kPairwise = false;
  static Acc identity() { return Acc(1); }
  static Acc load(T x) { return static_cast<Acc>(x); }
  static Acc combine(Acc a, Acc b) { return static_cast<Acc>(a * b); }
  static T finish(Acc a) { return static_cast<T>(a); }
};

template <class T, bool kMax>
struct Extreme {  // NaN is sticky: once a NaN is in, it stays.
  using Acc = T;
  static constexpr bool kPairwise = false;
  static constexpr bool kFloatExtreme = std::is_floating_point_v<T>;
  static constexpr bool kIsMax = kMax;
  static Acc identity() {
    if constexpr (std::is_floating_point_v<T>)
      return kMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    else
      return kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
  static Acc load(T x) { return x; }
  static Acc combine(Acc a, Acc b) {
    if constexpr (kMax) return (b > a || b != b) ? b : a;
    else return (b < a || b != b) ? b : a;
  }
  static T finish(Acc a) { return a; }
};

template <class T, bool kAnd>
struct Bitwise {
  using Acc = T;
  static constexpr bool kFloatExtreme = false;
  static constexpr bool kPairwise = false;
  static Acc identity() {
    if constexpr (std::is_same_v<T, bool>) return kAnd;
    else return kAnd ? static_cast<T>(~T(0)) : T(0);
  }
  static Acc load(T x) { return x; }
  static Acc combine(Acc a, Acc b) { return kAnd ? static_cast<T>(a & b) : static_cast<T>(a | b); }
  static T finish(Acc a) { return a; }
};

// max (kMax) or min of p[0..n) for floats, ignoring NaNs, and whether a NaN was seen. Written
// with explicit lanes: gcc vectorizes this well, and a bool `omp simd` reduction very badly.
template <class T, bool kMax>
T block_extreme(const T* p, int64_t n, bool* saw_nan) {
  constexpr int W = 32;
  T m[W];
  int nan[W];
  for (int k = 0; k < W; ++k) {
    m[k] = kMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    nan[k] = 0;
  }
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    for (int k = 0; k < W; ++k) {
      const T v = p[i + k];
      m[k] = (kMax ? v > m[k] : v < m[k]) ? v : m[k];
      nan[k] |= v != v;
    }
  }
  T ext = m[0];
  int any = nan[0];
  for (int k = 1; k < W; ++k) {
    ext = (kMax ? m[k] > ext : m[k] < ext) ? m[k] : ext;
    any |= nan[k];
  }
  for (; i < n; ++i) {
    ext = (kMax ? p[i] > ext : p[i] < ext) ? p[i] : ext;
    any |= p[i] != p[i];
  }
  *saw_nan = any != 0;
  return ext;
}

// Reduces n elements p[0], p[s], ... into one accumulator.
template <class P, class T>
typename P::Acc reduce_row(const T* p, int64_t n, int64_t s) {
  using Acc = typename P::Acc;
  Acc r = P::identity();
  if (s != 1) {
    for (int64_t i = 0; i < n; ++i) r = P::combine(r, P::load(p[i * s]));
    return r;
  }
  if (P::kPairwise && n > kPairwiseLeaf) {
    const int64_t h = (n / 2) & ~int64_t{15};
    return P::combine(reduce_row<P>(p, h, 1), reduce_row<P>(p + h, n - h, 1));
  }
  if constexpr (P::kFloatExtreme) {
    bool nan;
    const auto ext = block_extreme<typename P::Acc, P::kIsMax>(p, n, &nan);
    return nan ? std::numeric_limits<typename P::Acc>::quiet_NaN() : ext;
  }
  constexpr int W = 16;  // independent lanes: vector registers and shorter dependency chains
  Acc lanes[W];
  for (int k = 0; k < W; ++k) lanes[k] = P::identity();
  int64_t i = 0;
  for (; i + W <= n; i += W) {
#pragma omp simd
    for (int k = 0; k < W; ++k) lanes[k] = P::combine(lanes[k], P::load(p[i + k]));
  }
  for (int k = 0; k < W; ++k) r = P::combine(r, lanes[k]);
  for (; i < n; ++i) r = P::combine(r, P::load(p[i]));
  return r;
}

bool has_real_dim(const Loop<1>& L) { return !(L.ndim == 1 && L.shape[0] == 1); }
bool has_real_dim(const Loop<2>& L) { return !(L.ndim == 1 && L.shape[0] == 1); }

template <class P, class T>
void reduce_impl(const ReduceArgs& a) {
  using Acc = typename P::Acc;
  const T* x = static_cast<const T*>(a.x);
  T* out = static_cast<T*>(a.out);
  // Kept dims: operands (x, out), ordered by x's strides so the innermost walks x fastest.
  int64_t kshape[kMaxDims], kx[kMaxDims], ko[kMaxDims], rshape[kMaxDims], rx[kMaxDims];
  int nk = 0, nr = 0;
  int64_t ostride = 1;
  for (int d = a.ndim - 1; d >= 0; --d) {
    if (a.reduced[d]) {
      rshape[nr] = a.shape[d];
      rx[nr++] = a.x_strides[d];
    } else {
      kshape[nk] = a.shape[d];
      kx[nk] = a.x_strides[d];
      ko[nk++] = ostride;
      ostride *= a.shape[d];
    }
  }
  std::reverse(kshape, kshape + nk), std::reverse(kx, kx + nk), std::reverse(ko, ko + nk);
  std::reverse(rshape, rshape + nr), std::reverse(rx, rx + nr);
  const int64_t* ks[2] = {kx, ko};
  const int64_t* rs[1] = {rx};
  const Loop<2> Lk = make_loop<2>(nk, kshape, ks);
  const Loop<1> Lr = make_loop<1>(nr, rshape, rs);
  const int64_t K = Lk.size(), R = Lr.size();
  if (K == 0) return;
  if (R == 0) {
    for_each_segment(Lk, 0, K, [&](const int64_t* off, int64_t n) {
      for (int64_t i = 0; i < n; ++i) out[off[1] + i * Lk.inner_stride(1)] = P::finish(P::identity());
    });
    return;
  }
  const int64_t r_inner = has_real_dim(Lr) ? std::llabs(Lr.inner_stride(0)) : INT64_MAX;
  const int64_t k_inner = has_real_dim(Lk) ? std::llabs(Lk.inner_stride(0)) : INT64_MAX;
  const int nt_max = max_threads();

  if (r_inner <= k_inner) {
    // A reduced dim is innermost: reduce contiguous rows, one output at a time.
    const int64_t rs_inner = Lr.inner_stride(0);
    auto reduce_range = [&](const T* base, int64_t begin, int64_t end) {
      Acc acc = P::identity();
      for_each_segment(Lr, begin, end, [&](const int64_t* off, int64_t n) {
        acc = P::combine(acc, reduce_row<P>(base + off[0], n, rs_inner));
      });
      return acc;
    };
    if (K >= 4 * nt_max || R < 2 * kGrain) {
      parallel_for(K, std::max<int64_t>(1, kGrain / R), [&](int64_t kb, int64_t ke) {
        for_each_segment(Lk, kb, ke, [&](const int64_t* off, int64_t n) {
          for (int64_t i = 0; i < n; ++i)
            out[off[1] + i * Lk.inner_stride(1)] =
                P::finish(reduce_range(x + off[0] + i * Lk.inner_stride(0), 0, R));
        });
      });
    } else {
      // Few outputs, long reductions: split each one over the threads, combine in order.
      const int nt = threads_for(R, kGrain);
      std::unique_ptr<Acc[]> partial(new Acc[nt]);
      for_each_segment(Lk, 0, K, [&](const int64_t* off, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          const T* base = x + off[0] + i * Lk.inner_stride(0);
          parallel_slices(R, nt, [&](int t, int, int64_t b, int64_t e) {
            partial[t] = reduce_range(base, b, e);
          });
          Acc acc = partial[0];
          for (int t = 1; t < nt; ++t) acc = P::combine(acc, partial[t]);
          out[off[1] + i * Lk.inner_stride(1)] = P::finish(acc);
        }
      });
    }
    return;
  }

  // A kept dim is innermost: accumulate blocks of outputs over every reduced position.
  const int64_t inner = Lk.inner(), xs = Lk.inner_stride(0), os = Lk.inner_stride(1);
  const int64_t nblocks = (inner + kBlock - 1) / kBlock;
  const int64_t items = (K / inner) * nblocks;
  const int64_t rstride = Lr.inner_stride(0);
  // Accumulates x rows [rb, re) of the reduced index space into acc[0..n).
  auto accumulate = [&](Acc* acc, const T* base, int64_t n, int64_t rb, int64_t re) {
    for_each_segment(Lr, rb, re, [&](const int64_t* roff, int64_t rn) {
      for (int64_t r = 0; r < rn; ++r) {
        const T* row = base + roff[0] + r * rstride;
        if (xs == 1) {
#pragma omp simd
          for (int64_t j = 0; j < n; ++j) acc[j] = P::combine(acc[j], P::load(row[j]));
        } else {
          for (int64_t j = 0; j < n; ++j) acc[j] = P::combine(acc[j], P::load(row[j * xs]));
        }
      }
    });
  };
  auto item_range = [&](int64_t item, int64_t* begin, int64_t* end) {
    const int64_t g = item / nblocks, jb = item % nblocks;
    *begin = g * inner + jb * kBlock;
    *end = g * inner + std::min(inner, (jb + 1) * kBlock);
  };
  if (items >= 2 * nt_max || R * inner < 2 * kGrain) {
    parallel_for(items, std::max<int64_t>(1, kGrain / (R * std::min(inner, kBlock))),
                 [&](int64_t ib, int64_t ie) {
      Acc acc[kBlock];
      for (int64_t item = ib; item < ie; ++item) {
        int64_t b, e;
        item_range(item, &b, &e);
        for_each_segment(Lk, b, e, [&](const int64_t* off, int64_t n) {
          for (int64_t j = 0; j < n; ++j) acc[j] = P::identity();
          accumulate(acc, x + off[0], n, 0, R);
          for (int64_t j = 0; j < n; ++j) out[off[1] + j * os] = P::finish(acc[j]);
        });
      }
    });
  } else {
    const int nt = threads_for(R * std::min(inner, kBlock), kGrain);
    std::unique_ptr<Acc[]> bufs(new Acc[static_cast<size_t>(nt) * kBlock]);
    for (int64_t item = 0; item < items; ++item) {
      int64_t b, e;
      item_range(item, &b, &e);
      for_each_segment(Lk, b, e, [&](const int64_t* off, int64_t n) {
        parallel_slices(R, nt, [&](int t, int, int64_t rb, int64_t re) {
          Acc* acc = bufs.get() + t * kBlock;
          for (int64_t j = 0; j < n; ++j) acc[j] = P::identity();
          accumulate(acc, x + off[0], n, rb, re);
        });
        for (int64_t j = 0; j < n; ++j) {
          Acc v = bufs[j];
          for (int t = 1; t < nt; ++t) v = P::combine(v, bufs[t * kBlock + j]);
          out[off[1] + j * os] = P::finish(v);
        }
      });
    }
  }
}

// ---- argmax / argmin ----

template <class T, bool kMax>
inline bool better(T v, T best) {
  if constexpr (std::is_floating_point_v<T>)
    return (kMax ? v > best : v < best) || (v != v && best == best);
  else
    return kMax ? v > best : v < best;
}

// Best element of p[0], p[s], ... p[(n-1)s]; returns its index, updating *best.
template <class T, bool kMax>
int64_t arg_row(const T* p, int64_t n, int64_t s, T* best_out) {
  T best = p[0];
  int64_t idx = 0;
  if constexpr (std::is_floating_point_v<T>) {
    if (best != best) {
      *best_out = best;
      return 0;
    }
  }
  if (s != 1) {
    for (int64_t i = 1; i < n; ++i) {
      const T v = p[i * s];
      if (better<T, kMax>(v, best)) {
        best = v;
        idx = i;
        if constexpr (std::is_floating_point_v<T>)
          if (v != v) break;
      }
    }
    *best_out = best;
    return idx;
  }
  constexpr int64_t B = 1024;  // find each block's extreme with SIMD, then locate it
  for (int64_t b0 = 0; b0 < n; b0 += B) {
    const int64_t m = std::min(B, n - b0);
    const T* q = p + b0;
    bool nan = false;
    T ext;
    if constexpr (std::is_floating_point_v<T>) {
      ext = block_extreme<T, kMax>(q, m, &nan);
    } else {
      ext = q[0];
      for (int64_t j = 1; j < m; ++j) ext = (kMax ? q[j] > ext : q[j] < ext) ? q[j] : ext;
    }
    if (nan) {  // the first NaN is the answer
      int64_t j = 0;
      while (q[j] == q[j]) ++j;
      *best_out = q[j];
      return b0 + j;
    }
    if (better<T, kMax>(ext, best)) {
      int64_t j = 0;
      while (q[j] != ext) ++j;
      best = ext;
      idx = b0 + j;
    }
  }
  *best_out = best;
  return idx;
}

template <class T, class I, bool kMax>
void argreduce_impl(const ArgReduceArgs& a) {
  const T* x = static_cast<const T*>(a.x);
  I* out = static_cast<I*>(a.out);
  int64_t kshape[kMaxDims], kx[kMaxDims], ko[kMaxDims];
  int nk = 0;
  int64_t ostride = 1;
  for (int d = a.ndim - 1; d >= 0; --d) {
    if (d == a.axis) continue;
    kshape[nk] = a.shape[d];
    kx[nk] = a.x_strides[d];
    ko[nk++] = ostride;
    ostride *= a.shape[d];
  }
  std::reverse(kshape, kshape + nk), std::reverse(kx, kx + nk), std::reverse(ko, ko + nk);
  const int64_t* ks[2] = {kx, ko};
  const Loop<2> Lk = make_loop<2>(nk, kshape, ks);
  const int64_t K = Lk.size(), L = a.shape[a.axis], sa = a.x_strides[a.axis];
  if (K == 0 || L == 0) return;
  const int64_t k_inner = has_real_dim(Lk) ? std::llabs(Lk.inner_stride(0)) : INT64_MAX;
  const int nt_max = max_threads();

  if (L == 1 || std::llabs(sa) <= k_inner) {
    if (K >= 4 * nt_max || L < 2 * kGrain) {
      parallel_for(K, std::max<int64_t>(1, kGrain / L), [&](int64_t kb, int64_t ke) {
        for_each_segment(Lk, kb, ke, [&](const int64_t* off, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            T best;
            out[off[1] + i * Lk.inner_stride(1)] =
                static_cast<I>(arg_row<T, kMax>(x + off[0] + i * Lk.inner_stride(0), L, sa, &best));
          }
        });
      });
    } else {
      const int nt = threads_for(L, kGrain);
      std::unique_ptr<T[]> bests(new T[nt]);
      std::unique_ptr<int64_t[]> idxs(new int64_t[nt]);
      for_each_segment(Lk, 0, K, [&](const int64_t* off, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          const T* base = x + off[0] + i * Lk.inner_stride(0);
          parallel_slices(L, nt, [&](int t, int, int64_t b, int64_t e) {
            idxs[t] = b + arg_row<T, kMax>(base + b * sa, e - b, sa, &bests[t]);
          });
          T best = bests[0];
          int64_t idx = idxs[0];
          for (int t = 1; t < nt; ++t)
            if (better<T, kMax>(bests[t], best)) best = bests[t], idx = idxs[t];
          out[off[1] + i * Lk.inner_stride(1)] = static_cast<I>(idx);
        }
      });
    }
    return;
  }

  // A kept dim is innermost: track best values and indices for a block of outputs.
  const int64_t inner = Lk.inner(), xs = Lk.inner_stride(0), os = Lk.inner_stride(1);
  const int64_t nblocks = (inner + kArgBlock - 1) / kArgBlock;
  const int64_t items = (K / inner) * nblocks;
  parallel_for(items, std::max<int64_t>(1, kGrain / (L * std::min(inner, kArgBlock))),
               [&](int64_t ib, int64_t ie) {
    T best[kArgBlock];
    int64_t idx[kArgBlock];
    for (int64_t item = ib; item < ie; ++item) {
      const int64_t g = item / nblocks, jb = item % nblocks;
      const int64_t b = g * inner + jb * kArgBlock, e = g * inner + std::min(inner, (jb + 1) * kArgBlock);
      for_each_segment(Lk, b, e, [&](const int64_t* off, int64_t n) {
        const T* base = x + off[0];
        for (int64_t j = 0; j < n; ++j) best[j] = base[j * xs], idx[j] = 0;
        for (int64_t i = 1; i < L; ++i) {
          const T* row = base + i * sa;
          for (int64_t j = 0; j < n; ++j) {
            const T v = row[j * xs];
            const bool take = better<T, kMax>(v, best[j]);
            best[j] = take ? v : best[j];
            idx[j] = take ? i : idx[j];
          }
        }
        for (int64_t j = 0; j < n; ++j) out[off[1] + j * os] = static_cast<I>(idx[j]);
      });
    }
  });
}

}  // namespace

const char* reduce_op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return "sum";
    case ReduceOp::prod: return "prod";
    case ReduceOp::max: return "max";
    case ReduceOp::min: return "min";
    case ReduceOp::and_: return "and";
    case ReduceOp::or_: return "or";
    default: return "?";
  }
}

bool reduce_supported(ReduceOp op, DType t) {
  switch (op) {
    case ReduceOp::sum: case ReduceOp::prod: return is_float(t) || is_int(t);
    case ReduceOp::max: case ReduceOp::min: return t != DType::kCount;
    default: return is_int(t) || t == DType::kBool;
  }
}

bool argreduce_supported(DType t) { return t != DType::kCount; }

template <class T>
void reduce(ReduceOp op, const ReduceArgs& a) {
  if constexpr (!std::is_same_v<T, bool>) {
    if (op == ReduceOp::sum) return reduce_impl<Sum<T>, T>(a);
    if (op == ReduceOp::prod) return reduce_impl<Prod<T>, T>(a);
  }
  if constexpr (!std::is_floating_point_v<T>) {
    if (op == ReduceOp::and_) return reduce_impl<Bitwise<T, true>, T>(a);
    if (op == ReduceOp::or_) return reduce_impl<Bitwise<T, false>, T>(a);
  }
  if (op == ReduceOp::max) return reduce_impl<Extreme<T, true>, T>(a);
  if (op == ReduceOp::min) return reduce_impl<Extreme<T, false>, T>(a);
}

template <class T, class I>
void argreduce(ArgOp op, const ArgReduceArgs& a) {
  if (op == ArgOp::argmax) argreduce_impl<T, I, true>(a);
  else argreduce_impl<T, I, false>(a);
}

#define FNEEDLE_INSTANTIATE(T)                                            \
  template void reduce<T>(ReduceOp, const ReduceArgs&);                   \
  template void argreduce<T, int32_t>(ArgOp, const ArgReduceArgs&);       \
  template void argreduce<T, int64_t>(ArgOp, const ArgReduceArgs&);
FNEEDLE_INSTANTIATE(bool)
FNEEDLE_INSTANTIATE(uint8_t)
FNEEDLE_INSTANTIATE(int32_t)
FNEEDLE_INSTANTIATE(uint32_t)
FNEEDLE_INSTANTIATE(int64_t)
FNEEDLE_INSTANTIATE(float)
FNEEDLE_INSTANTIATE(double)
#undef FNEEDLE_INSTANTIATE

}  // namespace fneedle
