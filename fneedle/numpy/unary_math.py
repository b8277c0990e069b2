"""Unary math ufuncs: trigonometric, hyperbolic, exponential and logarithmic functions
(computed in floating point), and sign, magnitude, square and reciprocal."""

import math

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.interpreter import Tracer, bind
from fneedle.lax import elementwise as _el
from fneedle.numpy.promotion import promote_inexact
from fneedle.numpy.ufunc_base import NO_PARAMS, as_array, inexact, named_ufunc

_FLOATS = dtypes.FLOATS
_BOOL = dtypes.bool_


def _float_unary(prim, name, text):
    """A ufunc computing in floating point: ints and bools become float32 first."""
    def ufunc(x, /):
        if type(x) is Array:
            if x._buf.dtype in _FLOATS:
                return bind(prim, (x,), NO_PARAMS)
        elif isinstance(x, Tracer) and x.aval.dtype in _FLOATS:
            return bind(prim, (x,), NO_PARAMS)
        elif type(x) is np.ndarray and x.dtype in _FLOATS:  # copied: Arrays are immutable
            return bind(prim, (Array(np.array(x), False),), NO_PARAMS)
        return bind(prim, (promote_inexact((x,), name)[0],), NO_PARAMS)
    return named_ufunc(ufunc, name, text, f"fnp.{name}(fnp.asarray([0.5, 1.0]))")


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


def log2(x, /):
    """Base-2 logarithm, elementwise. Example: fnp.log2(8.0) == 3.0."""
    x = inexact(x, "log2")
    return lax.mul(lax.log(x), 1.0 / math.log(2.0))


def log10(x, /):
    """Base-10 logarithm, elementwise. Example: fnp.log10(100.0) == 2.0."""
    x = inexact(x, "log10")
    return lax.mul(lax.log(x), 1.0 / math.log(10.0))


def deg2rad(x, /):
    """Degrees to radians. Example: fnp.deg2rad(180.0) == pi."""
    return lax.mul(inexact(x, "deg2rad"), math.pi / 180.0)


def rad2deg(x, /):
    """Radians to degrees. Example: fnp.rad2deg(fnp.pi) == 180.0."""
    return lax.mul(inexact(x, "rad2deg"), 180.0 / math.pi)


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
    return lax.abs(inexact(x, "fabs"))


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
    return lax.div(1.0, inexact(x, "reciprocal"))
