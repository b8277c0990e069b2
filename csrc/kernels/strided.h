// N-operand strided iteration: coalesce dims, then walk a linear range of elements as 1-d
// segments along the innermost dim. Strides are in elements, not bytes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace fneedle {

constexpr int kMaxDims = 64;

template <int N>
struct Loop {
  int ndim = 0;                  // dims after coalescing; dim ndim-1 is the innermost
  int64_t shape[kMaxDims];
  int64_t strides[N][kMaxDims];  // per operand, in elements

  int64_t size() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= shape[d];
    return n;
  }
  int64_t inner() const { return ndim ? shape[ndim - 1] : 1; }
  int64_t inner_stride(int k) const { return ndim ? strides[k][ndim - 1] : 0; }
};

// Builds a loop over `shape` for N operands. Dims are first ordered so that operand 0 (the
// freshly allocated output) walks memory forward, then size-1 dims are dropped and dims that
// are contiguous for every operand merged. A 0-d array becomes a 1-element 1-d loop.
template <int N>
Loop<N> make_loop(int ndim, const int64_t* shape, const int64_t* const strides[N]) {
  int order[kMaxDims];
  int n = 0;
  for (int d = 0; d < ndim; ++d)
    if (shape[d] != 1) order[n++] = d;
  // Insertion sort by |stride of operand 0| descending (stable: ties keep C order).
  for (int i = 1; i < n; ++i) {
    int v = order[i], j = i;
    while (j > 0 && std::llabs(strides[0][order[j - 1]]) < std::llabs(strides[0][v])) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = v;
  }
  Loop<N> L;
  for (int i = 0; i < n; ++i) {
    const int d = order[i];
    bool merge = L.ndim > 0;
    for (int k = 0; k < N && merge; ++k)
      merge = strides[k][order[i - 1]] == strides[k][d] * shape[d];
    if (merge) {
      L.shape[L.ndim - 1] *= shape[d];
      for (int k = 0; k < N; ++k) L.strides[k][L.ndim - 1] = strides[k][d];
    } else {
      L.shape[L.ndim] = shape[d];
      for (int k = 0; k < N; ++k) L.strides[k][L.ndim] = strides[k][d];
      ++L.ndim;
    }
  }
  if (L.ndim == 0) {
    L.ndim = 1;
    L.shape[0] = 1;
    for (int k = 0; k < N; ++k) L.strides[k][0] = 1;
  }
  return L;
}

// Calls f(offsets, n) for consecutive segments covering elements [begin, end) of the loop in
// its order; offsets[k] is the element offset of the segment's first element for operand k.
template <int N, class F>
void for_each_segment(const Loop<N>& L, int64_t begin, int64_t end, F&& f) {
  if (begin >= end) return;
  const int nd = L.ndim;
  const int64_t inner = L.shape[nd - 1];
  int64_t idx[kMaxDims];
  int64_t off[N] = {};
  int64_t rem = begin;
  for (int d = nd - 1; d >= 0; --d) {
    idx[d] = rem % L.shape[d];
    rem /= L.shape[d];
    for (int k = 0; k < N; ++k) off[k] += idx[d] * L.strides[k][d];
  }
  int64_t pos = begin;
  while (pos < end) {
    const int64_t n = std::min<int64_t>(inner - idx[nd - 1], end - pos);
    f(static_cast<const int64_t*>(off), n);
    pos += n;
    if (pos >= end) break;
    // Advance to the start of the next row: undo the inner index, carry into outer dims.
    for (int k = 0; k < N; ++k) off[k] -= idx[nd - 1] * L.strides[k][nd - 1];
    idx[nd - 1] = 0;
    for (int d = nd - 2; d >= 0; --d) {
      for (int k = 0; k < N; ++k) off[k] += L.strides[k][d];
      if (++idx[d] < L.shape[d]) break;
      for (int k = 0; k < N; ++k) off[k] -= idx[d] * L.strides[k][d];
      idx[d] = 0;
    }
  }
}

}  // namespace fneedle

namespace fneedle {

// Dense strides (in elements) for a fresh output that walks memory in the same order as the
// inputs do ("K order", like NumPy's ufuncs): dims are ordered by the first input's |stride|
// where it is nonzero, then by the next input's, then C order.
inline void dense_strides_like(int ndim, const int64_t* shape, int ninputs,
                               const int64_t* const* in_strides, int64_t* out_strides) {
  int order[kMaxDims];
  for (int d = 0; d < ndim; ++d) order[d] = d;
  auto outer_than = [&](int a, int b) {  // should dim a sit outside dim b?
    for (int k = 0; k < ninputs; ++k) {
      const int64_t sa = std::llabs(in_strides[k][a]), sb = std::llabs(in_strides[k][b]);
      if (shape[a] == 1 || shape[b] == 1 || sa == 0 || sb == 0) continue;
      if (sa != sb) return sa > sb;
    }
    return false;
  };
  for (int i = 1; i < ndim; ++i) {  // insertion sort keeps C order among ties
    int v = order[i], j = i;
    while (j > 0 && outer_than(v, order[j - 1])) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = v;
  }
  int64_t s = 1;
  for (int i = ndim - 1; i >= 0; --i) {
    out_strides[order[i]] = s;
    s *= std::max<int64_t>(shape[order[i]], 1);
  }
}

}  // namespace fneedle
