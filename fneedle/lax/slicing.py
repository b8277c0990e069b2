"""Slicing primitives: slice, dynamic_slice, dynamic_update_slice, pad, rev, concatenate,
and JAX's `*_in_dim` conveniences built on them.

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
from fneedle.core.linear import Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import instantiate
from fneedle.lax.batch_rules import batch_size, bdim_at_front, move_to_front
from fneedle.lax.shape import full, reshape, squeeze


def _static_ints(values, what):
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError as e:
        raise TypeError(f"{what} must be a sequence of Python ints, got {values!r}; these are "
                        f"static, so they cannot be traced values.") from e


def _aval_of(x):
    return x.aval if is_undefined_primal(x) else get_aval(x)


def _bdim(d, bd):
    """Operand dimension d of a value whose batch dimension sits at bd."""
    return d + (d >= bd)


def checked_bind(primitive, *args, **params):
    """Binds after running abstract_eval on the arguments' avals. Eager evaluation calls
    impls directly, so without this a misuse would surface as a NumPy error, not as the
    rule's full-sentence ShapeError / DtypeError. Rules bind well-formed calls directly."""
    primitive.abstract_eval(*[get_aval(a) for a in args], **params)
    return primitive.bind(*args, **params)


def linear_jvp(primitive, linear_argnums=None):
    """Defines the jvp of a primitive linear in the args `linear_argnums` taken together (all
    args when None); the other args (indices) are held fixed: out_tangent = prim(tangents)."""
    def jvp(primals, tangents, **params):
        out = primitive.bind(*primals, **params)
        lin = range(len(primals)) if linear_argnums is None else linear_argnums
        if all(type(tangents[i]) is Zero for i in lin):
            return out, Zero(tangent_aval(get_aval(out)))
        args = [instantiate(t) if i in lin else p
                for i, (p, t) in enumerate(zip(primals, tangents, strict=True))]
        return out, primitive.bind(*args, **params)
    primitive.def_jvp(jvp)
    return jvp


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
    start = _static_ints(start_indices, "slice's start_indices")
    limit = _static_ints(limit_indices, "slice's limit_indices")
    strides = None if strides is None else _static_ints(strides, "slice's strides")
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
    ct_shape = get_aval(ct).shape
    config = []
    for lo, st, n, m in zip(start_indices, strides, shape, ct_shape):
        real_hi = lo + (1 + (m - 1) * st if m else 0)
        config.append((lo, n - real_hi, st - 1 if m else 0))
    return [pad(ct, Array(np.zeros((), _dtype_of(ct))), config)]


def _dtype_of(x):
    return get_aval(x).dtype


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
    sizes = _static_ints(slice_sizes, "dynamic_slice's slice_sizes")
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
    upd = _aval_of(update)
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
# pad

pad_p = Primitive("pad")


def pad(operand, padding_value, padding_config):
    """operand padded with `padding_value`: (low, high, interior) per dimension.

    low/high may be negative (they then crop); interior >= 0 inserts that many values
    between neighbouring elements. The output size is low + high + n + max(n - 1, 0) *
    interior along each dimension.
    Example:
      pad(x, 0.0, [(1, -1, 1)]) on [1, 2, 3] is [0, 1, 0, 2, 0].
    """
    config = tuple(_static_ints(c, "pad's padding_config entries") for c in padding_config)
    if isinstance(padding_value, (bool, int, float)) and not isinstance(padding_value,
                                                                         np.generic):
        padding_value = Array(np.asarray(padding_value, get_aval(operand).dtype),
                              weak_type=True)
    return checked_bind(pad_p, operand, padding_value, padding_config=config)


def _pad_abstract_eval(x, padding_value, padding_config):
    if padding_value.shape != () or padding_value.dtype != x.dtype:
        raise DtypeError(f"pad needs a rank-0 padding value of the operand's dtype, got "
                         f"operand {x.str_short()} and padding value "
                         f"{padding_value.str_short()}.")
    if len(padding_config) != x.ndim or any(len(c) != 3 for c in padding_config):
        raise ShapeError(f"pad of {x.str_short()} needs one (low, high, interior) triple per "
                         f"dimension, got padding_config={padding_config}.")
    out = []
    for d, ((lo, hi, interior), n) in enumerate(zip(padding_config, x.shape)):
        if interior < 0:
            raise ShapeError(f"pad: interior padding must be >= 0, got {interior} for "
                             f"dimension {d} of {x.str_short()}.")
        size = lo + hi + n + builtins.max(n - 1, 0) * interior
        if size < 0:
            raise ShapeError(f"pad of {x.str_short()} with {padding_config[d]} on dimension "
                             f"{d} gives a negative size {size}; negative padding can crop at "
                             f"most the whole dimension.")
        out.append(size)
    return ShapedArray(tuple(out), x.dtype)


def _pad_impl(x, padding_value, padding_config):
    # Place x with its interior gaps into the non-negative padding, then crop negative ends.
    full_shape, place, crop = [], [], []
    for (lo, hi, interior), n in zip(padding_config, x.shape):
        spread = n + builtins.max(n - 1, 0) * interior
        size = builtins.max(lo, 0) + spread + builtins.max(hi, 0)
        full_shape.append(size)
        place.append(builtins.slice(builtins.max(lo, 0), builtins.max(lo, 0) + spread,
                                    interior + 1))
        crop.append(builtins.slice(-builtins.min(lo, 0), size + builtins.min(hi, 0)))
    out = np.full(full_shape, padding_value, x.dtype)
    out[tuple(place)] = x
    return np.asarray(out[tuple(crop)])


def _pad_transpose(ct, x, padding_value, padding_config):
    from fneedle.lax.arithmetic import sub
    from fneedle.lax.reduction import reduce_sum

    def ct_operand():
        unpad = [(-lo, -hi, 0) for lo, hi, _ in padding_config]
        unpadded = pad(ct, Array(np.zeros((), _dtype_of(ct))), unpad)
        shape = get_aval(unpadded).shape
        return slice(unpadded, (0,) * len(shape), shape,
                     tuple(interior + 1 for _, _, interior in padding_config))

    ct_x = ct_operand() if is_undefined_primal(x) else None
    ct_v = None
    if is_undefined_primal(padding_value):
        # The padding value landed everywhere the operand did not.
        ndim = get_aval(ct).ndim
        inner = ct_x if ct_x is not None else ct_operand()
        ct_v = sub(reduce_sum(ct, tuple(range(ndim))), reduce_sum(inner, tuple(range(ndim))))
    return [ct_x, ct_v]


def _pad_batch(args, dims, padding_config):
    from fneedle.lax.arithmetic import select_n
    from fneedle.lax.shape import broadcast_in_dim
    (x, value), (xd, vd) = args, dims
    if vd is None:
        config = padding_config[:xd] + ((0, 0, 0),) + padding_config[xd:]
        return pad_p.bind(x, value, padding_config=config), xd
    # A padding value per batch member: pad with zeros, then select by a padded mask.
    size = batch_size(args, dims)
    x = bdim_at_front(x, xd, size)
    aval = get_aval(x)
    config = ((0, 0, 0),) + padding_config
    padded = pad(x, Array(np.zeros((), aval.dtype)), config)
    mask = pad(full(aval.shape, True, dtypes.bool_), False, config)
    out_shape = get_aval(padded).shape
    values = broadcast_in_dim(move_to_front(value, vd), out_shape, (0,))
    return select_n(mask, values, padded), 0


pad_p.def_impl(_pad_impl)
pad_p.def_abstract_eval(_pad_abstract_eval)
linear_jvp(pad_p)
pad_p.def_transpose(_pad_transpose)
pad_p.def_batch(_pad_batch)


# ---------------------------------------------------------------------------------------
# rev

rev_p = Primitive("rev")


def rev(operand, dimensions):
    """operand reversed along `dimensions`. Example: rev(x, (0,)) is x[::-1]."""
    ndim = get_aval(operand).ndim
    dims = tuple(sorted(d + ndim if -ndim <= d < 0 else d
                        for d in _static_ints(dimensions, "rev's dimensions")))
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
    return rev_p.bind(x, dimensions=tuple(_bdim(d, bd) for d in dimensions)), bd


rev_p.def_impl(lambda x, dimensions: np.flip(x, dimensions))
rev_p.def_abstract_eval(_rev_abstract_eval)
linear_jvp(rev_p)
rev_p.def_transpose(lambda ct, x, dimensions: [rev_p.bind(ct, dimensions=dimensions)])
rev_p.def_batch(_rev_batch)


# ---------------------------------------------------------------------------------------
# concatenate

concatenate_p = Primitive("concatenate")


def concatenate(operands, dimension):
    """The operands joined along `dimension`; their other dimensions and dtypes must agree.

    Example: concatenate([x, y], 0) stacks the rows of x above those of y.
    """
    operands = list(operands)
    if not operands:
        raise ValueError("concatenate needs at least one operand.")
    if len(operands) == 1:
        return operands[0]
    ndim = get_aval(operands[0]).ndim
    dimension = operator.index(dimension)
    if ndim and -ndim <= dimension < 0:
        dimension += ndim
    return checked_bind(concatenate_p, *operands, dimension=dimension)


def _concatenate_abstract_eval(*avals, dimension):
    first = avals[0]
    listing = ", ".join(a.str_short() for a in avals)
    if not 0 <= dimension < first.ndim:
        raise ShapeError(f"concatenate along dimension {dimension} needs operands of rank > "
                         f"{dimension}, got {listing}.")
    for a in avals[1:]:
        if a.dtype != first.dtype:
            raise DtypeError(f"concatenate needs operands of one dtype, got {listing}. "
                             f"Convert them with convert_element_type first.")
        if a.ndim != first.ndim or any(m != n for d, (m, n) in enumerate(
                zip(a.shape, first.shape)) if d != dimension):
            raise ShapeError(f"concatenate along dimension {dimension} needs operands whose "
                             f"other dimensions agree, got {listing}.")
    size = builtins.sum(a.shape[dimension] for a in avals)
    shape = first.shape[:dimension] + (size,) + first.shape[dimension + 1:]
    return ShapedArray(shape, first.dtype)


def _concatenate_transpose(ct, *operands, dimension):
    ct_shape = get_aval(ct).shape
    out, offset = [], 0
    for x in operands:
        n = _aval_of(x).shape[dimension]
        if is_undefined_primal(x):
            start = tuple(offset if d == dimension else 0 for d in range(len(ct_shape)))
            limit = tuple(offset + n if d == dimension else s for d, s in enumerate(ct_shape))
            out.append(slice(ct, start, limit))
        else:
            out.append(None)
        offset += n
    return out


def _concatenate_batch(args, dims, dimension):
    size = batch_size(args, dims)
    moved = [bdim_at_front(x, d, size) for x, d in zip(args, dims)]
    return concatenate_p.bind(*moved, dimension=dimension + 1), 0


concatenate_p.def_impl(lambda *xs, dimension: np.concatenate(xs, axis=dimension))
concatenate_p.def_abstract_eval(_concatenate_abstract_eval)
linear_jvp(concatenate_p)
concatenate_p.def_transpose(_concatenate_transpose)
concatenate_p.def_batch(_concatenate_batch)


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
