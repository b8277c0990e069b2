// Scatter-add of rows by index: segment_sum and bincount.
#pragma once

#include <cstdint>

namespace fneedle {

// out[ids[i], :] += data[i, :] for i < n, rows of `width` elements; ids outside
// [0, num_segments) are dropped. data == nullptr means every element is 1 (bincount).
// data rows are at data + i * row_stride with elements `col_stride` apart; ids are
// `id_stride` apart; out is C-contiguous (num_segments, width) and is overwritten.
// T: float, double, int32_t, int64_t (integers wrap). I: int32_t, int64_t.
template <class T, class I>
void segment_sum(const T* data, int64_t row_stride, int64_t col_stride, int64_t n,
                 int64_t width, const I* ids, int64_t id_stride, int64_t num_segments, T* out);

}  // namespace fneedle
