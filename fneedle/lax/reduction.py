"""Reduction primitives over a set of axes: reduce_sum (more join it in this file)."""

import numpy as np

from fneedle.backend import cpu as cpu_backend
from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import deflinear
from fneedle.lax.shape import broadcast_in_dim

_16BIT = (dtypes.float16, dtypes.bfloat16)


def _canonical_axes(axes, ndim):
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise ShapeError(f"Axis {a} is out of bounds for an array of rank {ndim}.")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"Repeated axis in {tuple(axes)}.")
    return tuple(sorted(out))


def reduced_aval(x, axes, dtype=None):
    return ShapedArray(tuple(s for i, s in enumerate(x.shape) if i not in axes),
                       dtype or x.dtype)


def reduction_batch(primitive):
    """Batching for a reduction with an `axes` param: shift the axes past the batch dim."""
    def rule(args, dims, axes, **params):
        (x,), (d,) = args, dims
        moved = tuple(a + (a >= d) for a in axes)
        # The batch dim keeps its place among the kept dims.
        out_dim = d - sum(1 for a in moved if a < d)
        return primitive.bind(x, axes=moved, **params), out_dim
    primitive.def_batch(rule)


reduce_sum_p = Primitive("reduce_sum")


def reduce_sum(x, axes):
    """The sum of x over `axes` (ints; negative ones count from the end)."""
    axes = _canonical_axes(axes, get_aval(x).ndim)
    if not axes:
        return x
    return reduce_sum_p.bind(x, axes=axes)


def _reduce_sum_impl(x, axes):
    acc = np.float32 if x.dtype in _16BIT else x.dtype
    return np.asarray(np.add.reduce(x, axis=axes, dtype=acc)).astype(x.dtype, copy=False)


def _reduce_sum_abstract_eval(x, axes):
    if x.dtype == dtypes.bool_:
        raise TypeError("reduce_sum does not accept bool operands; convert them to an "
                        "integer dtype first.")
    return reduced_aval(x, axes)


def _reduce_sum_transpose(ct, x, axes):
    shape = x.aval.shape
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    return [broadcast_in_dim(ct, shape, kept)]


reduce_sum_p.def_impl(_reduce_sum_impl)
reduce_sum_p.def_abstract_eval(_reduce_sum_abstract_eval)
deflinear(reduce_sum_p, _reduce_sum_transpose)
reduction_batch(reduce_sum_p)
if cpu_backend.available and "sum" in cpu_backend.REDUCE_OPS:
    reduce_sum_p.def_lowering("cpu", cpu_backend.reduce_kernel("sum", _reduce_sum_impl))
