"""Static slicing: slice (start, limit and stride fixed at trace time), rev, and JAX's
slice_in_dim / index_in_dim conveniences along one axis."""

import builtins
import operator

import numpy as np

from fneedle.core.array import Array
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import linear_jvp
from fneedle.lax.shape import squeeze
from fneedle.lax.wrapper_checks import checked_bind, static_ints

# ---------------------------------------------------------------------------------------
# slice

slice_p = Primitive("slice")


def slice(operand, start_indices, limit_indices, strides=None):
    """The static slice operand[start:limit:stride] along every dimension.

    Args:
      operand: an array.
      start_indices, limit_indices: one int per dimension, 0 <= start <= limit <= size.
      strides: one positive int per dimension, or None for all ones.
    Returns:
      An array of size ceil((limit - start) / stride) along each dimension.
    Example:
      slice(x, (1, 0), (3, 4), (1, 2)) is x[1:3, 0:4:2].
    """
    start = static_ints(start_indices, "slice's start_indices")
    limit = static_ints(limit_indices, "slice's limit_indices")
    strides = None if strides is None else static_ints(strides, "slice's strides")
    if strides is not None and all(s == 1 for s in strides):
        strides = None
    shape = get_aval(operand).shape
    if strides is None and all(s == 0 for s in start) and limit == shape:
        return operand
    return checked_bind(slice_p, operand, start_indices=start, limit_indices=limit,
                        strides=strides)


def _slice_abstract_eval(x, start_indices, limit_indices, strides):
    strides = (1,) * x.ndim if strides is None else strides
    if not len(start_indices) == len(limit_indices) == len(strides) == x.ndim:
        raise ShapeError(f"slice of {x.str_short()} needs one start, limit and stride per "
                         f"dimension ({x.ndim}), got start_indices={start_indices}, "
                         f"limit_indices={limit_indices}, strides={strides}.")
    out = []
    for d, (lo, hi, st, n) in enumerate(zip(start_indices, limit_indices, strides, x.shape)):
        if not 0 <= lo <= hi <= n:
            raise ShapeError(f"slice of {x.str_short()}: dimension {d} needs 0 <= start <= "
                             f"limit <= {n}, got start {lo} and limit {hi}. Negative or "
                             f"reversed bounds are not allowed here; use slice_in_dim for "
                             f"negative indices and rev to reverse.")
        if st < 1:
            raise ShapeError(f"slice of {x.str_short()}: strides must be positive, got {st} "
                             f"for dimension {d}.")
        out.append(-(-(hi - lo) // st))
    return ShapedArray(tuple(out), x.dtype)


def _slice_impl(x, start_indices, limit_indices, strides):
    strides = (1,) * x.ndim if strides is None else strides
    return np.asarray(x[tuple(builtins.slice(lo, hi, st) for lo, hi, st
                              in zip(start_indices, limit_indices, strides))])


def _slice_transpose(ct, x, start_indices, limit_indices, strides):
    # Put the cotangent back where the slice came from; zeros elsewhere and between strides.
    shape = x.aval.shape
    strides = (1,) * len(shape) if strides is None else strides
    ct_aval = get_aval(ct)
    config = []
    for lo, st, n, m in zip(start_indices, strides, shape, ct_aval.shape):
        real_hi = lo + (1 + (m - 1) * st if m else 0)
        config.append((lo, n - real_hi, st - 1 if m else 0))
    from fneedle.lax.padding import pad  # padding imports this module for its transpose
    return [pad(ct, Array(np.zeros((), ct_aval.dtype)), config)]


def _slice_batch(args, dims, start_indices, limit_indices, strides):
    (x,), (bd,) = args, dims
    size = get_aval(x).shape[bd]
    start = start_indices[:bd] + (0,) + start_indices[bd:]
    limit = limit_indices[:bd] + (size,) + limit_indices[bd:]
    if strides is not None:
        strides = strides[:bd] + (1,) + strides[bd:]
    return slice_p.bind(x, start_indices=start, limit_indices=limit, strides=strides), bd


slice_p.def_impl(_slice_impl)
slice_p.def_abstract_eval(_slice_abstract_eval)
linear_jvp(slice_p)
slice_p.def_transpose(_slice_transpose)
slice_p.def_batch(_slice_batch)


# ---------------------------------------------------------------------------------------
# rev

rev_p = Primitive("rev")


def rev(operand, dimensions):
    """operand reversed along `dimensions`. Example: rev(x, (0,)) is x[::-1]."""
    ndim = get_aval(operand).ndim
    dims = tuple(sorted(d + ndim if -ndim <= d < 0 else d
                        for d in static_ints(dimensions, "rev's dimensions")))
    if not dims:
        return operand
    return checked_bind(rev_p, operand, dimensions=dims)


def _rev_abstract_eval(x, dimensions):
    if len(set(dimensions)) != len(dimensions) or any(
            not 0 <= d < x.ndim for d in dimensions):
        raise ShapeError(f"rev of {x.str_short()}: dimensions {dimensions} must be distinct "
                         f"dimensions of the operand (each in [0, {x.ndim})).")
    return ShapedArray(x.shape, x.dtype)


def _rev_batch(args, dims, dimensions):
    (x,), (bd,) = args, dims
    return rev_p.bind(x, dimensions=tuple(d + (d >= bd) for d in dimensions)), bd


rev_p.def_impl(lambda x, dimensions: np.flip(x, dimensions))
rev_p.def_abstract_eval(_rev_abstract_eval)
linear_jvp(rev_p)
rev_p.def_transpose(lambda ct, x, dimensions: [rev_p.bind(ct, dimensions=dimensions)])
rev_p.def_batch(_rev_batch)


# ---------------------------------------------------------------------------------------
# Conveniences along one axis, as in jax.lax.

def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    """operand[start:limit:stride] along `axis` (None and negative bounds as in Python)."""
    shape = get_aval(operand).shape
    axis = operator.index(axis) % len(shape)
    n = shape[axis]
    start = 0 if start_index is None else operator.index(start_index)
    limit = n if limit_index is None else operator.index(limit_index)
    start, limit = (start + n if start < 0 else start), (limit + n if limit < 0 else limit)
    starts = [0] * len(shape)
    limits = list(shape)
    strides = [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, limit, operator.index(stride)
    return slice(operand, starts, limits, strides)


def index_in_dim(operand, index, axis=0, keepdims=True):
    """operand[index] along `axis` for a static index (negative counts from the end)."""
    shape = get_aval(operand).shape
    axis = operator.index(axis) % len(shape)
    index = operator.index(index)
    n = shape[axis]
    wrapped = index + n if index < 0 else index
    if not 0 <= wrapped < n:
        raise IndexError(f"index {index} is out of bounds for axis {axis} of size {n}.")
    out = slice_in_dim(operand, wrapped, wrapped + 1, 1, axis)
    return out if keepdims else squeeze(out, (axis,))
