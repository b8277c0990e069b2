// Strided copy. When the input's fastest dim is not the output's, copy square tiles of those
// two dims: each tile's reads and writes stay in L1 instead of striding through memory.
#include "kernels/copy.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <cstdint>

#include "kernels/parallel.h"
#include "kernels/strided.h"

namespace fneedle {
namespace {

constexpr int64_t kGrain = int64_t{1} << 16;  // elements per thread

struct alignas(8) Bytes16 {
  uint64_t lo, hi;
};

template <class E>
void copy_typed(const Loop<2>& L, const E* x, E* out) {
  // Operand 0 is the output (C order after make_loop), operand 1 the input.
  const int nd = L.ndim;
  const int a = nd - 1;  // output's innermost dim
  int b = -1;            // the dim where the input is densest, if not `a`
  for (int d = 0; d < nd - 1; ++d)
    if (b < 0 || std::llabs(L.strides[1][d]) < std::llabs(L.strides[1][b])) b = d;
  const bool tiled = b >= 0 && std::llabs(L.strides[1][b]) < std::llabs(L.strides[1][a]) &&
                     L.shape[a] >= 4 && L.shape[b] >= 4;
  if (!tiled) {
    const int64_t sx = L.inner_stride(1), so = L.inner_stride(0);
    parallel_for(L.size(), kGrain, [&](int64_t begin, int64_t end) {
      for_each_segment(L, begin, end, [&](const int64_t* off, int64_t n) {
        E* o = out + off[0];
        const E* xp = x + off[1];
        if (sx == 1 && so == 1) {
          std::memcpy(o, xp, n * sizeof(E));
        } else if (so == 1 && sx == -1) {  // reversed rows
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) o[i] = xp[-i];
        } else if (so == 1) {
          for (int64_t i = 0; i < n; ++i) o[i] = xp[i * sx];
        } else {
          for (int64_t i = 0; i < n; ++i) o[i * so] = xp[i * sx];
        }
      });
    });
    return;
  }
  // Outer dims: every dim but a and b, as their own loop.
  int64_t oshape[kMaxDims], oo[kMaxDims], ox[kMaxDims];
  int no = 0;
  for (int d = 0; d < nd; ++d) {
    if (d == a || d == b) continue;
    oshape[no] = L.shape[d];
    oo[no] = L.strides[0][d];
    ox[no++] = L.strides[1][d];
  }
  const int64_t* os[2] = {oo, ox};
  const Loop<2> Lo = make_loop<2>(no, oshape, os);
  constexpr int64_t T = sizeof(E) >= 8 ? 16 : 32;  // tile side
  const int64_t na = L.shape[a], nb = L.shape[b];
  const int64_t ta = (na + T - 1) / T, tb = (nb + T - 1) / T;
  const int64_t xa = L.strides[1][a], xb = L.strides[1][b], ob = L.strides[0][b];
  const int64_t oa = L.strides[0][a];
  const int64_t items = Lo.size() * ta * tb;
  parallel_for(items, std::max<int64_t>(1, kGrain / (T * T)), [&](int64_t ib, int64_t ie) {
    for (int64_t item = ib; item < ie; ++item) {
      const int64_t outer = item / (ta * tb), tile = item % (ta * tb);
      const int64_t b0 = (tile / ta) * T, a0 = (tile % ta) * T;
      const int64_t b1 = std::min(nb, b0 + T), a1 = std::min(na, a0 + T);
      for_each_segment(Lo, outer, outer + 1, [&](const int64_t* off, int64_t) {
        E* o = out + off[0];
        const E* xp = x + off[1];
        if (oa == 1 && xb == 1) {  // the usual transpose: both fast dims unit-stride
          for (int64_t i = b0; i < b1; ++i)
            for (int64_t j = a0; j < a1; ++j) o[i * ob + j] = xp[i + j * xa];
        } else {
          for (int64_t i = b0; i < b1; ++i)
            for (int64_t j = a0; j < a1; ++j) o[i * ob + j * oa] = xp[i * xb + j * xa];
        }
      });
    }
  });
}

}  // namespace

void strided_copy(int ndim, const int64_t* shape, const void* x, const int64_t* x_strides,
                  void* out, const int64_t* out_strides, int64_t itemsize) {
  // Element-typed copies when every stride and both pointers are multiples of the size.
  bool typed = itemsize == 1 || itemsize == 2 || itemsize == 4 || itemsize == 8 || itemsize == 16;
  typed = typed && reinterpret_cast<uintptr_t>(x) % std::min<int64_t>(itemsize, 8) == 0 &&
          reinterpret_cast<uintptr_t>(out) % std::min<int64_t>(itemsize, 8) == 0;
  int64_t xs[kMaxDims], os[kMaxDims];
  for (int d = 0; d < ndim; ++d) {
    typed = typed && x_strides[d] % itemsize == 0 && out_strides[d] % itemsize == 0;
    xs[d] = typed ? x_strides[d] / itemsize : x_strides[d];
    os[d] = typed ? out_strides[d] / itemsize : out_strides[d];
  }
  if (!typed) {
    for (int d = 0; d < ndim; ++d) xs[d] = x_strides[d], os[d] = out_strides[d];
  }
  const int64_t* strides[2] = {os, xs};
  const Loop<2> L = make_loop<2>(ndim, shape, strides);
  if (L.size() == 0) return;
  if (typed) {
    switch (itemsize) {
      case 1: return copy_typed(L, static_cast<const uint8_t*>(x), static_cast<uint8_t*>(out));
      case 2: return copy_typed(L, static_cast<const uint16_t*>(x), static_cast<uint16_t*>(out));
      case 4: return copy_typed(L, static_cast<const uint32_t*>(x), static_cast<uint32_t*>(out));
      case 8: return copy_typed(L, static_cast<const uint64_t*>(x), static_cast<uint64_t*>(out));
      default: return copy_typed(L, static_cast<const Bytes16*>(x), static_cast<Bytes16*>(out));
    }
  }
  // Other element sizes or unaligned data: one memcpy per element, strides in bytes.
  const char* xc = static_cast<const char*>(x);
  char* oc = static_cast<char*>(out);
  parallel_for(L.size(), kGrain, [&](int64_t begin, int64_t end) {
    for_each_segment(L, begin, end, [&](const int64_t* off, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(oc + off[0] + i * L.inner_stride(0), xc + off[1] + i * L.inner_stride(1),
                    itemsize);
    });
  });
}

}  // namespace fneedle
