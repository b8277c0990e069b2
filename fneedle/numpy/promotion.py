"""Turning arguments into arrays of one dtype and one shape: NumPy broadcasting and fneedle's
dtype promotion (DESIGN.md 2.6), plus the axis arguments NumPy functions take."""

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array, to_buffer
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import ShapeError
from fneedle.core.interpreter import Tracer

FLOATS = dtypes.FLOATS
_PY_SCALARS = (bool, int, float, complex)


def is_array(x):
    """Whether x is an fneedle array or a tracer standing for one."""
    return type(x) is Array or isinstance(x, Tracer)


_SUPPORTED = frozenset(dtypes.SUPPORTED)


def asarray(x, dtype=None):
    """x as an fneedle Array or tracer; Python scalars become weakly typed arrays.

    Lists and tuples that hold arrays or tracers are stacked, so `[t, 1.0]` traces.
    """
    if type(x) is Array or isinstance(x, Tracer):
        if dtype is not None:
            return lax.convert_element_type(x, dtype)
        return x
    if type(x) is np.ndarray and dtype is None and x.dtype in _SUPPORTED:
        return Array(np.array(x), False)  # a copy: the caller may mutate x later
    if dtype is not None:
        dtype = dtypes.canonicalize(dtype)
    if isinstance(x, (list, tuple)) and _holds_arrays(x):
        return _stack_nested(x, dtype)
    if hasattr(x, "__jax_array__"):
        x = x.__jax_array__()
    buf, weak = to_buffer(x, dtype)
    return Array(buf, weak and dtype is None)


def _holds_arrays(x):
    return any(is_array(e) or (isinstance(e, (list, tuple)) and _holds_arrays(e)) for e in x)


def _stack_nested(x, dtype):
    parts = [asarray(e) if not isinstance(e, (list, tuple)) else _stack_nested(e, None)
             for e in x]
    parts = promote(parts, "array")
    shape = parts[0].shape if parts else ()
    for p in parts:
        if p.shape != shape:
            raise ShapeError(f"array() got a nested sequence of ragged shapes {shape} and "
                             f"{p.shape}; all entries at one level must have one shape.")
    out = lax.concatenate([lax.expand_dims(p, (0,)) for p in parts], 0)
    return out if dtype is None else lax.convert_element_type(out, dtype)


def aval_of(x):
    """The ShapedArray of an array, tracer, NumPy value, Python scalar or nested list."""
    if type(x) is Array:
        return ShapedArray(x._buf.shape, x._buf.dtype, x.weak_type)
    if isinstance(x, Tracer):
        return x.aval
    if isinstance(x, _PY_SCALARS):
        return ShapedArray((), dtypes.python_scalar_dtype(x), weak_type=True)
    if isinstance(x, (np.ndarray, np.generic)):
        return ShapedArray(x.shape, dtypes.canonicalize(x.dtype))
    return aval_of(asarray(x))


def result_type(*args):
    """The (dtype, weak_type) that `args` (arrays, scalars or dtypes) promote to."""
    pairs = []
    for a in args:
        if isinstance(a, (np.dtype, str, type)):
            pairs.append((dtypes.canonicalize(a), False))
        else:
            aval = aval_of(a)
            pairs.append((aval.dtype, aval.weak_type))
    return dtypes.result_type(*pairs)


def broadcast_shapes(*shapes, name="broadcast"):
    """NumPy's broadcast of `shapes`; a ShapeError that names them when they do not fit."""
    if len(shapes) == 2 and shapes[0] == shapes[1]:
        return shapes[0]
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        for i, d in enumerate(s, ndim - len(s)):
            if d != 1:
                if out[i] not in (1, d):
                    shown = ", ".join(str(tuple(t)) for t in shapes)
                    raise ShapeError(
                        f"{name}: shapes {shown} cannot be broadcast together (dimension "
                        f"{i - ndim} has sizes {out[i]} and {d}). Arrays broadcast when each "
                        f"trailing dimension is equal or 1; reshape one operand or insert an "
                        f"axis with x[..., None].")
                out[i] = d
    return tuple(out)


def broadcast_to_shape(x, shape):
    """x (an array) broadcast to `shape` by NumPy's rules (no checks beyond lax's)."""
    xshape = x.shape
    if tuple(xshape) == tuple(shape):
        return x
    nd = len(shape)
    return lax.broadcast_in_dim(x, shape, tuple(range(nd - len(xshape), nd)))


def _convert(x, aval, dtype, weak):
    """One argument as an array of `dtype` (weakly typed if `weak`)."""
    if isinstance(x, _PY_SCALARS):
        return Array(np.asarray(x, dtype), True)
    if not (type(x) is Array or isinstance(x, Tracer)):
        x = asarray(x)
    if aval.dtype != dtype:
        x = lax.convert_element_type(x, dtype, weak)
    return x


def promote(args, name, dtype=None, broadcast=True, keep_scalars=True):
    """`args` as arrays of their common dtype, broadcast to one shape.

    Args:
      args: arrays, tracers, NumPy values or Python scalars.
      name: the calling function's name, for error messages.
      dtype: force this (dtype, weak) result instead of promoting.
      broadcast: whether to broadcast to the common shape.
      keep_scalars: leave rank-0 operands unbroadcast (lax's binary ops broadcast them).
    """
    avals = [aval_of(a) for a in args]
    if dtype is None:
        dtype, weak = dtypes.result_type(*[(a.dtype, a.weak_type) for a in avals])
    else:
        dtype, weak = dtype
    out = [_convert(x, a, dtype, weak) for x, a in zip(args, avals, strict=True)]
    if broadcast:
        shape = broadcast_shapes(*[a.shape for a in avals], name=name)
        nd = len(shape)
        for i, a in enumerate(avals):
            if a.shape != shape and (a.shape or not keep_scalars):
                out[i] = lax.broadcast_in_dim(out[i], shape, tuple(range(nd - a.ndim, nd)))
    return out


def to_inexact_dtype(dtype):
    """The dtype math on `dtype` computes in: floats and complex stay, others become float32."""
    return dtype if dtypes.is_inexact(dtype) else dtypes.default_float


def promote_inexact(args, name, broadcast=True, keep_scalars=True):
    """As `promote`, but the common dtype is inexact (ints and bools become float32)."""
    avals = [aval_of(a) for a in args]
    dtype, weak = dtypes.result_type(*[(a.dtype, a.weak_type) for a in avals])
    dtype = to_inexact_dtype(dtype)
    return promote(args, name, dtype=(dtype, weak), broadcast=broadcast,
                   keep_scalars=keep_scalars)


def canonical_axis(axis, ndim, name="axis"):
    """A non-negative axis in [0, ndim); negative axes count from the end."""
    try:
        a = int(axis)
    except TypeError:
        raise TypeError(f"{name} must be a Python int, got {axis!r}. Axes are static: they "
                        f"cannot be traced values.") from None
    if not -ndim <= a < ndim:
        raise ShapeError(f"{name}={axis} is out of bounds for an array of rank {ndim}; valid "
                         f"axes are {-ndim}..{ndim - 1}.")
    return a % ndim if ndim else a


def canonical_axes(axis, ndim, name="axis"):
    """A sorted tuple of distinct non-negative axes for `axis` (None, an int or a tuple)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        out = tuple(canonical_axis(a, ndim, name) for a in axis)
        if len(set(out)) != len(out):
            raise ShapeError(f"{name}={tuple(axis)} repeats an axis.")
        return tuple(sorted(out))
    return (canonical_axis(axis, ndim, name),)


def static_int(x, what):
    """x as a Python int; a clear error when x is a traced value."""
    if isinstance(x, Tracer):
        raise TypeError(f"{what} must be a static Python int, got a traced value "
                        f"({x.aval.str_short()}). Shapes and sizes cannot depend on traced "
                        f"values; pass a Python int (e.g. mark it static in jit).")
    try:
        return int(x)
    except TypeError:
        raise TypeError(f"{what} must be a Python int, got {x!r}.") from None
