"""Selection and whole-array comparison: where, clip, nan_to_num, isclose, allclose,
array_equal and array_equiv, with broadcasting and promotion."""

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.numpy import reductions
from fneedle.numpy.promotion import broadcast_shapes, broadcast_to_shape, promote
from fneedle.numpy.ufuncs import (
    as_array,
    equal,
    isfinite,
    isnan,
    isneginf,
    isposinf,
    maximum,
    minimum,
    to_bool,
)

_FLOATS = dtypes.FLOATS
_BOOL = dtypes.bool_



def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """x where `condition` holds, else y, with broadcasting; where(condition) is nonzero().

    Example: fnp.where(fnp.arange(3) > 0, 1.0, -1.0) -> [-1., 1., 1.].
    """
    if x is None and y is None:
        from fneedle.numpy.selection import nonzero  # selection imports this module
        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("where() takes either one argument (condition) or three "
                         "(condition, x, y); got two.")
    cond = to_bool(condition)
    cond, x, y = _where_operands(cond, x, y)
    return lax.select_n(cond, y, x)


def _where_operands(cond, x, y):
    x, y = promote((x, y), "where", broadcast=False)
    shape = broadcast_shapes(cond.shape, x.shape, y.shape, name="where")
    # select_n broadcasts rank-0 cases, but only against a case of the full shape.
    keep_scalar = x.shape == shape or y.shape == shape
    return [a if (not a.shape and (keep_scalar or i == 0)) else broadcast_to_shape(a, shape)
            for i, a in enumerate((cond, x, y))]


def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    """a limited to [a_min, a_max] elementwise; either bound may be None (unbounded).

    Example: fnp.clip(fnp.arange(5), 1, 3) -> [1, 1, 2, 3, 3].
    """
    if out is not None:
        raise NotImplementedError("fneedle arrays are immutable: clip() takes no out=.")
    lo = a_min if min is None else min
    hi = a_max if max is None else max
    a = as_array(a)
    if lo is not None:
        a = maximum(a, lo)
    if hi is not None:
        a = minimum(a, hi)
    return a


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """x with NaN replaced by `nan` and infinities by the largest finite values (or given ones).
    """
    x = as_array(x)
    if x.dtype not in _FLOATS:
        return x
    info = dtypes.finfo(x.dtype)
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    x = where(isnan(x), nan, x)
    x = where(isposinf(x), posinf, x)
    return where(isneginf(x), neginf, x)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a - b| <= atol + rtol * |b|, elementwise; infinities are close only to themselves."""
    a, b = promote((a, b), "isclose")
    if a.dtype not in _FLOATS and not dtypes.is_complex(a.dtype):
        return lax.eq(a, b) if a.dtype == _BOOL else isclose(
            lax.convert_element_type(a, dtypes.float32),
            lax.convert_element_type(b, dtypes.float32), rtol, atol, equal_nan)
    finite = lax.le(lax.abs(lax.sub(a, b)), lax.add(atol, lax.mul(rtol, lax.abs(b))))
    both_inf = lax.eq(a, b)
    out = lax.bitwise_or(lax.bitwise_and(finite, lax.bitwise_and(isfinite(a), isfinite(b))),
                         both_inf)
    if equal_nan:
        out = lax.bitwise_or(out, lax.bitwise_and(isnan(a), isnan(b)))
    return out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every element of a is close to b (a rank-0 bool array)."""
    return reductions.all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    """Whether a1 and a2 have one shape and equal elements (a bool array, or False)."""
    a1, a2 = as_array(a1), as_array(a2)
    if a1.shape != a2.shape:
        return Array(np.asarray(False))
    eq = equal(a1, a2)
    if equal_nan:
        eq = lax.bitwise_or(eq, lax.bitwise_and(isnan(a1), isnan(a2)))
    return reductions.all(eq)


def array_equiv(a1, a2):
    """Whether a1 and a2 broadcast to one shape and are equal there."""
    try:
        return reductions.all(equal(a1, a2))
    except ValueError:
        return Array(np.asarray(False))
