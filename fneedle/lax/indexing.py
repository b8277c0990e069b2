"""Indexing primitives with XLA's semantics: gather and the scatter family (scatter,
scatter_add, scatter_mul, scatter_min, scatter_max).

The index vector of `start_indices` is always its last dimension. Batching dimensions
(operand_batching_dims / *_indices_batching_dims) pair a dimension of the operand with one
of the indices, so vmap over both adds one pair instead of materializing an iota.
Out-of-bounds windows follow `mode`: CLIP clamps the start so the window fits,
FILL_OR_DROP fills gathered windows (with fill_value) and drops scattered ones, and
PROMISE_IN_BOUNDS does what XLA does natively (gather clamps, scatter drops).
"""

import enum
from typing import NamedTuple

import numpy as np

from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import add_tangents, instantiate
from fneedle.lax.batch_rules import batch_size, bdim_at_front, move_to_front
from fneedle.lax.shape import full
from fneedle.lax.slicing import checked_bind, linear_jvp


class GatherScatterMode(enum.Enum):
    """What gather and scatter do with windows that do not fit inside the operand."""

    CLIP = "clip"
    FILL_OR_DROP = "fill"
    PROMISE_IN_BOUNDS = "promise_in_bounds"

    @staticmethod
    def from_any(mode):
        """A mode from a GatherScatterMode, 'clip', 'fill' / 'drop', 'promise_in_bounds', or
        None (FILL_OR_DROP, JAX's default)."""
        if isinstance(mode, GatherScatterMode):
            return mode
        if mode is None or mode in ("fill", "drop"):
            return GatherScatterMode.FILL_OR_DROP
        if mode == "clip":
            return GatherScatterMode.CLIP
        if mode == "promise_in_bounds":
            return GatherScatterMode.PROMISE_IN_BOUNDS
        raise ValueError(f"Unknown gather/scatter mode {mode!r}; use 'clip', 'fill' (or "
                         f"'drop'), 'promise_in_bounds' or a GatherScatterMode.")


class GatherDimensionNumbers(NamedTuple):
    """How the dimensions of gather's operand, start_indices and output correspond.

    offset_dims: output dimensions that hold the window (in operand order).
    collapsed_slice_dims: operand dimensions of window size 1 left out of the output.
    start_index_map: the operand dimension each entry of an index vector starts.
    operand_batching_dims / start_indices_batching_dims: paired dimensions; the window of
      batch position b of the indices is taken at position b of the operand.
    """

    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class ScatterDimensionNumbers(NamedTuple):
    """How the dimensions of scatter's operand, scatter_indices and updates correspond.

    update_window_dims: updates dimensions that hold a window (in operand order).
    inserted_window_dims: operand dimensions of window size 1 absent from updates.
    scatter_dims_to_operand_dims: the operand dimension each entry of an index vector starts.
    operand_batching_dims / scatter_indices_batching_dims: paired batch dimensions.
    """

    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()


def _tuples(dnums, cls):
    if not isinstance(dnums, (cls, tuple)):
        raise TypeError(f"dimension_numbers must be a {cls.__name__}, got {dnums!r}.")
    return cls(*(tuple(int(d) for d in field) for field in dnums))


def _shift(dims, by=1):
    return tuple(d + by for d in dims)


def _default_fill(dtype):
    if dtypes.is_float(dtype):
        return np.nan
    if dtype == dtypes.bool_:
        return True
    info = np.iinfo(dtype)
    return info.max if dtypes.is_unsigned(dtype) else info.min


# ---------------------------------------------------------------------------------------
# NumPy helpers shared by the impls: per-window start positions and window index arrays.

def _starts(operand_shape, indices, index_map, operand_batching_dims, indices_batching_dims):
    """(number of windows, operand rank) int64 start positions, batching dims included."""
    batch_shape = indices.shape[:-1]
    count = int(np.prod(batch_shape, dtype=np.int64))
    starts = np.zeros((count, len(operand_shape)), np.int64)
    vectors = indices.reshape(count, indices.shape[-1]).astype(np.int64)
    for k, d in enumerate(index_map):
        starts[:, d] = vectors[:, k]
    if operand_batching_dims:
        coords = np.unravel_index(np.arange(count), batch_shape)
        for od, idim in zip(operand_batching_dims, indices_batching_dims):
            starts[:, od] = coords[idim]
    return starts


def _fit(starts, operand_shape, window, index_map):
    """(starts clamped so each window fits, mask of the windows that fit unclamped).

    Only the dimensions in `index_map` can be out of range (the others start at 0 or at a
    batch position), so only they are checked."""
    if not index_map:
        return starts, np.ones(len(starts), np.bool_)
    cols = list(index_map)
    hi = np.asarray(operand_shape, np.int64)[cols] - np.asarray(window, np.int64)[cols]
    sub = starts[:, cols]
    fits = np.all((sub >= 0) & (sub <= hi), axis=1)
    clamped = starts.copy()
    clamped[:, cols] = np.clip(sub, 0, hi)
    return clamped, fits


def _windows(shape, starts, window):
    """How to address every window by fancy indexing without an index array per dimension.

    Dimensions the window spans whole (start 0 once fitted) are sliced; only the others get
    index arrays, and the operand is viewed with those first so NumPy copies whole rows.
    Returns (perm, index): view the operand as transpose(perm) and index it with `index`,
    which yields (windows, *window in perm order).
    """
    count = len(starts)
    indexed = [d for d in range(len(shape)) if window[d] != shape[d]] or [0]
    perm = indexed + [d for d in range(len(shape)) if d not in indexed]
    index = []
    for j, d in enumerate(indexed):
        dims = [count] + [1] * len(indexed)
        dims[j + 1] = window[d]
        index.append((starts[:, d:d + 1] + np.arange(window[d])).reshape(dims))
    return perm, tuple(index)


def _take_windows(operand, starts, window):
    """(windows, *window) array of the windows of `operand` at fitted `starts`."""
    if not operand.ndim:
        return np.broadcast_to(operand, (len(starts),))
    perm, index = _windows(operand.shape, starts, window)
    taken = np.transpose(operand, perm)[index]
    return np.transpose(taken, [0] + [1 + perm.index(d) for d in range(operand.ndim)])


# ---------------------------------------------------------------------------------------
# gather

gather_p = Primitive("gather")


def gather(operand, start_indices, dimension_numbers, slice_sizes, *, unique_indices=False,
           indices_are_sorted=False, mode=None, fill_value=None):
    """Windows of `operand` of size `slice_sizes` starting at each index vector (XLA Gather).

    Args:
      operand: the array to take windows from.
      start_indices: an integer array whose last dimension is the index vector.
      dimension_numbers: a GatherDimensionNumbers.
      slice_sizes: the window size along each operand dimension (1 where collapsed).
      mode: 'clip', 'fill' (default) or 'promise_in_bounds' (see GatherScatterMode).
      fill_value: the value of out-of-bounds windows in 'fill' mode (default: NaN for
        floats, the minimum of signed and the maximum of unsigned ints, True for bool).
    Example:
      x[idx] for a vector idx into the rows of a matrix x is
      gather(x, idx[:, None], GatherDimensionNumbers(offset_dims=(1,),
             collapsed_slice_dims=(0,), start_index_map=(0,)), (1, x.shape[1])).
    """
    dnums = _tuples(dimension_numbers, GatherDimensionNumbers)
    mode = GatherScatterMode.from_any(mode)
    if mode is not GatherScatterMode.FILL_OR_DROP or fill_value is None:
        fill_value = None
    else:
        fill_value = np.asarray(fill_value).item()  # static: a Python scalar
    return checked_bind(gather_p, operand, start_indices, dimension_numbers=dnums,
                        slice_sizes=tuple(int(s) for s in slice_sizes),
                        indices_are_sorted=bool(indices_are_sorted),
                        unique_indices=bool(unique_indices), mode=mode,
                        fill_value=fill_value)


def _check_dims(name, what, dims, bound, sorted_=True):
    if sorted_ and list(dims) != sorted(set(dims)) or len(set(dims)) != len(dims):
        raise ShapeError(f"{name}: {what} {dims} must be distinct"
                         f"{' and sorted' if sorted_ else ''}.")
    if any(not 0 <= d < bound for d in dims):
        raise ShapeError(f"{name}: {what} {dims} must lie in [0, {bound}).")


def _check_indices(name, indices):
    if not dtypes.is_integer(indices.dtype):
        raise DtypeError(f"{name} needs integer indices, got {indices.str_short()}. Convert "
                         f"them, e.g. idx.astype('int32').")
    if indices.ndim < 1:
        raise ShapeError(f"{name}: the indices {indices.str_short()} need a last dimension "
                         f"holding the index vectors; add one with expand_dims(idx, (-1,)).")


def _check_batching(name, operand, indices, operand_dims, indices_dims, names):
    _check_dims(name, names[0], operand_dims, operand.ndim)
    _check_dims(name, names[1], indices_dims, indices.ndim - 1, sorted_=False)
    if len(operand_dims) != len(indices_dims):
        raise ShapeError(f"{name}: {names[0]} {operand_dims} and {names[1]} {indices_dims} "
                         f"must have the same length.")
    for od, idim in zip(operand_dims, indices_dims):
        if operand.shape[od] != indices.shape[idim]:
            raise ShapeError(f"{name}: operand batching dimension {od} of "
                             f"{operand.str_short()} and indices batching dimension {idim} "
                             f"of {indices.str_short()} must have the same size.")


def _gather_abstract_eval(operand, indices, *, dimension_numbers, slice_sizes, mode,
                          fill_value, **_):
    name = "gather"
    dn = dimension_numbers
    _check_indices(name, indices)
    batch_shape = indices.shape[:-1]
    out_rank = len(dn.offset_dims) + len(batch_shape)
    _check_dims(name, "offset_dims", dn.offset_dims, out_rank)
    _check_dims(name, "collapsed_slice_dims", dn.collapsed_slice_dims, operand.ndim)
    _check_batching(name, operand, indices, dn.operand_batching_dims,
                    dn.start_indices_batching_dims,
                    ("operand_batching_dims", "start_indices_batching_dims"))
    if set(dn.collapsed_slice_dims) & set(dn.operand_batching_dims):
        raise ShapeError(f"gather: collapsed_slice_dims {dn.collapsed_slice_dims} and "
                         f"operand_batching_dims {dn.operand_batching_dims} must not overlap.")
    if len(dn.start_index_map) != indices.shape[-1]:
        raise ShapeError(f"gather: start_index_map {dn.start_index_map} needs one entry per "
                         f"index-vector component, and the indices {indices.str_short()} "
                         f"have {indices.shape[-1]}.")
    _check_dims(name, "start_index_map", dn.start_index_map, operand.ndim, sorted_=False)
    if set(dn.start_index_map) & set(dn.operand_batching_dims):
        raise ShapeError(f"gather: start_index_map {dn.start_index_map} must not name the "
                         f"operand_batching_dims {dn.operand_batching_dims}.")
    if len(slice_sizes) != operand.ndim:
        raise ShapeError(f"gather from {operand.str_short()} needs one slice size per operand "
                         f"dimension, got slice_sizes={slice_sizes}.")
    for d, (s, n) in enumerate(zip(slice_sizes, operand.shape)):
        if not 0 <= s <= n:
            raise ShapeError(f"gather: slice size {s} of dimension {d} must lie in [0, {n}] "
                             f"for an operand {operand.str_short()}.")
    dropped = set(dn.collapsed_slice_dims) | set(dn.operand_batching_dims)
    for d in dropped:
        if slice_sizes[d] != 1:
            raise ShapeError(f"gather: collapsed and batching dimensions need slice size 1, "
                             f"but dimension {d} has slice size {slice_sizes[d]}.")
    window = [s for d, s in enumerate(slice_sizes) if d not in dropped]
    if len(window) != len(dn.offset_dims):
        raise ShapeError(f"gather: offset_dims {dn.offset_dims} needs one entry per operand "
                         f"dimension that is neither collapsed nor batching ({len(window)} for "
                         f"{operand.str_short()} with collapsed_slice_dims "
                         f"{dn.collapsed_slice_dims}).")
    window_it, batch_it = iter(window), iter(batch_shape)
    shape = tuple(next(window_it) if i in dn.offset_dims else next(batch_it)
                  for i in range(out_rank))
    return ShapedArray(shape, operand.dtype)


def _gather_impl(operand, indices, *, dimension_numbers, slice_sizes, mode, fill_value, **_):
    dn = dimension_numbers
    batch_shape = indices.shape[:-1]
    starts = _starts(operand.shape, indices, dn.start_index_map, dn.operand_batching_dims,
                     dn.start_indices_batching_dims)
    filling = mode is GatherScatterMode.FILL_OR_DROP
    starts, fits = _fit(starts, operand.shape, slice_sizes, dn.start_index_map)
    windows = _take_windows(operand, starts, slice_sizes)
    if filling and not fits.all():
        fill = _default_fill(operand.dtype) if fill_value is None else fill_value
        fits = fits.reshape((-1,) + (1,) * operand.ndim)
        windows = np.where(fits, windows, np.asarray(fill).astype(operand.dtype))
    dropped = set(dn.collapsed_slice_dims) | set(dn.operand_batching_dims)
    window = tuple(s for d, s in enumerate(slice_sizes) if d not in dropped)
    windows = windows.reshape(batch_shape + window)
    # Output dim i takes the next window dim if i is an offset dim, else the next batch dim.
    nb, perm, w, b = len(batch_shape), [], 0, 0
    for i in range(nb + len(window)):
        if i in dn.offset_dims:
            perm.append(nb + w)
            w += 1
        else:
            perm.append(b)
            b += 1
    return np.asarray(np.transpose(windows, perm), operand.dtype)


def _gather_jvp(primals, tangents, **params):
    operand, indices = primals
    out = gather_p.bind(operand, indices, **params)
    t = tangents[0]
    if type(t) is Zero:
        return out, Zero(tangent_aval(get_aval(out)))
    if params["mode"] is GatherScatterMode.FILL_OR_DROP:
        params = dict(params, fill_value=0)  # filled windows do not move
    return out, gather_p.bind(t, indices, **params)


def _scatter_dnums_of(dn):
    return ScatterDimensionNumbers(
        update_window_dims=dn.offset_dims, inserted_window_dims=dn.collapsed_slice_dims,
        scatter_dims_to_operand_dims=dn.start_index_map,
        operand_batching_dims=dn.operand_batching_dims,
        scatter_indices_batching_dims=dn.start_indices_batching_dims)


def _gather_transpose(ct, operand, indices, *, dimension_numbers, slice_sizes,
                      indices_are_sorted, unique_indices, mode, fill_value):
    if is_undefined_primal(indices):
        raise ValueError("gather is not linear in its indices; cannot transpose it.")
    # Each output element came from one operand element: add the cotangent back there.
    aval = operand.aval
    zeros = full(aval.shape, 0, aval.dtype)
    ct_operand = scatter_add_p.bind(zeros, indices, ct,
                                    dimension_numbers=_scatter_dnums_of(dimension_numbers),
                                    indices_are_sorted=indices_are_sorted,
                                    unique_indices=unique_indices, mode=mode)
    return [ct_operand, None]


def _gather_batch(args, dims, *, dimension_numbers, slice_sizes, **params):
    (operand, indices), (od, id_) = args, dims
    dn = dimension_numbers
    if id_ is None:  # the batch dim becomes the first window dim
        operand = move_to_front(operand, od)
        dn = GatherDimensionNumbers(
            offset_dims=(0,) + _shift(dn.offset_dims),
            collapsed_slice_dims=_shift(dn.collapsed_slice_dims),
            start_index_map=_shift(dn.start_index_map),
            operand_batching_dims=_shift(dn.operand_batching_dims),
            start_indices_batching_dims=dn.start_indices_batching_dims)
        sizes = (get_aval(operand).shape[0],) + slice_sizes
    elif od is None:  # the batch dim becomes the first batch dim of the output
        indices = move_to_front(indices, id_)
        dn = dn._replace(offset_dims=_shift(dn.offset_dims),
                         start_indices_batching_dims=_shift(dn.start_indices_batching_dims))
        sizes = slice_sizes
    else:  # pair the two batch dims
        operand, indices = move_to_front(operand, od), move_to_front(indices, id_)
        dn = GatherDimensionNumbers(
            offset_dims=_shift(dn.offset_dims),
            collapsed_slice_dims=_shift(dn.collapsed_slice_dims),
            start_index_map=_shift(dn.start_index_map),
            operand_batching_dims=(0,) + _shift(dn.operand_batching_dims),
            start_indices_batching_dims=(0,) + _shift(dn.start_indices_batching_dims))
        sizes = (1,) + slice_sizes
    return gather_p.bind(operand, indices, dimension_numbers=dn, slice_sizes=sizes,
                         **params), 0


gather_p.def_impl(_gather_impl)
gather_p.def_abstract_eval(_gather_abstract_eval)
gather_p.def_jvp(_gather_jvp)
gather_p.def_transpose(_gather_transpose)
gather_p.def_batch(_gather_batch)
gather_p.weak_type_rule = lambda in_weak, **params: in_weak[0]


# ---------------------------------------------------------------------------------------
# The scatter family: one primitive per way of combining an update with the operand.

def _scatter_set(out, index, updates):
    out[index] = updates  # with duplicate indices one of the updates wins


_COMBINE = {
    "scatter": _scatter_set,
    "scatter_add": np.add.at,
    "scatter_mul": np.multiply.at,
    "scatter_min": np.minimum.at,
    "scatter_max": np.maximum.at,
}


def _update_window(dn, operand_ndim, updates_shape):
    """The window size along each operand dimension (1 where inserted or batching)."""
    sizes, k = [], 0
    skipped = set(dn.inserted_window_dims) | set(dn.operand_batching_dims)
    for d in range(operand_ndim):
        if d in skipped:
            sizes.append(1)
        else:
            sizes.append(updates_shape[dn.update_window_dims[k]])
            k += 1
    return tuple(sizes)


def _scatter_abstract_eval(name):
    def rule(operand, indices, updates, *, dimension_numbers, **_):
        dn = dimension_numbers
        _check_indices(name, indices)
        if updates.dtype != operand.dtype:
            raise DtypeError(f"{name} needs updates of the operand's dtype, got operand "
                             f"{operand.str_short()} and updates {updates.str_short()}. "
                             f"Convert the updates with convert_element_type.")
        _check_dims(name, "update_window_dims", dn.update_window_dims, updates.ndim)
        _check_dims(name, "inserted_window_dims", dn.inserted_window_dims, operand.ndim)
        _check_batching(name, operand, indices, dn.operand_batching_dims,
                        dn.scatter_indices_batching_dims,
                        ("operand_batching_dims", "scatter_indices_batching_dims"))
        if set(dn.inserted_window_dims) & set(dn.operand_batching_dims):
            raise ShapeError(f"{name}: inserted_window_dims {dn.inserted_window_dims} and "
                             f"operand_batching_dims {dn.operand_batching_dims} must not "
                             f"overlap.")
        if len(dn.scatter_dims_to_operand_dims) != indices.shape[-1]:
            raise ShapeError(f"{name}: scatter_dims_to_operand_dims "
                             f"{dn.scatter_dims_to_operand_dims} needs one entry per "
                             f"index-vector component, and the indices {indices.str_short()} "
                             f"have {indices.shape[-1]}.")
        _check_dims(name, "scatter_dims_to_operand_dims", dn.scatter_dims_to_operand_dims,
                    operand.ndim, sorted_=False)
        if set(dn.scatter_dims_to_operand_dims) & set(dn.operand_batching_dims):
            raise ShapeError(f"{name}: scatter_dims_to_operand_dims must not name the "
                             f"operand_batching_dims {dn.operand_batching_dims}.")
        n_window = operand.ndim - len(dn.inserted_window_dims) - len(dn.operand_batching_dims)
        if len(dn.update_window_dims) != n_window:
            raise ShapeError(f"{name}: update_window_dims {dn.update_window_dims} needs one "
                             f"entry per operand dimension that is neither inserted nor "
                             f"batching ({n_window} for {operand.str_short()}).")
        scatter_shape = tuple(s for d, s in enumerate(updates.shape)
                              if d not in dn.update_window_dims)
        if scatter_shape != indices.shape[:-1]:
            raise ShapeError(f"{name}: the non-window dimensions of the updates "
                             f"{updates.str_short()} must match the batch dimensions "
                             f"{indices.shape[:-1]} of the indices {indices.str_short()}.")
        window = _update_window(dn, operand.ndim, updates.shape)
        for d, (w, n) in enumerate(zip(window, operand.shape)):
            if w > n:
                raise ShapeError(f"{name}: the update window ({w}) is larger than dimension "
                                 f"{d} of the operand {operand.str_short()}.")
        return ShapedArray(operand.shape, operand.dtype)
    return rule


def _scatter_impl(name):
    combine = _COMBINE[name]

    def impl(operand, indices, updates, *, dimension_numbers, mode, **_):
        dn = dimension_numbers
        out = np.array(operand, copy=True)
        window = _update_window(dn, operand.ndim, updates.shape)
        # Updates as (windows, *window): scatter dims first, window dims in operand order.
        scatter_dims = [d for d in range(updates.ndim) if d not in dn.update_window_dims]
        upd = np.transpose(updates, scatter_dims + list(dn.update_window_dims))
        upd = upd.reshape((int(np.prod(indices.shape[:-1], dtype=np.int64)),) + window)
        starts = _starts(operand.shape, indices, dn.scatter_dims_to_operand_dims,
                         dn.operand_batching_dims, dn.scatter_indices_batching_dims)
        clamped, fits = _fit(starts, operand.shape, window, dn.scatter_dims_to_operand_dims)
        if mode is GatherScatterMode.CLIP:
            starts = clamped
        elif not fits.all():  # out-of-bounds windows are dropped
            starts, upd = starts[fits], upd[fits]
        if not operand.ndim:  # a rank-0 operand: every update lands on its one element
            flat = out.reshape(1)
            combine(flat, (np.zeros(len(upd), np.int64),), upd)
            return flat.reshape(())
        perm, index = _windows(operand.shape, starts, window)
        # Writing through the transposed view updates `out` itself.
        combine(np.transpose(out, perm), index, np.transpose(upd, [0] + [1 + d for d in perm]))
        return out
    return impl


def _inverse_gather(dn, operand_ndim, updates_shape):
    """The gather dimension numbers and slice sizes that read back what a scatter wrote."""
    gdn = GatherDimensionNumbers(
        offset_dims=dn.update_window_dims, collapsed_slice_dims=dn.inserted_window_dims,
        start_index_map=dn.scatter_dims_to_operand_dims,
        operand_batching_dims=dn.operand_batching_dims,
        start_indices_batching_dims=dn.scatter_indices_batching_dims)
    return gdn, _update_window(dn, operand_ndim, updates_shape)


def _gather_back(x, indices, dn, updates_shape, params, fill_value=0):
    gdn, sizes = _inverse_gather(dn, get_aval(x).ndim, updates_shape)
    fill = fill_value if params["mode"] is GatherScatterMode.FILL_OR_DROP else None
    return gather_p.bind(x, indices, dimension_numbers=gdn, slice_sizes=sizes,
                         indices_are_sorted=params["indices_are_sorted"],
                         unique_indices=params["unique_indices"], mode=params["mode"],
                         fill_value=fill)


def _scatter_batch(prim):
    def rule(args, dims, *, dimension_numbers, **params):
        (operand, indices, updates), (od, id_, ud) = args, dims
        size = batch_size(args, dims)
        operand = bdim_at_front(operand, od, size)
        updates = bdim_at_front(updates, ud, size)
        dn = dimension_numbers
        if id_ is None:  # the batch dim is one more window dim, covering the whole axis
            dn = ScatterDimensionNumbers(
                update_window_dims=(0,) + _shift(dn.update_window_dims),
                inserted_window_dims=_shift(dn.inserted_window_dims),
                scatter_dims_to_operand_dims=_shift(dn.scatter_dims_to_operand_dims),
                operand_batching_dims=_shift(dn.operand_batching_dims),
                scatter_indices_batching_dims=dn.scatter_indices_batching_dims)
        else:  # pair the operand's batch dim with that of the indices
            indices = move_to_front(indices, id_)
            dn = ScatterDimensionNumbers(
                update_window_dims=_shift(dn.update_window_dims),
                inserted_window_dims=_shift(dn.inserted_window_dims),
                scatter_dims_to_operand_dims=_shift(dn.scatter_dims_to_operand_dims),
                operand_batching_dims=(0,) + _shift(dn.operand_batching_dims),
                scatter_indices_batching_dims=(0,) + _shift(dn.scatter_indices_batching_dims))
        return prim.bind(operand, indices, updates, dimension_numbers=dn, **params), 0
    prim.def_batch(rule)


def _scatter_primitive(name):
    prim = Primitive(name)
    prim.def_impl(_scatter_impl(name))
    prim.def_abstract_eval(_scatter_abstract_eval(name))
    _scatter_batch(prim)
    prim.weak_type_rule = lambda in_weak, **params: in_weak[0] and in_weak[2]
    return prim


scatter_p = _scatter_primitive("scatter")
scatter_add_p = _scatter_primitive("scatter_add")
scatter_mul_p = _scatter_primitive("scatter_mul")
scatter_min_p = _scatter_primitive("scatter_min")
scatter_max_p = _scatter_primitive("scatter_max")


def _scatter_fn(prim, doc):
    def fn(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
           unique_indices=False, mode=None):
        return checked_bind(prim, operand, scatter_indices, updates,
                            dimension_numbers=_tuples(dimension_numbers,
                                                      ScatterDimensionNumbers),
                            indices_are_sorted=bool(indices_are_sorted),
                            unique_indices=bool(unique_indices),
                            mode=GatherScatterMode.from_any(mode))
    fn.__name__ = prim.name
    fn.__doc__ = doc
    return fn


scatter = _scatter_fn(scatter_p, """operand with each window of `updates` written at its index
    vector (XLA Scatter); where windows collide, one of them wins.

    Args:
      operand: the array to update (arrays are immutable: a new one is returned).
      scatter_indices: an integer array whose last dimension is the index vector.
      updates: the windows, laid out as dimension_numbers describes.
      dimension_numbers: a ScatterDimensionNumbers.
      indices_are_sorted, unique_indices: promises the caller makes (unchecked).
      mode: 'fill' / 'drop' (default: out-of-bounds windows are dropped), 'clip' (starts
        are clamped so the window fits) or 'promise_in_bounds'.
    Example:
      x.at[idx].set(v) for a vector x is
      scatter(x, idx[:, None], v, ScatterDimensionNumbers((), (0,), (0,))).
    """)
scatter_add = _scatter_fn(scatter_add_p, """As `scatter`, but each window is added to the
    operand (colliding windows all add). Example: x.at[idx].add(v) for a vector x is
    scatter_add(x, idx[:, None], v, ScatterDimensionNumbers((), (0,), (0,))).""")
scatter_mul = _scatter_fn(scatter_mul_p, """As `scatter`, but the operand is multiplied by
    each window. Its derivative in the updates needs unique_indices=True (as in JAX).""")
scatter_min = _scatter_fn(scatter_min_p, """As `scatter`, but each element becomes the
    minimum of itself and the windows that land on it.""")
scatter_max = _scatter_fn(scatter_max_p, """As `scatter`, but each element becomes the
    maximum of itself and the windows that land on it.""")


# scatter_add is linear in (operand, updates) together.
def _scatter_add_transpose(ct, operand, indices, updates, *, dimension_numbers, **params):
    ct_operand = ct if is_undefined_primal(operand) else None
    ct_updates = None
    if is_undefined_primal(updates):
        ct_updates = _gather_back(ct, indices, dimension_numbers, updates.aval.shape, params)
    return [ct_operand, None, ct_updates]


linear_jvp(scatter_add_p, (0, 2))
scatter_add_p.def_transpose(_scatter_add_transpose)


# scatter (set): with unique indices it is linear in (operand, updates). Otherwise which of
# the colliding updates wins is up to the kernel, so the jvp tags each update with an id,
# scatters the ids, reads them back, and keeps only the operand values and updates that
# survived; a scatter_add of the survivors then gives the primal and its tangent together.
_scatter_unique_jvp = linear_jvp(scatter_p, (0, 2))


def _scatter_jvp(primals, tangents, *, dimension_numbers, **params):
    from fneedle.lax.arithmetic import add, eq, select_n
    from fneedle.lax.creation import broadcasted_iota
    from fneedle.lax.shape import broadcast_in_dim, reshape
    operand, indices, updates = primals
    t_operand, _, t_updates = tangents
    dn = dimension_numbers
    if params["unique_indices"]:
        return _scatter_unique_jvp(primals, tangents, dimension_numbers=dn, **params)
    out_aval = get_aval(operand)
    if type(t_operand) is Zero and type(t_updates) is Zero:
        out = scatter_p.bind(operand, indices, updates, dimension_numbers=dn, **params)
        return out, Zero(tangent_aval(out_aval))
    t_operand, t_updates = instantiate(t_operand), instantiate(t_updates)
    u_shape = get_aval(updates).shape
    ids_shape = tuple(1 if d in dn.update_window_dims else s for d, s in enumerate(u_shape))
    count = int(np.prod(ids_shape, dtype=np.int64))
    id_dtype = dtypes.int32 if count < np.iinfo(np.int32).max else dtypes.int64
    ids = reshape(broadcasted_iota(id_dtype, (count,), 0), ids_shape)
    ids = broadcast_in_dim(add(ids, 1), u_shape, tuple(range(len(u_shape))))  # ids from 1
    landed = scatter_p.bind(full(out_aval.shape, 0, id_dtype), indices, ids,
                            dimension_numbers=dn, **params)
    survived = eq(ids, _gather_back(landed, indices, dn, u_shape, params))
    untouched = eq(landed, full(out_aval.shape, 0, id_dtype))

    def keep(mask, x):
        return select_n(mask, full(get_aval(x).shape, 0, get_aval(x).dtype), x)

    p_add = dict(params, unique_indices=False)
    out = scatter_add_p.bind(keep(untouched, operand), indices, keep(survived, updates),
                             dimension_numbers=dn, **p_add)
    t_out = scatter_add_p.bind(keep(untouched, t_operand), indices, keep(survived, t_updates),
                               dimension_numbers=dn, **p_add)
    return out, t_out


scatter_p.def_jvp(_scatter_jvp)


def _scatter_transpose(ct, operand, indices, updates, *, dimension_numbers, **params):
    if not params["unique_indices"]:
        raise NotImplementedError("scatter is transposable only with unique_indices=True; "
                                  "with colliding indices its jvp uses scatter_add instead.")
    u_aval = updates.aval if is_undefined_primal(updates) else get_aval(updates)
    ct_operand = ct_updates = None
    if is_undefined_primal(operand):  # the overwritten positions get no cotangent
        ct_operand = scatter_p.bind(ct, indices, full(u_aval.shape, 0, u_aval.dtype),
                                    dimension_numbers=dimension_numbers, **params)
    if is_undefined_primal(updates):
        ct_updates = _gather_back(ct, indices, dimension_numbers, u_aval.shape, params)
    return [ct_operand, None, ct_updates]


scatter_p.def_transpose(_scatter_transpose)


# scatter_mul: out = operand * M with M = scatter_mul(ones, indices, updates), so it is
# linear in the operand. The updates' term needs unique indices (as in JAX): then
# d out = operand * scatter_add(0, indices, d updates).
def _scatter_mul_jvp(primals, tangents, *, dimension_numbers, **params):
    from fneedle.lax.arithmetic import mul
    operand, indices, updates = primals
    t_operand, _, t_updates = tangents
    dn = dimension_numbers
    out = scatter_mul_p.bind(operand, indices, updates, dimension_numbers=dn, **params)
    t_out = Zero(tangent_aval(get_aval(out)))
    if type(t_operand) is not Zero:
        t_out = scatter_mul_p.bind(t_operand, indices, updates, dimension_numbers=dn, **params)
    if type(t_updates) is not Zero:
        if not params["unique_indices"]:
            raise NotImplementedError(
                "The derivative of scatter_mul with respect to its updates is implemented "
                "only for unique_indices=True (as in JAX); pass unique_indices=True if no "
                "two updates land on the same element.")
        aval = get_aval(operand)
        spread = scatter_add_p.bind(full(aval.shape, 0, aval.dtype), indices, t_updates,
                                    dimension_numbers=dn, **params)
        t_out = add_tangents(t_out, mul(operand, spread))
    return out, t_out


def _scatter_mul_transpose(ct, operand, indices, updates, *, dimension_numbers, **params):
    if is_undefined_primal(updates):
        raise NotImplementedError("scatter_mul is not linear in its updates, so it cannot be "
                                  "transposed with respect to them.")
    ct_operand = None
    if is_undefined_primal(operand):
        ct_operand = scatter_mul_p.bind(ct, indices, updates,
                                        dimension_numbers=dimension_numbers, **params)
    return [ct_operand, None, None]


scatter_mul_p.def_jvp(_scatter_mul_jvp)
scatter_mul_p.def_transpose(_scatter_mul_transpose)


# scatter_min / scatter_max: the tangent at each element is the mean of the tangents of the
# values tied for the extremum there (the operand's value and the updates that landed).
def _scatter_extremum_jvp(prim):
    def jvp(primals, tangents, *, dimension_numbers, **params):
        from fneedle.lax.arithmetic import add, convert_element_type, div, eq, select_n
        from fneedle.lax.arithmetic import max as maximum
        operand, indices, updates = primals
        t_operand, _, t_updates = tangents
        dn = dimension_numbers
        out = prim.bind(operand, indices, updates, dimension_numbers=dn, **params)
        aval = get_aval(out)
        if type(t_operand) is Zero and type(t_updates) is Zero:
            return out, Zero(tangent_aval(aval))
        t_operand, t_updates = instantiate(t_operand), instantiate(t_updates)
        u_aval = get_aval(updates)
        p_add = dict(params, unique_indices=False)

        def zeros(a):
            return full(a.shape, 0, a.dtype)

        def spread(x):  # scatter_add of update-shaped x into zeros
            return scatter_add_p.bind(zeros(aval), indices, x, dimension_numbers=dn, **p_add)
        # Dropped updates read back the fill value NaN, so they never count as winners.
        won = eq(updates, _gather_back(out, indices, dn, u_aval.shape, params, np.nan))
        kept = eq(operand, out)
        count = add(convert_element_type(kept, aval.dtype),
                    spread(convert_element_type(won, aval.dtype)))
        count = maximum(count, full(aval.shape, 1, aval.dtype))
        total = add(select_n(kept, zeros(aval), t_operand),
                    spread(select_n(won, zeros(u_aval), t_updates)))
        return out, div(total, count)
    prim.def_jvp(jvp)


_scatter_extremum_jvp(scatter_min_p)
_scatter_extremum_jvp(scatter_max_p)
