// Elementwise kernels: unary and binary ops over same-shape strided operands.
#pragma once

#include <cstdint>

#include "kernels/dtype.h"

namespace fneedle {

#define FNEEDLE_UNARY_OPS(X)                                                               \
  X(neg) X(sign) X(floor) X(ceil) X(round) X(round_away) X(abs) X(exp) X(exp2) X(log)     \
  X(log1p) X(expm1) X(sqrt) X(rsqrt) X(cbrt) X(sin) X(cos) X(tan) X(asin) X(acos) X(atan) \
  X(sinh) X(cosh) X(tanh) X(asinh) X(acosh) X(atanh) X(logistic) X(erf) X(erfc)           \
  X(is_finite) X(not_) X(square) X(reciprocal)

#define FNEEDLE_BINARY_OPS(X)                                                             \
  X(add) X(sub) X(mul) X(div) X(rem) X(pow) X(max) X(min) X(atan2) X(nextafter) X(and_)  \
  X(or_) X(xor_) X(shift_left) X(shift_right_logical) X(shift_right_arithmetic) X(eq)    \
  X(ne) X(lt) X(le) X(gt) X(ge)

#define FNEEDLE_ENUM_ENTRY(name) name,
enum class UnaryOp : int { FNEEDLE_UNARY_OPS(FNEEDLE_ENUM_ENTRY) kCount };
enum class BinaryOp : int { FNEEDLE_BINARY_OPS(FNEEDLE_ENUM_ENTRY) kCount };
#undef FNEEDLE_ENUM_ENTRY

// Primitive names ("not_" is the primitive "not", "and_" is "and", ...).
const char* unary_op_name(UnaryOp op);
const char* binary_op_name(BinaryOp op);

// Whether the kernel implements `op` for input dtype `t`.
bool unary_supported(UnaryOp op, DType t);
bool binary_supported(BinaryOp op, DType t);

// Output dtype: the input dtype, or bool for is_finite and comparisons.
DType unary_result(UnaryOp op, DType t);
DType binary_result(BinaryOp op, DType t);

// Minimum elements per thread before a second thread is worth waking.
int64_t unary_grain(UnaryOp op, DType t);
int64_t binary_grain(BinaryOp op, DType t);

// Operands share `shape`; out is freshly allocated (no aliasing with inputs).
struct ElemArgs {
  int ndim;
  const int64_t* shape;
  Operand out;
  Operand in[2];
};

// T is the input element type (bool, uint8_t, int32_t, uint32_t, int64_t, float, double).
template <class T>
void unary(UnaryOp op, const ElemArgs& args);
template <class T>
void binary(BinaryOp op, const ElemArgs& args);

}  // namespace fneedle
