"""Dynamic slicing: dynamic_slice and dynamic_update_slice, whose start indices may be traced,
and JAX's *_in_dim conveniences along one axis.

Dynamic start indices are rank-0 integer arrays (possibly traced) passed as extra operands;
like XLA, the primitives clamp them so the window lies inside the operand. The wrappers
first wrap negative starts once, as JAX does (-1 means the last position).
"""

import builtins
import functools
import operator

import numpy as np

from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import is_undefined_primal
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import linear_jvp, primal_aval
from fneedle.lax.batch_rules import batch_size, bdim_at_front, move_to_front
from fneedle.lax.concatenation import concatenate
from fneedle.lax.shape import full, reshape, squeeze
from fneedle.lax.static_slicing import index_in_dim
from fneedle.lax.wrapper_checks import checked_bind, static_ints

# ---------------------------------------------------------------------------------------
# Dynamic start indices (shared by dynamic_slice and dynamic_update_slice).

def _check_index_aval(name, aval, which):
    if aval.shape != ():
        raise ShapeError(f"{name}: start index {which} must be a rank-0 integer array, got "
                         f"{aval.str_short()}. Pass one scalar per operand dimension.")
    if not dtypes.is_integer(aval.dtype):
        raise DtypeError(f"{name}: start index {which} must have an integer dtype, got "
                         f"{aval.str_short()}. Convert it, e.g. i.astype('int32').")


def _index_dtype(index_dtypes):
    if not index_dtypes:
        return dtypes.int32
    common = functools.reduce(np.promote_types, index_dtypes)
    return common if dtypes.is_integer(common) else dtypes.int64


def _start_indices(name, shape, start_indices):
    """Start indices as rank-0 integer arrays of one dtype, with negative ones wrapped once."""
    from fneedle.lax.arithmetic import add, convert_element_type, lt, select_n
    aval = getattr(start_indices, "aval", None)
    if aval is not None or isinstance(start_indices, np.ndarray):  # one array of indices
        aval = get_aval(start_indices)
        if aval.ndim != 1:
            raise ShapeError(f"{name}: start_indices given as an array must be rank 1, got "
                             f"{aval.str_short()}.")
        start_indices = [index_in_dim(start_indices, i, 0, keepdims=False)
                         for i in range(aval.shape[0])]
    start_indices = list(start_indices)
    if len(start_indices) != len(shape):
        raise ShapeError(f"{name} needs one start index per dimension of the operand (shape "
                         f"{shape}), got {len(start_indices)}.")
    static = [isinstance(i, (int, np.integer)) for i in start_indices]
    for k, (i, s) in enumerate(zip(start_indices, static)):
        if not s:
            _check_index_aval(name, get_aval(i), k)
    dt = _index_dtype([get_aval(i).dtype for i, s in zip(start_indices, static) if not s])
    out = []
    for i, s, n in zip(start_indices, static, shape):
        if s:
            i = int(i)
            out.append(Array(np.asarray(i + n if i < 0 else i, dt)))
            continue
        i = convert_element_type(i, dt)
        if not dtypes.is_unsigned(dt):
            i = select_n(lt(i, 0), i, add(i, n))
        out.append(i)
    return out


def _clamped_starts(shape, starts, sizes):
    return [int(np.clip(int(s), 0, n - m)) for s, n, m in zip(starts, shape, sizes)]


def _stacked_starts(starts, dims, size):
    """The batched scalar starts as one (size, n) index array, for gather and scatter."""
    from fneedle.lax.arithmetic import convert_element_type
    dt = _index_dtype([get_aval(s).dtype for s in starts])
    cols = [reshape(convert_element_type(bdim_at_front(s, d, size), dt), (size, 1))
            for s, d in zip(starts, dims)]
    return concatenate(cols, 1) if cols else full((size, 0), 0, dt)


# ---------------------------------------------------------------------------------------
# dynamic_slice

dynamic_slice_p = Primitive("dynamic_slice")


def dynamic_slice(operand, start_indices, slice_sizes):
    """The window of static size `slice_sizes` starting at (possibly traced) start_indices.

    Starts are clamped so the window fits: start = clip(start, 0, size - slice_size), after
    negative starts are wrapped once.
    Args:
      operand: an array.
      start_indices: one integer scalar (Python int or rank-0 array) per dimension.
      slice_sizes: one static int per dimension.
    Example:
      dynamic_slice(x, (i, 0), (2, x.shape[1])) is x[i:i+2] for 0 <= i <= len(x) - 2.
    """
    shape = get_aval(operand).shape
    starts = _start_indices("dynamic_slice", shape, start_indices)
    sizes = static_ints(slice_sizes, "dynamic_slice's slice_sizes")
    return checked_bind(dynamic_slice_p, operand, *starts, slice_sizes=sizes)


def _dynamic_slice_abstract_eval(x, *starts, slice_sizes):
    if len(starts) != x.ndim or len(slice_sizes) != x.ndim:
        raise ShapeError(f"dynamic_slice of {x.str_short()} needs one start index and one "
                         f"slice size per dimension, got {len(starts)} start indices and "
                         f"slice_sizes={slice_sizes}.")
    for k, s in enumerate(starts):
        _check_index_aval("dynamic_slice", s, k)
    for d, (m, n) in enumerate(zip(slice_sizes, x.shape)):
        if not 0 <= m <= n:
            raise ShapeError(f"dynamic_slice of {x.str_short()}: slice size {m} of dimension "
                             f"{d} must be between 0 and the dimension's size {n}.")
    return ShapedArray(tuple(slice_sizes), x.dtype)


def _dynamic_slice_impl(x, *starts, slice_sizes):
    lo = _clamped_starts(x.shape, starts, slice_sizes)
    return np.asarray(x[tuple(builtins.slice(s, s + m) for s, m in zip(lo, slice_sizes))])


def _dynamic_slice_transpose(ct, x, *starts, slice_sizes):
    aval = x.aval
    zeros = full(aval.shape, 0, aval.dtype)
    return [dynamic_update_slice_p.bind(zeros, ct, *starts)] + [None] * len(starts)


def _dynamic_slice_batch(args, dims, slice_sizes):
    x, *starts = args
    xd, *sds = dims
    if all(d is None for d in sds):  # one window for all: slice the whole batch dim too
        size = get_aval(x).shape[xd]
        dt = get_aval(starts[0]).dtype if starts else dtypes.int32
        starts = starts[:xd] + [Array(np.zeros((), dt))] + starts[xd:]
        sizes = slice_sizes[:xd] + (size,) + slice_sizes[xd:]
        return dynamic_slice_p.bind(x, *starts, slice_sizes=sizes), xd
    # A window per batch member: a gather with one index vector each, clamped like XLA.
    from fneedle.lax.indexing import GatherDimensionNumbers, GatherScatterMode, gather
    size = batch_size(args, dims)
    index = _stacked_starts(starts, sds, size)
    n = len(slice_sizes)
    window = tuple(range(1, n + 1))
    if xd is None:
        dnums = GatherDimensionNumbers(offset_dims=window, collapsed_slice_dims=(),
                                       start_index_map=tuple(range(n)))
        return gather(x, index, dnums, slice_sizes, mode=GatherScatterMode.CLIP), 0
    x = move_to_front(x, xd)
    dnums = GatherDimensionNumbers(offset_dims=window, collapsed_slice_dims=(),
                                   start_index_map=window, operand_batching_dims=(0,),
                                   start_indices_batching_dims=(0,))
    return gather(x, index, dnums, (1,) + slice_sizes, mode=GatherScatterMode.CLIP), 0


dynamic_slice_p.def_impl(_dynamic_slice_impl)
dynamic_slice_p.def_abstract_eval(_dynamic_slice_abstract_eval)
linear_jvp(dynamic_slice_p, (0,))
dynamic_slice_p.def_transpose(_dynamic_slice_transpose)
dynamic_slice_p.def_batch(_dynamic_slice_batch)
dynamic_slice_p.weak_type_rule = lambda in_weak, **params: in_weak[0]


# ---------------------------------------------------------------------------------------
# dynamic_update_slice

dynamic_update_slice_p = Primitive("dynamic_update_slice")


def dynamic_update_slice(operand, update, start_indices):
    """operand with the window at start_indices replaced by `update` (starts clamped so the
    update fits, after negative starts are wrapped once).

    Example:
      dynamic_update_slice(zeros((5,)), ones((2,)), (3,)) is [0, 0, 0, 1, 1].
    """
    shape = get_aval(operand).shape
    starts = _start_indices("dynamic_update_slice", shape, start_indices)
    return checked_bind(dynamic_update_slice_p, operand, update, *starts)


def _dynamic_update_slice_abstract_eval(x, update, *starts):
    if update.ndim != x.ndim or any(u > n for u, n in zip(update.shape, x.shape)):
        raise ShapeError(f"dynamic_update_slice cannot write an update {update.str_short()} "
                         f"into an operand {x.str_short()}: the update needs the operand's "
                         f"rank and no larger size along any dimension.")
    if update.dtype != x.dtype:
        raise DtypeError(f"dynamic_update_slice needs an update of the operand's dtype, got "
                         f"operand {x.str_short()} and update {update.str_short()}. Convert "
                         f"the update with convert_element_type.")
    if len(starts) != x.ndim:
        raise ShapeError(f"dynamic_update_slice of {x.str_short()} needs one start index per "
                         f"dimension, got {len(starts)}.")
    for k, s in enumerate(starts):
        _check_index_aval("dynamic_update_slice", s, k)
    return ShapedArray(x.shape, x.dtype)


def _dynamic_update_slice_impl(x, update, *starts):
    lo = _clamped_starts(x.shape, starts, update.shape)
    out = np.array(x, copy=True)
    out[tuple(builtins.slice(s, s + m) for s, m in zip(lo, update.shape))] = update
    return out


def _dynamic_update_slice_transpose(ct, x, update, *starts):
    upd = primal_aval(update)
    ct_x = ct_u = None
    if is_undefined_primal(x):
        ct_x = dynamic_update_slice_p.bind(ct, full(upd.shape, 0, upd.dtype), *starts)
    if is_undefined_primal(update):
        ct_u = dynamic_slice_p.bind(ct, *starts, slice_sizes=upd.shape)
    return [ct_x, ct_u] + [None] * len(starts)


def _dynamic_update_slice_batch(args, dims):
    x, update, *starts = args
    xd, ud, *sds = dims
    size = batch_size(args, dims)
    x = bdim_at_front(x, xd, size)
    update = bdim_at_front(update, ud, size)
    if all(d is None for d in sds):
        dt = get_aval(starts[0]).dtype if starts else dtypes.int32
        return dynamic_update_slice_p.bind(x, update, Array(np.zeros((), dt)), *starts), 0
    # A window per batch member: a scatter that writes each member's update into its row.
    from fneedle.lax.indexing import GatherScatterMode, ScatterDimensionNumbers, scatter
    index = _stacked_starts(starts, sds, size)
    window = tuple(range(1, len(starts) + 1))
    dnums = ScatterDimensionNumbers(update_window_dims=window, inserted_window_dims=(),
                                    scatter_dims_to_operand_dims=window,
                                    operand_batching_dims=(0,),
                                    scatter_indices_batching_dims=(0,))
    return scatter(x, index, update, dnums, indices_are_sorted=True, unique_indices=True,
                   mode=GatherScatterMode.CLIP), 0


dynamic_update_slice_p.def_impl(_dynamic_update_slice_impl)
dynamic_update_slice_p.def_abstract_eval(_dynamic_update_slice_abstract_eval)
linear_jvp(dynamic_update_slice_p, (0, 1))
dynamic_update_slice_p.def_transpose(_dynamic_update_slice_transpose)
dynamic_update_slice_p.def_batch(_dynamic_update_slice_batch)
dynamic_update_slice_p.weak_type_rule = lambda in_weak: in_weak[0] and in_weak[1]

# ---------------------------------------------------------------------------------------
# Conveniences along one axis, as in jax.lax.

def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    """dynamic_slice along one axis: slice_size elements from (clamped) start_index."""
    shape = get_aval(operand).shape
    axis = operator.index(axis) % len(shape)
    starts = [0] * len(shape)
    starts[axis] = start_index
    sizes = list(shape)
    sizes[axis] = operator.index(slice_size)
    return dynamic_slice(operand, starts, sizes)


def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    """operand[index] along `axis` for a possibly traced index (clamped into range)."""
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    if keepdims:
        return out
    return squeeze(out, (operator.index(axis) % get_aval(operand).ndim,))


def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    """dynamic_update_slice along one axis, at (clamped) start_index."""
    ndim = get_aval(operand).ndim
    axis = operator.index(axis) % ndim
    starts = [0] * ndim
    starts[axis] = start_index
    return dynamic_update_slice(operand, update, starts)


def dynamic_update_index_in_dim(operand, update, index, axis):
    """operand with position `index` along `axis` replaced by `update` (which may lack that
    axis)."""
    ndim = get_aval(operand).ndim
    axis = operator.index(axis) % ndim
    if get_aval(update).ndim == ndim - 1:
        from fneedle.lax.shape import expand_dims
        update = expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(operand, update, index, axis)
