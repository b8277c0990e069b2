// The fused elementwise register machine: a short program of (opcode, dst, a, b, c)
// instructions over registers runs over cache-sized blocks of an iteration space, so the
// intermediates of an elementwise chain stay in L1/L2 instead of going to memory.
//
// Registers hold values of the compute type (float or double), one per element of a block:
// register i < n_inputs holds input i (converted on load), the next n_consts registers hold
// the constants, the rest are temporaries. Outputs store a register (converted on store) to a
// C-contiguous array, or the sums of its rows of `reduce_rows` consecutive elements.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/dtype.h"

namespace fneedle::fused {

// The opcode table, in the order of fneedle/backend/fused_ops.py's OP_NAMES.
// Comparisons and logic produce 1 or 0; "nonzero" is true (NaN included).
#define FNEEDLE_FUSED_UNARY_OPS(X)                                                           \
  X(neg) X(abs) X(sign) X(floor) X(ceil) X(round_even) X(round_away) X(exp) X(exp2) X(log)   \
  X(log1p) X(expm1) X(sqrt) X(rsqrt) X(cbrt) X(sin) X(cos) X(tan) X(asin) X(acos) X(atan)    \
  X(sinh) X(cosh) X(tanh) X(asinh) X(acosh) X(atanh) X(logistic) X(erf) X(erfc) X(square)    \
  X(is_finite) X(logical_not) X(copy) X(integer_pow) X(trunc)
#define FNEEDLE_FUSED_BINARY_OPS(X)                                                          \
  X(add) X(sub) X(mul) X(div) X(rem) X(pow) X(max) X(min) X(atan2) X(nextafter) X(eq) X(ne)  \
  X(lt) X(le) X(gt) X(ge) X(logical_and) X(logical_or) X(logical_xor)
#define FNEEDLE_FUSED_TERNARY_OPS(X) X(select) X(clamp)

#define FNEEDLE_FUSED_ENUM(name) name,
enum class Op : int32_t {
  FNEEDLE_FUSED_UNARY_OPS(FNEEDLE_FUSED_ENUM) FNEEDLE_FUSED_BINARY_OPS(FNEEDLE_FUSED_ENUM)
  FNEEDLE_FUSED_TERNARY_OPS(FNEEDLE_FUSED_ENUM) kCount
};
#undef FNEEDLE_FUSED_ENUM

// Registers a program may use (each holds one block of values per thread).
constexpr int32_t kMaxRegs = 1 << 16;

// Op names in opcode order.
const std::vector<std::string>& op_names();

// Register operands an op reads (integer_pow reads one; its field b is the exponent).
int op_arity(Op op);

struct Instr {
  int32_t op, dst, a, b, c;
};

struct Input {
  const void* data;
  DType dtype;
};

// An output: C-contiguous; full-size, or (reduced) one sum per row of reduce_rows elements.
struct Output {
  int32_t reg;
  void* data;
  DType dtype;
  bool reduced;
  int64_t size;  // elements
};

struct Program {
  std::vector<int64_t> shape;  // the iteration shape
  const Instr* code = nullptr;
  int64_t n_instr = 0;
  std::vector<Input> inputs;
  // Input k's strides over the iteration shape are input_strides[k * ndim + d] (in elements,
  // 0 where it is broadcast).
  std::vector<int64_t> input_strides;
  const double* consts = nullptr;
  int64_t n_consts = 0;
  int32_t n_regs = 0;
  std::vector<Output> outputs;
  DType compute = DType::kFloat32;
  int64_t reduce_rows = 0;  // elements per row of a reduced output (> 0 when there is one)
};

// An empty string when the program can run, else a sentence saying what is wrong: opcodes,
// register indices (instructions never write inputs or constants, never read a temporary
// before it is written), and dtypes. Shapes are the caller's to check.
std::string validate(const Program& p);

// Runs a validated program; throws std::bad_alloc if scratch memory runs out. Loads convert
// to the compute type (bool: 0 or 1, any nonzero byte is true). Stores convert: to bool,
// value != 0 (NaN is true); to an integer type, truncation toward zero, saturating at the
// type's range, NaN -> 0 (XLA's rule; C leaves these undefined and NumPy gives INT_MIN).
// Outputs may alias inputs only element for element (out is in); other overlaps give
// unspecified values, never a crash.
void run(const Program& p);

// Tuning knobs (for benchmarks): elements per block, and the estimated work (elements x op
// cost) below which a call stays on one thread. Zero leaves a knob unchanged.
struct Tuning {
  int64_t block;
  int64_t parallel_work;
};
Tuning tuning();
void set_tuning(const Tuning& t);

}  // namespace fneedle::fused
