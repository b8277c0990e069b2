// Inclusive scans along one axis: cumsum, cumprod, cummax, cummin, cumlogsumexp.
#pragma once

#include <cstdint>

#include "kernels/dtype.h"

namespace fneedle {

#define FNEEDLE_SCAN_OPS(X) X(cumsum) X(cumprod) X(cummax) X(cummin) X(cumlogsumexp)
#define FNEEDLE_ENUM_ENTRY(name) name,
enum class ScanOp : int { FNEEDLE_SCAN_OPS(FNEEDLE_ENUM_ENTRY) kCount };
#undef FNEEDLE_ENUM_ENTRY

const char* scan_op_name(ScanOp op);
bool scan_supported(ScanOp op, DType t);

// out has x's shape and dtype (any dense strides). Accumulation is in T (integers wrap);
// cummax/cummin propagate NaN; reverse scans from the end of the axis.
struct ScanArgs {
  int ndim;
  const int64_t* shape;
  const void* x;
  const int64_t* x_strides;  // in elements
  void* out;
  const int64_t* out_strides;
  int axis;
  bool reverse;
};

template <class T>
void scan(ScanOp op, const ScanArgs& args);

}  // namespace fneedle
