"""Elementwise math (NumPy's ufuncs) over lax: promotion, broadcasting, NumPy's semantics.

The public face of the ufunc modules, one concept each: unary_math, rounding,
float_predicates, complex_parts, arithmetic, comparison, bitwise and float_math, over the
operand handling in ufunc_base. Each function takes a fast path when its operands already
agree (one dtype, one shape or a rank-0 operand), so eager calls on small arrays cost little
more than the kernel.
"""
# ruff: noqa: F401, I001  (re-exports, grouped as the modules are listed above)

from fneedle.numpy.ufunc_base import as_array, to_bool
from fneedle.numpy.unary_math import (
    abs, absolute, acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctanh, asin, asinh,
    atan, atanh, cbrt, cos, cosh, deg2rad, degrees, exp, exp2, expm1, fabs, log, log10, log1p,
    log2, negative, positive, rad2deg, radians, reciprocal, rsqrt, sign, sin, sinh, sqrt,
    square, tan, tanh)
from fneedle.numpy.rounding import around, ceil, fix, floor, rint, round, round_, trunc
from fneedle.numpy.float_predicates import (
    isfinite, isinf, isnan, isneginf, isposinf, signbit)
from fneedle.numpy.complex_parts import angle, conj, conjugate, imag, iscomplexobj, real
from fneedle.numpy.arithmetic import (
    add, arctan2, atan2, divide, divmod, float_power, floor_divide, fmod, mod, multiply,
    nextafter, pow, power, remainder, subtract, true_divide)
from fneedle.numpy.comparison import (
    equal, fmax, fmin, greater, greater_equal, less, less_equal, maximum, minimum, not_equal)
from fneedle.numpy.bitwise import (
    bitwise_and, bitwise_invert, bitwise_left_shift, bitwise_not, bitwise_or,
    bitwise_right_shift, bitwise_xor, invert, left_shift, logical_and, logical_not, logical_or,
    logical_xor, right_shift)
from fneedle.numpy.float_math import (
    copysign, heaviside, hypot, ldexp, logaddexp, logaddexp2, modf, sinc)
