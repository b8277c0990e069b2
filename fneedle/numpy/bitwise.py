"""Bitwise and logical ufuncs: and, or, xor, not, shifts, and their logical (truth-value)
forms."""

from fneedle import lax
from fneedle.core import dtypes
from fneedle.lax import arithmetic as _ar
from fneedle.numpy.promotion import promote
from fneedle.numpy.ufunc_base import as_array, binary_ufunc, named_ufunc, to_bool

bitwise_and = binary_ufunc(_ar.and_p, "bitwise_and", "x & y for integers and bools.",
                           "fnp.bitwise_and(12, fnp.asarray([10])) -> [8]")
bitwise_or = binary_ufunc(_ar.or_p, "bitwise_or", "x | y for integers and bools.",
                          "fnp.bitwise_or(12, fnp.asarray([10])) -> [14]")
bitwise_xor = binary_ufunc(_ar.xor_p, "bitwise_xor", "x ^ y for integers and bools.",
                           "fnp.bitwise_xor(12, fnp.asarray([10])) -> [6]")


def logical_not(x, /):
    """not x, elementwise (nonzero is true). Example: fnp.logical_not(fnp.asarray([0, 2]))."""
    return lax.bitwise_not(to_bool(x))


def bitwise_not(x, /):
    """~x, elementwise, for integers and bools. Example: fnp.bitwise_not(fnp.int8(0)) == -1."""
    return lax.bitwise_not(as_array(x))


invert = bitwise_invert = bitwise_not


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
    return named_ufunc(ufunc, name, f"Elementwise logical {name[8:]} (nonzero is true).",
                       f"fnp.{name}(fnp.asarray([True, False]), True)")


logical_and = _logical(lax.bitwise_and, "logical_and")
logical_or = _logical(lax.bitwise_or, "logical_or")
logical_xor = _logical(lax.bitwise_xor, "logical_xor")
