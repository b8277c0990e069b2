// Scans. Long rows: each thread scans its block, then the block totals are scanned and each
// block gets its carry in a vectorized fix-up pass. Many rows: one row per thread at a time;
// when the axis is not innermost in memory, whole rows are combined at once (vectorized).
#include "kernels/scan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>

#include "kernels/parallel.h"
#include "kernels/simd_math.h"
#include "kernels/strided.h"

namespace fneedle {
namespace {

constexpr int64_t kGrain = int64_t{1} << 15;
constexpr int64_t kBlock = 1024;

template <class T>
struct Add {
  static T combine(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) return a + b;
    else return static_cast<T>(std::make_unsigned_t<T>(a) + std::make_unsigned_t<T>(b));
  }
};
template <class T>
struct Mul {
  static T combine(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) return a * b;
    else return static_cast<T>(std::make_unsigned_t<T>(a) * std::make_unsigned_t<T>(b));
  }
};
template <class T>
struct Max {
  static T combine(T a, T b) { return (b > a || b != b) ? b : a; }
};
template <class T>
struct Min {
  static T combine(T a, T b) { return (b < a || b != b) ? b : a; }
};
template <class T>
struct LogAddExp {  // log(exp(a) + exp(b)), as np.logaddexp computes it
  static T combine(T a, T b) {
    if (a == b) return a + T(0.693147180559945309417232121458176568);
    const T d = a - b;
    if (d > 0) return a + std::log1p(std::exp(-d));
    if (d <= 0) return b + std::log1p(std::exp(d));
    return d;  // NaN
  }
};

// Sequential inclusive scan of n elements, starting from x[0] (or combine(carry, x[0])).
template <class P, class T>
T scan_row(const T* x, int64_t sx, T* out, int64_t so, int64_t n) {
  T acc = x[0];
  out[0] = acc;
  for (int64_t i = 1; i < n; ++i) {
    acc = P::combine(acc, x[i * sx]);
    out[i * so] = acc;
  }
  return acc;
}

template <class P, class T>
void add_carry(T carry, T* out, int64_t so, int64_t n) {
  if (so == 1) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) out[i] = P::combine(carry, out[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i * so] = P::combine(carry, out[i * so]);
  }
}

// One long row in blocks: local scans, a scan of the block totals, then a fix-up pass.
template <class P, class T>
void parallel_scan_row(const T* x, int64_t sx, T* out, int64_t so, int64_t n, int nblocks) {
  std::unique_ptr<T[]> totals(new T[nblocks]);
  parallel_slices(n, nblocks, [&](int c, int, int64_t b, int64_t e) {
    totals[c] = scan_row<P>(x + b * sx, sx, out + b * so, so, e - b);
  });
  for (int c = 1; c < nblocks; ++c) totals[c] = P::combine(totals[c - 1], totals[c]);
  parallel_slices(n, nblocks, [&](int c, int, int64_t b, int64_t e) {
    if (c > 0) add_carry<P>(totals[c - 1], out + b * so, so, e - b);
  });
}

template <class P, class T>
void scan_impl(const ScanArgs& a) {
  const int64_t L = a.shape[a.axis];
  const T* x = static_cast<const T*>(a.x);
  T* out = static_cast<T*>(a.out);
  int64_t sx = a.x_strides[a.axis], so = a.out_strides[a.axis];
  if (a.reverse) {  // walk the axis backwards: start at its last element, negate strides
    x += (L - 1) * sx;
    out += (L - 1) * so;
    sx = -sx;
    so = -so;
  }
  int64_t bshape[kMaxDims], bx[kMaxDims], bo[kMaxDims];
  int nb = 0;
  for (int d = 0; d < a.ndim; ++d) {
    if (d == a.axis) continue;
    bshape[nb] = a.shape[d];
    bx[nb] = a.x_strides[d];
    bo[nb++] = a.out_strides[d];
  }
  const int64_t* bs[2] = {bo, bx};
  const Loop<2> Lb = make_loop<2>(nb, bshape, bs);  // operands: out, x
  const int64_t B = Lb.size();
  if (B == 0 || L == 0) return;
  const bool batch_real = !(Lb.ndim == 1 && Lb.shape[0] == 1);
  const int nt_max = max_threads();

  if (L == 1 || !batch_real || std::llabs(so) <= std::llabs(Lb.inner_stride(0))) {
    // The axis is innermost: scan rows.
    if (B >= 4 * nt_max || L < 2 * kGrain) {
      parallel_for(B, std::max<int64_t>(1, kGrain / L), [&](int64_t b0, int64_t b1) {
        for_each_segment(Lb, b0, b1, [&](const int64_t* off, int64_t n) {
          for (int64_t i = 0; i < n; ++i)
            scan_row<P>(x + off[1] + i * Lb.inner_stride(1), sx,
                        out + off[0] + i * Lb.inner_stride(0), so, L);
        });
      });
    } else {
      const int nt = threads_for(L, kGrain);
      for_each_segment(Lb, 0, B, [&](const int64_t* off, int64_t n) {
        for (int64_t i = 0; i < n; ++i)
          parallel_scan_row<P>(x + off[1] + i * Lb.inner_stride(1), sx,
                               out + off[0] + i * Lb.inner_stride(0), so, L, nt);
      });
    }
    return;
  }

  // A batch dim is innermost: carry a block of running values across the rows of the axis.
  const int64_t inner = Lb.inner(), os = Lb.inner_stride(0), xs = Lb.inner_stride(1);
  const int64_t nblocks = (inner + kBlock - 1) / kBlock;
  const int64_t items = (B / inner) * nblocks;
  parallel_for(items, std::max<int64_t>(1, kGrain / (L * std::min(inner, kBlock))),
               [&](int64_t ib, int64_t ie) {
    T acc[kBlock];
    for (int64_t item = ib; item < ie; ++item) {
      const int64_t g = item / nblocks, jb = item % nblocks;
      const int64_t b = g * inner + jb * kBlock, e = g * inner + std::min(inner, (jb + 1) * kBlock);
      for_each_segment(Lb, b, e, [&](const int64_t* off, int64_t n) {
        const T* xr = x + off[1];
        T* orow = out + off[0];
        for (int64_t j = 0; j < n; ++j) acc[j] = xr[j * xs], orow[j * os] = acc[j];
        for (int64_t i = 1; i < L; ++i) {
          xr += sx;
          orow += so;
          if (xs == 1 && os == 1) {
#pragma omp simd
            for (int64_t j = 0; j < n; ++j) orow[j] = acc[j] = P::combine(acc[j], xr[j]);
          } else {
            for (int64_t j = 0; j < n; ++j) orow[j * os] = acc[j] = P::combine(acc[j], xr[j * xs]);
          }
        }
      });
    }
  });
}

}  // namespace

const char* scan_op_name(ScanOp op) {
  static const char* names[] = {
#define FNEEDLE_NAME(name) #name,
      FNEEDLE_SCAN_OPS(FNEEDLE_NAME)
#undef FNEEDLE_NAME
  };
  return names[static_cast<int>(op)];
}

bool scan_supported(ScanOp op, DType t) {
  if (op == ScanOp::cumlogsumexp) return is_float(t);
  return is_float(t) || is_int(t);
}

template <class T>
void scan(ScanOp op, const ScanArgs& a) {
  if constexpr (!std::is_same_v<T, bool>) {
    switch (op) {
      case ScanOp::cumsum: return scan_impl<Add<T>, T>(a);
      case ScanOp::cumprod: return scan_impl<Mul<T>, T>(a);
      case ScanOp::cummax: return scan_impl<Max<T>, T>(a);
      case ScanOp::cummin: return scan_impl<Min<T>, T>(a);
      case ScanOp::cumlogsumexp:
        if constexpr (std::is_floating_point_v<T>) return scan_impl<LogAddExp<T>, T>(a);
        return;
      default: return;
    }
  }
}

template void scan<bool>(ScanOp, const ScanArgs&);
template void scan<uint8_t>(ScanOp, const ScanArgs&);
template void scan<int32_t>(ScanOp, const ScanArgs&);
template void scan<uint32_t>(ScanOp, const ScanArgs&);
template void scan<int64_t>(ScanOp, const ScanArgs&);
template void scan<float>(ScanOp, const ScanArgs&);
template void scan<double>(ScanOp, const ScanArgs&);

}  // namespace fneedle
