"""Selecting elements by index arrays or masks: take, take_along_axis, put_along_axis,
nonzero/argwhere/flatnonzero with a static size=, compress, extract, select, choose,
unravel_index and ravel_multi_index."""

import math

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.errors import ConcretizationTypeError, ShapeError
from fneedle.core.interpreter import Tracer, concrete_value
from fneedle.lax.indexing import GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers
from fneedle.numpy import logic, ufuncs
from fneedle.numpy.indexing import as_index, index_dtype, scatter_update
from fneedle.numpy.promotion import asarray, broadcast_shapes, broadcast_to_shape, canonical_axis


def _mode_indices(idx, n, mode):
    """Indices adjusted for `mode` ('fill', 'clip', 'wrap') and the gather mode to use."""
    if mode in (None, "fill"):
        return as_index(idx, n, index_dtype((n,))), GatherScatterMode.FILL_OR_DROP
    idx = asarray(idx) if not isinstance(idx, np.ndarray) else Array(idx.astype(np.int32))
    dt = index_dtype((n,))
    idx = lax.convert_element_type(idx, dt) if idx.dtype != dt else idx
    if mode == "clip":
        return lax.clamp(lax.full((), 0, dt), idx, lax.full((), max(n - 1, 0), dt)), \
            GatherScatterMode.CLIP
    if mode == "wrap":
        return ufuncs.remainder(idx, n), GatherScatterMode.CLIP
    raise ValueError(f"Unknown mode {mode!r}; use 'fill', 'clip' or 'wrap' (mode='raise' "
                     f"cannot check traced indices).")


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False,
         indices_are_sorted=False, fill_value=None):
    """Elements of a at `indices` along `axis` (of the flattened a if None).

    mode: 'fill' (default; out-of-range indices give fill_value, NaN for floats), 'clip' or
    'wrap'. Negative indices count from the end. Example: fnp.take(x, [0, 2], axis=1).
    """
    if out is not None:
        raise NotImplementedError("fneedle arrays are immutable: take() takes no out=.")
    a = asarray(a)
    if axis is None:
        a = lax.reshape(a, (a.size,))
        axis = 0
    ax = canonical_axis(axis, a.ndim)
    if isinstance(indices, (list, tuple)) or np.isscalar(indices):
        indices = np.asarray(indices)
    n = a.shape[ax]
    idx, gmode = _mode_indices(indices, n, mode)
    nd_idx = np.ndim(idx)
    idx = asarray(idx) if isinstance(idx, np.ndarray) else idx
    offset = tuple(range(ax)) + tuple(range(ax + nd_idx, a.ndim - 1 + nd_idx))
    sizes = tuple(1 if d == ax else s for d, s in enumerate(a.shape))
    dnums = GatherDimensionNumbers(offset_dims=offset, collapsed_slice_dims=(ax,),
                                   start_index_map=(ax,))
    return lax.gather(a, lax.reshape(idx, idx.shape + (1,)), dnums, sizes, mode=gmode,
                      fill_value=fill_value, unique_indices=unique_indices,
                      indices_are_sorted=indices_are_sorted)


def take_along_axis(arr, indices, axis, mode=None, fill_value=None):
    """out[..., j, ...] = arr[..., indices[..., j, ...], ...] along `axis`; the other axes of
    arr and indices broadcast. Example: fnp.take_along_axis(x, fnp.argsort(x, 1), 1)."""
    a = asarray(arr)
    if axis is None:
        a = lax.reshape(a, (a.size,))
        axis = 0
    ax = canonical_axis(axis, a.ndim)
    idx_in = asarray(indices) if not isinstance(indices, np.ndarray) else indices
    if np.ndim(idx_in) != a.ndim:
        raise ShapeError(f"take_along_axis needs indices with the array's rank {a.ndim}, got "
                         f"shape {np.shape(idx_in)}.")
    n = a.shape[ax]
    idx, gmode = _mode_indices(idx_in, n, mode)
    idx = asarray(idx) if isinstance(idx, np.ndarray) else idx
    shape = broadcast_shapes(tuple(s for d, s in enumerate(a.shape) if d != ax),
                             tuple(s for d, s in enumerate(idx.shape) if d != ax),
                             name="take_along_axis")
    a_shape = shape[:ax] + (n,) + shape[ax:]
    i_shape = shape[:ax] + (idx.shape[ax],) + shape[ax:]
    a = broadcast_to_shape(a, a_shape)
    idx = broadcast_to_shape(idx, i_shape)
    others = tuple(d for d in range(a.ndim) if d != ax)
    dnums = GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(ax,),
                                   start_index_map=(ax,), operand_batching_dims=others,
                                   start_indices_batching_dims=others)
    return lax.gather(a, lax.reshape(idx, idx.shape + (1,)), dnums, (1,) * a.ndim,
                      mode=gmode, fill_value=fill_value)


def nonzero(a, *, size=None, fill_value=None):
    """The indices of a's nonzero elements, one int32 array per dimension.

    Under tracing the number of nonzeros is unknown, so pass a static `size`: the result is
    truncated or padded (with fill_value, default 0) to that length.
    Example: fnp.nonzero(fnp.asarray([0, 3, 0, 4]), size=3) -> ([1, 3, 0],).
    """
    a = asarray(a)
    if a.ndim == 0:
        raise ValueError("nonzero of a rank-0 array is undefined; use fnp.atleast_1d(a).")
    mask = a if a.dtype == dtypes.bool_ else lax.ne(a, lax.full((), 0, a.dtype))
    flat = lax.reshape(mask, (a.size,))
    if size is None:
        if isinstance(a, Tracer):
            raise _nonzero_trace_error(a)
        size = int(np.count_nonzero(concrete_value(flat)))
    size = int(size)
    n = a.size
    pos = lax.sub(lax.cumsum(lax.convert_element_type(flat, dtypes.int32), 0), 1) if n else \
        lax.full((0,), 0, dtypes.int32)
    target = lax.select_n(flat, lax.full_like(pos, size), pos)
    fills = fill_value if isinstance(fill_value, (tuple, list)) else (fill_value,) * a.ndim
    base = lax.full((size,), -1, dtypes.int32)
    flat_idx = lax.scatter(base, lax.reshape(target, (n, 1)), lax.iota(dtypes.int32, n),
                           ScatterDimensionNumbers((), (0,), (0,)),
                           mode=GatherScatterMode.FILL_OR_DROP)
    missing = lax.lt(flat_idx, lax.full((), 0, dtypes.int32))
    safe = lax.max(flat_idx, lax.full((), 0, dtypes.int32))
    out, rem = [], safe
    strides = [math.prod(a.shape[d + 1:]) for d in range(a.ndim)]
    for d, st in enumerate(strides):
        coord = lax.div(rem, lax.full((), st, dtypes.int32)) if st > 1 else rem
        rem = lax.rem(rem, lax.full((), st, dtypes.int32)) if st > 1 else rem
        fill = 0 if fills[d] is None else fills[d]
        out.append(lax.select_n(missing, coord, lax.full_like(coord, fill)))
    return tuple(out)


def _nonzero_trace_error(a):
    return ConcretizationTypeError(
        f"nonzero() has a data-dependent output shape, so it cannot be traced (the input is "
        f"{a.aval.str_short()}). Pass a static upper bound: nonzero(x, size=n, "
        f"fill_value=...).")


def flatnonzero(a, *, size=None, fill_value=None):
    """The indices of the nonzero elements of the flattened a (see nonzero for size=)."""
    a = asarray(a)
    return nonzero(lax.reshape(a, (a.size,)), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    """The indices of a's nonzero elements as an (n, a.ndim) array (see nonzero for size=)."""
    a = asarray(a)
    if a.ndim == 0:
        a = lax.reshape(a, (1,))
        idx = nonzero(a, size=size, fill_value=fill_value)
        return lax.reshape(idx[0], (idx[0].shape[0], 0))
    idx = nonzero(a, size=size, fill_value=fill_value)
    return lax.concatenate([lax.reshape(i, i.shape + (1,)) for i in idx], 1)


def unravel_index(indices, shape):
    """Flat indices into coordinate arrays for an array of `shape` (C order)."""
    idx = asarray(indices)
    shape = tuple(int(s) for s in shape)
    size = math.prod(shape)
    idx = lax.convert_element_type(idx, dtypes.int32) if idx.dtype != dtypes.int32 else idx
    # Negative indices count from the end, as for other fneedle indexing.
    idx = lax.select_n(lax.lt(idx, 0), idx, lax.add(idx, size))
    out = []
    for d in range(len(shape)):
        st = math.prod(shape[d + 1:])
        coord = lax.div(idx, st) if st > 1 else idx
        out.append(lax.rem(coord, shape[d]) if d > 0 else lax.clamp(0, coord, shape[0] - 1))
    return tuple(out)


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """Coordinate arrays into flat indices for an array of shape `dims` (C order)."""
    if order != "C":
        raise NotImplementedError("ravel_multi_index supports only order='C'.")
    dims = tuple(int(d) for d in dims)
    out = 0
    for d, idx in enumerate(multi_index):
        idx = asarray(idx)
        if mode == "clip":
            idx = lax.clamp(0, idx, dims[d] - 1)
        elif mode == "wrap":
            idx = ufuncs.remainder(idx, dims[d])
        out = ufuncs.add(ufuncs.multiply(out, dims[d]), idx)
    return out


def select(condlist, choicelist, default=0):
    """choicelist[i] where condlist[i] is the first true condition, else default."""
    if len(condlist) != len(choicelist):
        raise ValueError("select: condlist and choicelist must have the same length.")
    out = default
    for cond, choice in zip(reversed(condlist), reversed(choicelist)):
        out = logic.where(cond, choice, out)
    return asarray(out)


def choose(a, choices, mode="raise"):
    """choices[a[i]][i] for each position i (all arrays broadcast)."""
    from fneedle.numpy.manipulation import broadcast_arrays, stack
    idx = asarray(a)
    arrays = broadcast_arrays(idx, *choices)
    idx, stacked = arrays[0], stack(arrays[1:], 0)
    n = len(choices)
    if mode == "wrap":
        idx = ufuncs.remainder(idx, n)
    else:
        idx = lax.clamp(0, lax.convert_element_type(idx, dtypes.int32), n - 1)
    picked = take_along_axis(stacked, lax.expand_dims(idx, (0,)), 0)
    return lax.reshape(picked, idx.shape)


def compress(condition, a, axis=None, *, size=None, fill_value=0):
    """The slices of a along `axis` where condition is true (size= under tracing)."""
    cond = asarray(condition)
    n = cond.shape[0] if cond.ndim else 1
    idx = nonzero(cond, size=size, fill_value=n)[0]
    out = take(a, idx, axis=axis, mode="fill", fill_value=fill_value)
    return out


def extract(condition, arr, *, size=None, fill_value=0):
    """The elements of the flattened arr where condition is true (size= under tracing)."""
    arr = asarray(arr)
    cond = lax.reshape(asarray(condition), (arr.size,))
    return compress(cond, lax.reshape(arr, (arr.size,)), size=size, fill_value=fill_value)


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    """arr with values written at indices along axis (set semantics); needs inplace=False."""
    if inplace:
        raise ValueError("fneedle arrays are immutable: call put_along_axis(..., "
                         "inplace=False) and use the returned array.")
    a = asarray(arr)
    ax = canonical_axis(axis, a.ndim)
    idx = asarray(indices)
    grids = [lax.broadcasted_iota(dtypes.int32, idx.shape, d) for d in range(a.ndim)]
    grids[ax] = idx
    return scatter_update(a, tuple(grids), values, "set", mode)
