"""What the ufunc modules share: turning operands into arrays lax accepts (one dtype, one
shape or a rank-0 operand), with a fast path when they already agree, and naming the
ufuncs that factories make."""

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.interpreter import Tracer, bind
from fneedle.numpy.promotion import promote, promote_inexact

_FLOATS = dtypes.FLOATS
_BOOL = dtypes.bool_
NO_PARAMS = {}  # shared, so binding a parameterless primitive allocates no dict


def named_ufunc(fn, name, text, example):
    """Gives a factory-made ufunc its public name and a docstring with an example."""
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{text}\n\n    Example: {example}\n    "
    return fn


def as_array(x):
    """x as an array of its own dtype (Python scalars weakly typed)."""
    if type(x) is Array or isinstance(x, Tracer):
        return x
    return promote((x,), "asarray")[0]


def inexact(x, name):
    """x as a floating (or complex) array: ints and bools become the default float."""
    return promote_inexact((x,), name)[0]


def to_bool(x):
    """x's truth values (nonzero is true) as a bool array."""
    x = as_array(x)
    return x if x.dtype == _BOOL else lax.ne(x, 0)


def operand_pair(x, y, name):
    """(x, y) as arrays of one dtype that lax accepts: one shape, or a rank-0 operand."""
    if type(x) is Array and type(y) is Array:
        bx, by = x._buf, y._buf
        if bx.dtype == by.dtype and (bx.shape == by.shape or not bx.ndim or not by.ndim):
            return x, y
    elif type(y) is float and type(x) is Array and x._buf.dtype in _FLOATS:
        return x, Array(np.asarray(y, x._buf.dtype), True)
    return promote((x, y), name)


def inexact_pair(x, y, name):
    """As operand_pair, but in floating point (ints and bools become the default float)."""
    if type(x) is Array and type(y) is Array:
        bx, by = x._buf, y._buf
        if bx.dtype == by.dtype and bx.dtype in _FLOATS and (
                bx.shape == by.shape or not bx.ndim or not by.ndim):
            return x, y
    return promote_inexact((x, y), name)


def binary_ufunc(prim, name, text, example):
    """A ufunc that binds `prim` to its two operands, promoted and broadcast as NumPy does."""
    def ufunc(x, y, /):
        return bind(prim, operand_pair(x, y, name), NO_PARAMS)
    return named_ufunc(ufunc, name, text, example)
