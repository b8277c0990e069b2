// Threefry-2x32 with 20 rounds (Salmon et al., SC 2011; Random123's threefry2x32_20), the
// block cipher under fneedle.random. Elementwise over arrays; plain C++ with OpenMP.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "kernels/parallel.h"

namespace fneedle {

inline uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

// One round: mix the two words, rotating the second by r bits.
#define FNEEDLE_THREEFRY_ROUND(r)   \
  y0 += y1;                         \
  y1 = rotl32(y1, r);               \
  y1 ^= y0;

// (x0, x1) encrypted under the key (k0, k1).
inline void threefry2x32_block(uint32_t k0, uint32_t k1, uint32_t x0, uint32_t x1,
                               uint32_t* out0, uint32_t* out1) {
  const uint32_t k2 = k0 ^ k1 ^ 0x1BD11BDAu;
  uint32_t y0 = x0 + k0, y1 = x1 + k1;
  FNEEDLE_THREEFRY_ROUND(13) FNEEDLE_THREEFRY_ROUND(15)
  FNEEDLE_THREEFRY_ROUND(26) FNEEDLE_THREEFRY_ROUND(6)
  y0 += k1; y1 += k2 + 1u;
  FNEEDLE_THREEFRY_ROUND(17) FNEEDLE_THREEFRY_ROUND(29)
  FNEEDLE_THREEFRY_ROUND(16) FNEEDLE_THREEFRY_ROUND(24)
  y0 += k2; y1 += k0 + 2u;
  FNEEDLE_THREEFRY_ROUND(13) FNEEDLE_THREEFRY_ROUND(15)
  FNEEDLE_THREEFRY_ROUND(26) FNEEDLE_THREEFRY_ROUND(6)
  y0 += k0; y1 += k1 + 3u;
  FNEEDLE_THREEFRY_ROUND(17) FNEEDLE_THREEFRY_ROUND(29)
  FNEEDLE_THREEFRY_ROUND(16) FNEEDLE_THREEFRY_ROUND(24)
  y0 += k1; y1 += k2 + 4u;
  FNEEDLE_THREEFRY_ROUND(13) FNEEDLE_THREEFRY_ROUND(15)
  FNEEDLE_THREEFRY_ROUND(26) FNEEDLE_THREEFRY_ROUND(6)
  y0 += k2; y1 += k0 + 5u;
  *out0 = y0;
  *out1 = y1;
}

#undef FNEEDLE_THREEFRY_ROUND

// The operands of one call: each input holds n elements (contiguous) or one (broadcast).
struct ThreefryArgs {
  const uint32_t* in[4];  // key0, key1, x0, x1
  bool is_array[4];       // false: a single element used for every output
  uint32_t* out0;
  uint32_t* out1;
  int64_t n;
};

namespace detail {

// The loop for one pattern of array/broadcast inputs: the strides are compile-time 0 or 1,
// so the compiler vectorizes it (with AVX-512 the rotations are single instructions).
template <int kMask>
void threefry2x32_range(const ThreefryArgs& a, int64_t begin, int64_t end) {
  constexpr int64_t s0 = kMask & 1, s1 = (kMask >> 1) & 1, s2 = (kMask >> 2) & 1,
                    s3 = (kMask >> 3) & 1;
  const uint32_t* __restrict k0 = a.in[0];
  const uint32_t* __restrict k1 = a.in[1];
  const uint32_t* __restrict x0 = a.in[2];
  const uint32_t* __restrict x1 = a.in[3];
  uint32_t* __restrict y0 = a.out0;
  uint32_t* __restrict y1 = a.out1;
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    threefry2x32_block(k0[i * s0], k1[i * s1], x0[i * s2], x1[i * s3], y0 + i, y1 + i);
  }
}

using ThreefryRange = void (*)(const ThreefryArgs&, int64_t, int64_t);

template <int... kMasks>
constexpr std::array<ThreefryRange, sizeof...(kMasks)> threefry_table(
    std::integer_sequence<int, kMasks...>) {
  return {&threefry2x32_range<kMasks>...};
}

}  // namespace detail

// out = threefry2x32(key0, key1, x0, x1) elementwise, over both cores for large n.
inline void threefry2x32(const ThreefryArgs& a) {
  static constexpr auto table = detail::threefry_table(std::make_integer_sequence<int, 16>{});
  int mask = 0;
  for (int j = 0; j < 4; ++j) mask |= (a.is_array[j] ? 1 : 0) << j;
  const detail::ThreefryRange range = table[mask];
  // About 100 cycles of work per element before vectorizing: threads pay off early.
  parallel_for(a.n, int64_t{1} << 13,
               [&](int64_t begin, int64_t end) { range(a, begin, end); });
}

}  // namespace fneedle
