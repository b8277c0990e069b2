"""Elementwise math (NumPy's ufuncs) over lax: promotion, broadcasting, NumPy's semantics.

Each function takes a fast path when its operands already agree (one dtype, one shape or a
rank-0 operand), so eager calls on small arrays cost little more than the kernel.
"""

import math

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.interpreter import Tracer, bind
from fneedle.lax import arithmetic as _ar
from fneedle.lax import elementwise as _el
from fneedle.lax.complex import conj as _conj
from fneedle.lax.complex import imag as _imag
from fneedle.lax.complex import real as _real
from fneedle.numpy.promotion import aval_of, promote, promote_inexact

_FLOATS = dtypes.FLOATS
_INTS = dtypes.INTEGERS
_BOOL = dtypes.bool_
_NO_PARAMS = {}


def _doc(fn, name, text, example):
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{text}\n\n    Example: {example}\n    "
    return fn


# ---------------------------------------------------------------------------------------
# Unary functions.

def _float_unary(prim, name, text):
    """A ufunc computing in floating point: ints and bools become float32 first."""
    def ufunc(x, /):
        if type(x) is Array:
            if x._buf.dtype in _FLOATS:
                return bind(prim, (x,), _NO_PARAMS)
        elif isinstance(x, Tracer) and x.aval.dtype in _FLOATS:
            return bind(prim, (x,), _NO_PARAMS)
        elif type(x) is np.ndarray and x.dtype in _FLOATS:  # copied: Arrays are immutable
            return bind(prim, (Array(np.array(x), False),), _NO_PARAMS)
        return bind(prim, (promote_inexact((x,), name)[0],), _NO_PARAMS)
    return _doc(ufunc, name, text, f"fnp.{name}(fnp.asarray([0.5, 1.0]))")


sin = _float_unary(_el.sin_p, "sin", "Sine, elementwise.")
cos = _float_unary(_el.cos_p, "cos", "Cosine, elementwise.")
tan = _float_unary(_el.tan_p, "tan", "Tangent, elementwise.")
arcsin = _float_unary(_el.asin_p, "arcsin", "Inverse sine, elementwise.")
arccos = _float_unary(_el.acos_p, "arccos", "Inverse cosine, elementwise.")
arctan = _float_unary(_el.atan_p, "arctan", "Inverse tangent, elementwise.")
sinh = _float_unary(_el.sinh_p, "sinh", "Hyperbolic sine, elementwise.")
cosh = _float_unary(_el.cosh_p, "cosh", "Hyperbolic cosine, elementwise.")
tanh = _float_unary(_el.tanh_p, "tanh", "Hyperbolic tangent, elementwise.")
arcsinh = _float_unary(_el.asinh_p, "arcsinh", "Inverse hyperbolic sine, elementwise.")
arccosh = _float_unary(_el.acosh_p, "arccosh", "Inverse hyperbolic cosine, elementwise.")
arctanh = _float_unary(_el.atanh_p, "arctanh", "Inverse hyperbolic tangent, elementwise.")
exp = _float_unary(_el.exp_p, "exp", "e**x, elementwise.")
exp2 = _float_unary(_el.exp2_p, "exp2", "2**x, elementwise.")
log = _float_unary(_el.log_p, "log", "Natural logarithm, elementwise.")
log1p = _float_unary(_el.log1p_p, "log1p", "log(1 + x), accurate for small x.")
expm1 = _float_unary(_el.expm1_p, "expm1", "exp(x) - 1, accurate for small x.")
sqrt = _float_unary(_el.sqrt_p, "sqrt", "Square root, elementwise.")
rsqrt = _float_unary(_el.rsqrt_p, "rsqrt", "1 / sqrt(x), elementwise.")
cbrt = _float_unary(_el.cbrt_p, "cbrt", "Cube root, elementwise.")
asin, acos, atan = arcsin, arccos, arctan
asinh, acosh, atanh = arcsinh, arccosh, arctanh


def _inexact(x, name):
    return promote_inexact((x,), name)[0]


def as_array(x):
    """x as an array of its own dtype (Python scalars weakly typed)."""
    if type(x) is Array or isinstance(x, Tracer):
        return x
    return promote((x,), "asarray")[0]


def log2(x, /):
    """Base-2 logarithm, elementwise. Example: fnp.log2(8.0) == 3.0."""
    x = _inexact(x, "log2")
    return lax.mul(lax.log(x), 1.0 / math.log(2.0))


def log10(x, /):
    """Base-10 logarithm, elementwise. Example: fnp.log10(100.0) == 2.0."""
    x = _inexact(x, "log10")
    return lax.mul(lax.log(x), 1.0 / math.log(10.0))


def deg2rad(x, /):
    """Degrees to radians. Example: fnp.deg2rad(180.0) == pi."""
    return lax.mul(_inexact(x, "deg2rad"), math.pi / 180.0)


def rad2deg(x, /):
    """Radians to degrees. Example: fnp.rad2deg(fnp.pi) == 180.0."""
    return lax.mul(_inexact(x, "rad2deg"), 180.0 / math.pi)


radians, degrees = deg2rad, rad2deg


def negative(x, /):
    """-x, elementwise. Example: fnp.negative(fnp.asarray([1, -2])) -> [-1, 2]."""
    return lax.neg(as_array(x))


def positive(x, /):
    """+x (a copy of x). Example: fnp.positive(fnp.asarray([1, -2])) -> [1, -2]."""
    return as_array(x)


def absolute(x, /):
    """|x|, elementwise (bools stay bools). Example: fnp.abs(fnp.asarray([-1.5])) -> [1.5]."""
    x = as_array(x)
    if x.dtype == _BOOL or dtypes.is_unsigned(x.dtype):
        return x
    return lax.abs(x)


abs = absolute


def fabs(x, /):
    """|x| as a float. Example: fnp.fabs(-2) == 2.0."""
    return lax.abs(_inexact(x, "fabs"))


def sign(x, /):
    """-1, 0 or 1 by the sign of x (NaN for NaN). Example: fnp.sign(-3.0) == -1.0."""
    x = as_array(x)
    if x.dtype == _BOOL:
        return x
    if dtypes.is_unsigned(x.dtype):
        return lax.convert_element_type(lax.ne(x, 0), x.dtype, x.weak_type)
    return lax.sign(x)


def square(x, /):
    """x * x, elementwise. Example: fnp.square(fnp.asarray([3])) -> [9]."""
    x = as_array(x)
    if x.dtype == _BOOL:
        return x
    return lax.square(x)


def reciprocal(x, /):
    """1 / x, elementwise, in floating point. Example: fnp.reciprocal(4.0) == 0.25."""
    return lax.div(1.0, _inexact(x, "reciprocal"))


def _rounding(name, prim_fn, text):
    def ufunc(x, /):
        x = as_array(x)
        if x.dtype not in _FLOATS:
            return x  # integers are already whole
        return prim_fn(x)
    return _doc(ufunc, name, text, f"fnp.{name}(fnp.asarray([-1.5, 2.5]))")


floor = _rounding("floor", lax.floor, "The largest integer <= x, elementwise.")
ceil = _rounding("ceil", lax.ceil, "The smallest integer >= x, elementwise.")
rint = _rounding("rint", lambda x: lax.round(x, 1), "x rounded to the nearest integer "
                 "(halves to even), elementwise.")
trunc = _rounding("trunc", lambda x: lax.select_n(lax.lt(x, 0.0), lax.floor(x), lax.ceil(x)),
                  "x rounded toward zero, elementwise.")
fix = trunc


def round(a, decimals=0, out=None):
    """a rounded to `decimals` decimal places, halves to even (as NumPy).

    Example: fnp.round(fnp.asarray([1.25, 2.5]), 1) -> [1.2, 2.5].
    """
    if out is not None:
        raise NotImplementedError("fneedle arrays are immutable: round() takes no out=.")
    a = as_array(a)
    decimals = int(decimals)
    if a.dtype not in _FLOATS:
        if decimals >= 0:
            return a
        wide = lax.convert_element_type(a, dtypes.float64)
        factor = float(10.0 ** -decimals)
        out = lax.mul(lax.round(lax.div(wide, factor), 1), factor)
        return lax.convert_element_type(out, a.dtype, a.weak_type)
    if decimals == 0:
        return lax.round(a, 1)
    # Compute in float32 at least so that 10**decimals scaling keeps its precision.
    dt = a.dtype
    wide = lax.convert_element_type(a, dtypes.float32) if dt.itemsize < 4 else a
    factor = float(10.0 ** decimals)
    out = lax.div(lax.round(lax.mul(wide, factor), 1), factor)
    return lax.convert_element_type(out, dt, a.weak_type)


around = round_ = round


def isfinite(x, /):
    """Whether x is neither infinite nor NaN. Example: fnp.isfinite(fnp.inf) is False."""
    x = as_array(x)
    if dtypes.is_complex(x.dtype):
        return lax.bitwise_and(isfinite(_real(x)), isfinite(_imag(x)))
    if x.dtype in _FLOATS:
        return lax.is_finite(x)
    return lax.full(x.shape, True, _BOOL)


def isnan(x, /):
    """Whether x is NaN, elementwise. Example: fnp.isnan(fnp.nan) is True."""
    x = as_array(x)
    if dtypes.is_complex(x.dtype):
        return lax.bitwise_or(isnan(_real(x)), isnan(_imag(x)))
    if x.dtype in _FLOATS:
        return lax.ne(x, x)
    return lax.full(x.shape, False, _BOOL)


def isinf(x, /):
    """Whether x is +inf or -inf, elementwise. Example: fnp.isinf(-fnp.inf) is True."""
    x = as_array(x)
    if dtypes.is_complex(x.dtype):
        return lax.bitwise_or(isinf(_real(x)), isinf(_imag(x)))
    if x.dtype in _FLOATS:
        return lax.eq(lax.abs(x), math.inf)
    return lax.full(x.shape, False, _BOOL)


def isposinf(x, /):
    """Whether x is +inf, elementwise."""
    x = as_array(x)
    return lax.eq(x, math.inf) if x.dtype in _FLOATS else lax.full(x.shape, False, _BOOL)


def isneginf(x, /):
    """Whether x is -inf, elementwise."""
    x = as_array(x)
    return lax.eq(x, -math.inf) if x.dtype in _FLOATS else lax.full(x.shape, False, _BOOL)


_SAME_WIDTH_INT = {dtypes.float16: dtypes.int16, dtypes.bfloat16: dtypes.int16,
                   dtypes.float32: dtypes.int32, dtypes.float64: dtypes.int64}


def signbit(x, /):
    """Whether the sign bit of x is set (true for -0.0). Example: fnp.signbit(-0.0) is True."""
    x = as_array(x)
    if x.dtype in _FLOATS:
        return lax.lt(lax.bitcast_convert_type(x, _SAME_WIDTH_INT[x.dtype]), 0)
    if x.dtype == _BOOL or dtypes.is_unsigned(x.dtype):
        return lax.full(x.shape, False, _BOOL)
    return lax.lt(x, 0)


def to_bool(x):
    x = as_array(x)
    return x if x.dtype == _BOOL else lax.ne(x, 0)


def logical_not(x, /):
    """not x, elementwise (nonzero is true). Example: fnp.logical_not(fnp.asarray([0, 2]))."""
    return lax.bitwise_not(to_bool(x))


def bitwise_not(x, /):
    """~x, elementwise, for integers and bools. Example: fnp.bitwise_not(fnp.int8(0)) == -1."""
    return lax.bitwise_not(as_array(x))


invert = bitwise_invert = bitwise_not


def conjugate(x, /):
    """The complex conjugate, elementwise (a real array is its own conjugate).

    Example: fnp.conj(fnp.asarray([1 + 2j])) -> [1 - 2j].
    """
    x = as_array(x)
    return _conj(x) if dtypes.is_complex(x.dtype) else x


conj = conjugate


def real(x, /):
    """The real part (float32 for complex64, float64 for complex128; real arrays unchanged).

    Example: fnp.real(fnp.asarray([1 + 2j])) -> [1.].
    """
    x = as_array(x)
    return _real(x) if dtypes.is_complex(x.dtype) else x


def imag(x, /):
    """The imaginary part (zeros of x's dtype for a real array).

    Example: fnp.imag(fnp.asarray([1 + 2j])) -> [2.].
    """
    x = as_array(x)
    if dtypes.is_complex(x.dtype):
        return _imag(x)
    return lax.full(x.shape, 0, x.dtype)


def angle(z, deg=False):
    """The argument of z in (-pi, pi] (in degrees if deg), as a real float array.

    Example: fnp.angle(fnp.asarray([1j, -1.0])) -> [pi/2, pi].
    """
    z = as_array(z)
    if dtypes.is_complex(z.dtype):
        y, x = _imag(z), _real(z)
    else:
        x = _inexact(z, "angle")
        y = lax.full_like(x, 0.0)
    out = lax.atan2(y, x)
    return lax.mul(out, 180.0 / math.pi) if deg else out


def iscomplexobj(x):
    """Whether x has a complex dtype (whatever its values).

    Example: fnp.iscomplexobj(fnp.asarray([1.0 + 0j])) is True.
    """
    return dtypes.is_complex(aval_of(x).dtype)


# ---------------------------------------------------------------------------------------
# Binary functions.

def _pair(x, y, name):
    """(x, y) as arrays of one dtype that lax accepts: one shape, or a rank-0 operand."""
    if type(x) is Array and type(y) is Array:
        bx, by = x._buf, y._buf
        if bx.dtype == by.dtype and (bx.shape == by.shape or not bx.ndim or not by.ndim):
            return x, y
    elif type(y) is float and type(x) is Array and x._buf.dtype in _FLOATS:
        return x, Array(np.asarray(y, x._buf.dtype), True)
    return promote((x, y), name)


def _binary(prim, name, text, example):
    def ufunc(x, y, /):
        return bind(prim, _pair(x, y, name), _NO_PARAMS)
    return _doc(ufunc, name, text, example)


add = _binary(_ar.add_p, "add", "x + y, elementwise, with broadcasting.",
              "fnp.add(fnp.ones(3), 2.0) -> [3., 3., 3.]")
subtract = _binary(_ar.sub_p, "subtract", "x - y, elementwise, with broadcasting.",
                   "fnp.subtract(3, fnp.ones(2)) -> [2., 2.]")
multiply = _binary(_ar.mul_p, "multiply", "x * y, elementwise, with broadcasting.",
                   "fnp.multiply(fnp.ones(2), 3.0) -> [3., 3.]")
maximum = _binary(_ar.max_p, "maximum", "The larger of x and y, elementwise (NaN wins).",
                  "fnp.maximum(fnp.asarray([1, 5]), 3) -> [3, 5]")
minimum = _binary(_ar.min_p, "minimum", "The smaller of x and y, elementwise (NaN wins).",
                  "fnp.minimum(fnp.asarray([1, 5]), 3) -> [1, 3]")
equal = _binary(_ar.eq_p, "equal", "x == y, elementwise.", "fnp.equal(fnp.arange(3), 1)")
not_equal = _binary(_ar.ne_p, "not_equal", "x != y, elementwise.",
                    "fnp.not_equal(fnp.arange(3), 1)")
less = _binary(_ar.lt_p, "less", "x < y, elementwise.", "fnp.less(fnp.arange(3), 1)")
less_equal = _binary(_ar.le_p, "less_equal", "x <= y, elementwise.",
                     "fnp.less_equal(fnp.arange(3), 1)")
greater = _binary(_ar.gt_p, "greater", "x > y, elementwise.", "fnp.greater(fnp.arange(3), 1)")
greater_equal = _binary(_ar.ge_p, "greater_equal", "x >= y, elementwise.",
                        "fnp.greater_equal(fnp.arange(3), 1)")
bitwise_and = _binary(_ar.and_p, "bitwise_and", "x & y for integers and bools.",
                      "fnp.bitwise_and(12, fnp.asarray([10])) -> [8]")
bitwise_or = _binary(_ar.or_p, "bitwise_or", "x | y for integers and bools.",
                     "fnp.bitwise_or(12, fnp.asarray([10])) -> [14]")
bitwise_xor = _binary(_ar.xor_p, "bitwise_xor", "x ^ y for integers and bools.",
                      "fnp.bitwise_xor(12, fnp.asarray([10])) -> [6]")


def _inexact_pair(x, y, name):
    if type(x) is Array and type(y) is Array:
        bx, by = x._buf, y._buf
        if bx.dtype == by.dtype and bx.dtype in _FLOATS and (
                bx.shape == by.shape or not bx.ndim or not by.ndim):
            return x, y
    return promote_inexact((x, y), name)


def true_divide(x, y, /):
    """x / y in floating point (ints become float32). Example: fnp.divide(1, 2) == 0.5."""
    return bind(_ar.div_p, _inexact_pair(x, y, "true_divide"), _NO_PARAMS)


divide = true_divide


def arctan2(x1, x2, /):
    """The angle of the point (x2, x1), in (-pi, pi]. Example: fnp.arctan2(1.0, 0.0) == pi/2."""
    return bind(_ar.atan2_p, _inexact_pair(x1, x2, "arctan2"), _NO_PARAMS)


atan2 = arctan2


def nextafter(x1, x2, /):
    """The next float after x1 toward x2. Example: fnp.nextafter(1.0, 2.0) > 1.0."""
    return bind(_ar.nextafter_p, _inexact_pair(x1, x2, "nextafter"), _NO_PARAMS)


def _floor_divmod(x, y):
    """Python's // and % for floats: the quotient is floored, the remainder takes y's sign."""
    mod = lax.rem(x, y)
    div = lax.div(lax.sub(x, mod), y)
    fix = lax.bitwise_and(lax.ne(mod, 0.0), lax.ne(lax.lt(y, 0.0), lax.lt(mod, 0.0)))
    mod = lax.select_n(fix, mod, lax.add(mod, y))
    div = lax.select_n(fix, div, lax.sub(div, 1.0))
    return lax.round(div, 1), mod


def floor_divide(x, y, /):
    """x // y: the floored quotient, as Python and NumPy. Example: fnp.floor_divide(-7, 2) == -4.
    """
    x, y = promote((x, y), "floor_divide")
    if x.dtype == _BOOL:
        raise TypeError("floor_divide does not accept bool operands; convert them to int.")
    if x.dtype in _FLOATS:
        return _floor_divmod(x, y)[0]
    q = lax.div(x, y)  # truncates toward zero
    if dtypes.is_unsigned(x.dtype):
        return q
    r = lax.rem(x, y)
    fix = lax.bitwise_and(lax.ne(r, 0), lax.ne(lax.lt(r, 0), lax.lt(y, 0)))
    return lax.select_n(fix, q, lax.sub(q, 1))


def remainder(x, y, /):
    """x % y with the sign of y, as Python and NumPy. Example: fnp.remainder(-7, 2) == 1."""
    x, y = promote((x, y), "remainder")
    if x.dtype == _BOOL:
        raise TypeError("remainder does not accept bool operands; convert them to int.")
    if x.dtype in _FLOATS:
        return _floor_divmod(x, y)[1]
    r = lax.rem(x, y)
    if dtypes.is_unsigned(x.dtype):
        return r
    fix = lax.bitwise_and(lax.ne(r, 0), lax.ne(lax.lt(r, 0), lax.lt(y, 0)))
    return lax.select_n(fix, r, lax.add(r, y))


mod = remainder


def divmod(x, y, /):
    """(floor_divide(x, y), remainder(x, y)). Example: fnp.divmod(7, 2) == (3, 1)."""
    x, y = promote((x, y), "divmod")
    if x.dtype in _FLOATS:
        return _floor_divmod(x, y)
    return floor_divide(x, y), remainder(x, y)


def fmod(x, y, /):
    """The remainder of x / y with the sign of x (C's fmod). Example: fnp.fmod(-7, 2) == -1."""
    x, y = promote((x, y), "fmod")
    return lax.rem(x, y)


def power(x, y, /):
    """x ** y, elementwise, with broadcasting. A Python int exponent uses repeated multiplication.

    Example: fnp.power(fnp.asarray([2.0, 3.0]), 2) -> [4., 9.].
    """
    if (type(y) is int and (type(x) is Array or isinstance(x, Tracer)) and x.dtype != _BOOL
            and (y >= 0 or x.dtype in _FLOATS)):
        return lax.integer_pow(x, y)
    x, y = promote((x, y), "power")
    if x.dtype == _BOOL:
        raise TypeError("power does not accept bool operands; convert them to int.")
    return lax.pow(x, y)


pow = power


def float_power(x, y, /):
    """x ** y computed in float64 where the operands are not already floats."""
    x, y = promote_inexact((x, y), "float_power")
    return lax.pow(x, y)


def fmax(x, y, /):
    """The larger of x and y, ignoring NaNs (NaN only where both are NaN)."""
    x, y = promote((x, y), "fmax")
    if x.dtype not in _FLOATS:
        return lax.max(x, y)
    return lax.select_n(lax.ne(x, x), lax.select_n(lax.ne(y, y), lax.max(x, y), x), y)


def fmin(x, y, /):
    """The smaller of x and y, ignoring NaNs (NaN only where both are NaN)."""
    x, y = promote((x, y), "fmin")
    if x.dtype not in _FLOATS:
        return lax.min(x, y)
    return lax.select_n(lax.ne(x, x), lax.select_n(lax.ne(y, y), lax.min(x, y), x), y)


def hypot(x, y, /):
    """sqrt(x**2 + y**2) without overflow for large x, y. Example: fnp.hypot(3.0, 4.0) == 5.0.
    """
    x, y = promote_inexact((x, y), "hypot", keep_scalars=False)
    x, y = lax.abs(x), lax.abs(y)
    big, small = lax.max(x, y), lax.min(x, y)
    safe = lax.select_n(lax.eq(big, 0.0), big, lax.full_like(big, 1.0))
    ratio = lax.div(small, safe)
    out = lax.mul(big, lax.sqrt(lax.add(1.0, lax.mul(ratio, ratio))))
    out = lax.select_n(lax.eq(big, 0.0), out, big)
    return lax.select_n(lax.eq(big, math.inf), out, big)  # inf wins over NaN, as in C


def copysign(x, y, /):
    """|x| with the sign of y. Example: fnp.copysign(2.0, -0.0) == -2.0."""
    x, y = promote_inexact((x, y), "copysign", keep_scalars=False)
    ax = lax.abs(x)
    return lax.select_n(signbit(y), ax, lax.neg(ax))


def heaviside(x1, x2, /):
    """0 where x1 < 0, x2 where x1 == 0, 1 where x1 > 0."""
    x1, x2 = promote((x1, x2), "heaviside", keep_scalars=False)
    zero, one = lax.full_like(x1, 0), lax.full_like(x1, 1)
    return lax.select_n(lax.lt(x1, 0), lax.select_n(lax.eq(x1, 0), one, x2), zero)


def logaddexp(x1, x2, /):
    """log(exp(x1) + exp(x2)) without overflow. Example: fnp.logaddexp(0.0, 0.0) == log(2)."""
    x1, x2 = promote_inexact((x1, x2), "logaddexp", keep_scalars=False)
    amax = lax.max(x1, x2)
    delta = lax.sub(x1, x2)
    finite = lax.log1p(lax.exp(lax.neg(lax.abs(delta))))
    out = lax.add(amax, finite)
    # Where delta is NaN, both are infinite of one sign (or one is NaN): x1 + x2 is right.
    return lax.select_n(lax.ne(delta, delta), out, lax.add(x1, x2))


def logaddexp2(x1, x2, /):
    """log2(2**x1 + 2**x2) without overflow."""
    x1, x2 = promote_inexact((x1, x2), "logaddexp2")
    ln2 = math.log(2.0)
    return lax.div(logaddexp(lax.mul(x1, ln2), lax.mul(x2, ln2)), ln2)


def _shift_pair(x, y, name):
    x, y = promote((x, y), name)
    if not dtypes.is_integer(x.dtype):
        raise TypeError(f"{name} needs integer operands, got {dtypes.short_name(x.dtype)}.")
    return x, y


def left_shift(x, y, /):
    """x << y for integers. Example: fnp.left_shift(1, fnp.asarray([3])) -> [8]."""
    return lax.shift_left(*_shift_pair(x, y, "left_shift"))


def right_shift(x, y, /):
    """x >> y for integers (arithmetic for signed, logical for unsigned)."""
    x, y = _shift_pair(x, y, "right_shift")
    if dtypes.is_unsigned(x.dtype):
        return lax.shift_right_logical(x, y)
    return lax.shift_right_arithmetic(x, y)


bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


def _logical(fn, name):
    def ufunc(x, y, /):
        x, y = promote((to_bool(x), to_bool(y)), name)
        return fn(x, y)
    return _doc(ufunc, name, f"Elementwise logical {name[8:]} (nonzero is true).",
                f"fnp.{name}(fnp.asarray([True, False]), True)")


logical_and = _logical(lax.bitwise_and, "logical_and")
logical_or = _logical(lax.bitwise_or, "logical_or")
logical_xor = _logical(lax.bitwise_xor, "logical_xor")


def sinc(x, /):
    """sin(pi x) / (pi x), with sinc(0) = 1. Example: fnp.sinc(0.0) == 1.0."""
    x = _inexact(x, "sinc")
    pix = lax.mul(x, math.pi)
    zero = lax.eq(x, 0.0)
    safe = lax.select_n(zero, pix, lax.full_like(pix, 1.0))
    return lax.select_n(zero, lax.div(lax.sin(safe), safe), lax.full_like(pix, 1.0))


def modf(x, /):
    """(fractional part, integral part) of x, both with x's sign."""
    x = _inexact(x, "modf")
    whole = trunc(x)
    return lax.sub(x, whole), whole


def ldexp(x1, x2, /):
    """x1 * 2**x2 for an integer x2."""
    x1 = _inexact(x1, "ldexp")
    return multiply(x1, lax.exp2(lax.convert_element_type(as_array(x2), x1.dtype)))
