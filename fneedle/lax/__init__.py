"""fneedle.lax: the primitives, grouped by family, each with all of its rules beside it."""

from fneedle.lax.elementwise import (  # noqa: F401
    abs, acos, acosh, asin, asinh, atan, atanh, bitwise_not, cbrt, ceil, cos, cosh,
    digamma, erf, erf_inv, erfc, exp, exp2, expm1, floor, integer_pow, is_finite, lgamma,
    log, log1p, logistic, neg, polygamma, round, rsqrt, sign, sin, sinh, sqrt, square, tan,
    tanh)
from fneedle.lax.arithmetic import (  # noqa: F401
    add, atan2, bitcast_convert_type, bitwise_and, bitwise_or, bitwise_xor, clamp,
    convert_element_type, div, eq, ge, gt, le, lt, max, min, mul, ne, nextafter, pow, rem,
    select_n, shift_left, shift_right_arithmetic, shift_right_logical, sub)
from fneedle.lax.shape import (  # noqa: F401
    broadcast, broadcast_in_dim, expand_dims, full, full_like, reshape, squeeze, transpose,
    zeros_like)
from fneedle.lax.reduction import reduce_sum  # noqa: F401
