"""Arithmetic ufuncs: add, subtract, multiply, the divisions (true, floor, remainder, divmod,
fmod), powers, arctan2 and nextafter."""

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.interpreter import Tracer, bind
from fneedle.lax import arithmetic as _ar
from fneedle.numpy.promotion import promote, promote_inexact
from fneedle.numpy.ufunc_base import NO_PARAMS, binary_ufunc, inexact_pair

_FLOATS = dtypes.FLOATS
_BOOL = dtypes.bool_


add = binary_ufunc(_ar.add_p, "add", "x + y, elementwise, with broadcasting.",
                   "fnp.add(fnp.ones(3), 2.0) -> [3., 3., 3.]")
subtract = binary_ufunc(_ar.sub_p, "subtract", "x - y, elementwise, with broadcasting.",
                        "fnp.subtract(3, fnp.ones(2)) -> [2., 2.]")
multiply = binary_ufunc(_ar.mul_p, "multiply", "x * y, elementwise, with broadcasting.",
                        "fnp.multiply(fnp.ones(2), 3.0) -> [3., 3.]")


def true_divide(x, y, /):
    """x / y in floating point (ints become float32). Example: fnp.divide(1, 2) == 0.5."""
    return bind(_ar.div_p, inexact_pair(x, y, "true_divide"), NO_PARAMS)


divide = true_divide


def arctan2(x1, x2, /):
    """The angle of the point (x2, x1), in (-pi, pi]. Example: fnp.arctan2(1.0, 0.0) == pi/2."""
    return bind(_ar.atan2_p, inexact_pair(x1, x2, "arctan2"), NO_PARAMS)


atan2 = arctan2


def nextafter(x1, x2, /):
    """The next float after x1 toward x2. Example: fnp.nextafter(1.0, 2.0) > 1.0."""
    return bind(_ar.nextafter_p, inexact_pair(x1, x2, "nextafter"), NO_PARAMS)


def _numeric_pair(x, y, name):
    """(x, y) promoted together, refusing bools (which have no arithmetic of their own)."""
    x, y = promote((x, y), name)
    if x.dtype == _BOOL:
        raise TypeError(f"{name} does not accept bool operands; convert them to int.")
    return x, y


def _floor_fix(r, y, zero):
    """Where the truncated remainder r is nonzero with a sign unlike y's: there the floored
    quotient is one lower, and the floored remainder r + y."""
    return lax.bitwise_and(lax.ne(r, zero), lax.ne(lax.lt(y, zero), lax.lt(r, zero)))


def _floor_divmod(x, y):
    """Python's // and % for floats: the quotient is floored, the remainder takes y's sign."""
    mod = lax.rem(x, y)
    div = lax.div(lax.sub(x, mod), y)
    fix = _floor_fix(mod, y, 0.0)
    mod = lax.select_n(fix, mod, lax.add(mod, y))
    div = lax.select_n(fix, div, lax.sub(div, 1.0))
    return lax.round(div, 1), mod


def floor_divide(x, y, /):
    """x // y: the floored quotient, as Python and NumPy. Example: fnp.floor_divide(-7, 2) == -4.
    """
    x, y = _numeric_pair(x, y, "floor_divide")
    if x.dtype in _FLOATS:
        return _floor_divmod(x, y)[0]
    q = lax.div(x, y)  # truncates toward zero
    if dtypes.is_unsigned(x.dtype):
        return q
    r = lax.rem(x, y)
    fix = _floor_fix(r, y, 0)
    return lax.select_n(fix, q, lax.sub(q, 1))


def remainder(x, y, /):
    """x % y with the sign of y, as Python and NumPy. Example: fnp.remainder(-7, 2) == 1."""
    x, y = _numeric_pair(x, y, "remainder")
    if x.dtype in _FLOATS:
        return _floor_divmod(x, y)[1]
    r = lax.rem(x, y)
    if dtypes.is_unsigned(x.dtype):
        return r
    fix = _floor_fix(r, y, 0)
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
    x, y = _numeric_pair(x, y, "power")
    return lax.pow(x, y)


pow = power


def float_power(x, y, /):
    """x ** y computed in float64 where the operands are not already floats."""
    x, y = promote_inexact((x, y), "float_power")
    return lax.pow(x, y)
