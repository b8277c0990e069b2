// The loop skeletons shared by the unary and binary kernels: coalesce, split over threads,
// then run a per-segment loop with fast paths for contiguous and broadcast (stride 0) inputs.
#pragma once

#include "kernels/elementwise.h"
#include "kernels/parallel.h"
#include "kernels/strided.h"

namespace fneedle {

template <class T, class R, class F>
void unary_loop(const ElemArgs& a, int64_t grain, F f) {
  const int64_t* strides[2] = {a.out.strides, a.in[0].strides};
  const Loop<2> L = make_loop<2>(a.ndim, a.shape, strides);
  R* const out = static_cast<R*>(a.out.data);
  const T* const x = static_cast<const T*>(a.in[0].data);
  const int64_t so = L.inner_stride(0), sx = L.inner_stride(1);
  parallel_for(L.size(), grain, [&](int64_t begin, int64_t end) {
    for_each_segment(L, begin, end, [&](const int64_t* off, int64_t n) {
      R* o = out + off[0];
      const T* xp = x + off[1];
      if (so == 1 && sx == 1) {
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) o[i] = f(xp[i]);
      } else if (sx == 0) {
        const R v = f(xp[0]);
        for (int64_t i = 0; i < n; ++i) o[i * so] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) o[i * so] = f(xp[i * sx]);
      }
    });
  });
}

template <class T, class R, class F>
void binary_loop(const ElemArgs& a, int64_t grain, F f) {
  const int64_t* strides[3] = {a.out.strides, a.in[0].strides, a.in[1].strides};
  const Loop<3> L = make_loop<3>(a.ndim, a.shape, strides);
  R* const out = static_cast<R*>(a.out.data);
  const T* const x = static_cast<const T*>(a.in[0].data);
  const T* const y = static_cast<const T*>(a.in[1].data);
  const int64_t so = L.inner_stride(0), sx = L.inner_stride(1), sy = L.inner_stride(2);
  parallel_for(L.size(), grain, [&](int64_t begin, int64_t end) {
    for_each_segment(L, begin, end, [&](const int64_t* off, int64_t n) {
      R* o = out + off[0];
      const T* xp = x + off[1];
      const T* yp = y + off[2];
      if (so == 1 && sx == 1 && sy == 1) {
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) o[i] = f(xp[i], yp[i]);
      } else if (so == 1 && sx == 1 && sy == 0) {
        const T b = yp[0];
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) o[i] = f(xp[i], b);
      } else if (so == 1 && sx == 0 && sy == 1) {
        const T b = xp[0];
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) o[i] = f(b, yp[i]);
      } else {
        for (int64_t i = 0; i < n; ++i) o[i * so] = f(xp[i * sx], yp[i * sy]);
      }
    });
  });
}

}  // namespace fneedle
