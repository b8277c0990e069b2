"""The opcode table of the fused register machine (csrc/kernels/fused.h): op names in the
order of the C++ enum, so `OPCODE[name]` is the number `_C.fused_elementwise` expects.

Instructions are (opcode, dst, a, b, c) over registers. Unary ops read a; binary ops a, b;
`select` is select_n(which=a, case0=b, case1=c); `clamp` is min(max(b, a), c) (lo=a, x=b,
hi=c); `integer_pow` reads a and takes its exponent from field b. Comparisons and logic
produce 1.0/0.0 and treat any nonzero value (NaN included) as true.
"""

UNARY = (
    "neg", "abs", "sign", "floor", "ceil", "round_even", "round_away", "exp", "exp2", "log",
    "log1p", "expm1", "sqrt", "rsqrt", "cbrt", "sin", "cos", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "logistic", "erf", "erfc", "square",
    "is_finite", "logical_not", "copy", "integer_pow", "trunc",
)
BINARY = (
    "add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter", "eq", "ne",
    "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
)
TERNARY = ("select", "clamp")

OP_NAMES = UNARY + BINARY + TERNARY
OPCODE = {name: i for i, name in enumerate(OP_NAMES)}
ARITY = {**dict.fromkeys(UNARY, 1), **dict.fromkeys(BINARY, 2), **dict.fromkeys(TERNARY, 3)}
