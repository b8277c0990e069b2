// Strided copies into dense outputs: `copy` (any strides -> C order) and `transpose`
// (materialize a permuted view), tiled so both the reads and the writes stay in cache.
#pragma once

#include <cstdint>

namespace fneedle {

// out[i] = x[i] for every index of `shape`; elements are `itemsize` bytes of plain data
// (no object references). Strides are in bytes; out must not overlap x.
void strided_copy(int ndim, const int64_t* shape, const void* x, const int64_t* x_strides,
                  void* out, const int64_t* out_strides, int64_t itemsize);

}  // namespace fneedle
