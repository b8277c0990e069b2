// Reductions over any set of axes (sum, prod, max, min, and, or) and argmax/argmin along one
// axis, for any input strides, without transposing the input first.
#pragma once

#include <cstdint>

#include "kernels/dtype.h"

namespace fneedle {

#define FNEEDLE_REDUCE_OPS(X) X(sum) X(prod) X(max) X(min) X(and_) X(or_)
#define FNEEDLE_ENUM_ENTRY(name) name,
enum class ReduceOp : int { FNEEDLE_REDUCE_OPS(FNEEDLE_ENUM_ENTRY) kCount };
#undef FNEEDLE_ENUM_ENTRY
enum class ArgOp : int { argmax, argmin, kCount };

const char* reduce_op_name(ReduceOp op);  // "sum", ..., "and", "or"
bool reduce_supported(ReduceOp op, DType t);
bool argreduce_supported(DType t);

// x has `ndim` dims; reduced[d] marks the reduced ones. out is C-contiguous over the kept
// dims, with x's dtype. Float32 sums and products accumulate in float64; float64 sums use
// pairwise summation along contiguous rows. max/min propagate NaN.
struct ReduceArgs {
  int ndim;
  const int64_t* shape;
  const void* x;
  const int64_t* x_strides;  // in elements
  const bool* reduced;
  void* out;
};

template <class T>
void reduce(ReduceOp op, const ReduceArgs& args);

// Index of the first max (min) along `axis`; a NaN counts as the max and the min (first NaN
// wins), like NumPy. out is C-contiguous over the other dims; I is int32_t or int64_t.
// The axis must be non-empty.
struct ArgReduceArgs {
  int ndim;
  const int64_t* shape;
  const void* x;
  const int64_t* x_strides;
  int axis;
  void* out;
};

template <class T, class I>
void argreduce(ArgOp op, const ArgReduceArgs& args);

}  // namespace fneedle
