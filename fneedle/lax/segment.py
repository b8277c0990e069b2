"""Row gathers and scatter-adds: `take_rows` and `segment_sum`, each the other's transpose, with
`bincount` on top and the index helpers (`take_along_axis`, `resize_axis`) other rules use.

Out-of-range indices (negative ones included) read zeros and write nowhere, so every index
array is valid: this is JAX's mode='fill' for gathers and mode='drop' for scatters.
"""

import math

import numpy as np

from fneedle.backend import cpu as cpu_backend
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import concrete_value, get_aval
from fneedle.core.linear import Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.arithmetic import add, bitwise_and, convert_element_type, ge, lt, mul, select_n
from fneedle.lax.batch_rules import bdim_at_front, move_axis, move_to_front
from fneedle.lax.shape import broadcast_in_dim, full, reshape

_16BIT = (dtypes.float16, dtypes.bfloat16)


def iota(dtype, shape, dimension):
    """A constant array of `shape` counting 0, 1, ... along `dimension`."""
    shape = tuple(shape)
    values = Array(np.arange(shape[dimension], dtype=dtypes.canonicalize(dtype)))
    return broadcast_in_dim(values, shape, (dimension,))


def _check_indices(name, aval):
    if not dtypes.is_integer(aval.dtype):
        raise DtypeError(f"{name} needs integer indices, got {aval.str_short()}. Convert "
                         f"them with convert_element_type(indices, 'int32').")


def _as_index_array(indices):
    """Python lists become int32 constants; NumPy integer arrays keep their dtype."""
    if isinstance(indices, (list, tuple)):
        return Array(np.asarray(indices, dtypes.int32))
    if isinstance(indices, np.ndarray):
        return Array(indices if indices.dtype.kind in "iu" else indices.astype(dtypes.int32))
    return indices


def _index_dtype(n):
    return dtypes.int32 if n < 2**31 - 1 else dtypes.int64


# ---------------------------------------------------------------------------------------
# take_rows: out[i..., :] = x[indices[i...], :]

take_rows_p = Primitive("take_rows")


def take_rows(x, indices):
    """Rows of x picked by `indices` (any shape): out[i...] = x[indices[i...]], zeros where an
    index is out of range.

    Example: take_rows(x, [2, 0]) stacks rows 2 and 0 of x; take_rows(x, [-1]) is a row of 0s.
    """
    return take_rows_p.bind(x, _as_index_array(indices))


def _take_rows_abstract_eval(x, indices):
    if x.ndim < 1:
        raise ShapeError(f"take_rows picks rows of an array of rank >= 1, got {x.str_short()}. "
                         f"Reshape a scalar to shape (1,) first.")
    _check_indices("take_rows", indices)
    return ShapedArray(indices.shape + x.shape[1:], x.dtype)


def _take_rows_impl(x, indices):
    n = x.shape[0]
    valid = (indices >= 0) & (indices < n)
    if n == 0:
        return np.zeros(indices.shape + x.shape[1:], x.dtype)
    out = x[np.where(valid, indices, 0)]
    if not valid.all():
        out[~valid] = 0
    return out


def _take_rows_jvp(primals, tangents):
    (x, indices), (t, _) = primals, tangents
    out = take_rows(x, indices)
    if type(t) is Zero:
        return out, Zero(tangent_aval(get_aval(out)))
    return out, take_rows(t, indices)


def _take_rows_transpose(ct, x, indices):
    assert is_undefined_primal(x) and not is_undefined_primal(indices)
    return [segment_sum(ct, indices, x.aval.shape[0]), None]


def _take_rows_batch(args, dims):
    (x, indices), (dx, di) = args, dims
    if di is None:  # gather rows of every batch member: the batch dim moves to 1
        x = move_axis(x, dx, 1)
        return take_rows(x, indices), get_aval(indices).ndim
    if dx is None:
        return take_rows(x, indices), di
    # Both batched: offset each member's indices into the rows of one flattened array.
    x, indices = move_to_front(x, dx), move_to_front(indices, di)
    xa, ia = get_aval(x), get_aval(indices)
    size, n = xa.shape[0], xa.shape[1]
    dt = _index_dtype(size * n)
    indices = convert_element_type(indices, dt)
    valid = bitwise_and(ge(indices, 0), lt(indices, n))
    offset = mul(iota(dt, ia.shape, 0), n)
    flat_ids = select_n(valid, full(ia.shape, -1, dt), add(indices, offset))
    flat_x = reshape(x, (size * n,) + xa.shape[2:])
    return take_rows(flat_x, flat_ids), 0


take_rows_p.def_impl(_take_rows_impl)
take_rows_p.def_abstract_eval(_take_rows_abstract_eval)
take_rows_p.def_jvp(_take_rows_jvp)
take_rows_p.def_transpose(_take_rows_transpose)
take_rows_p.def_batch(_take_rows_batch)
take_rows_p.weak_type_rule = lambda in_weak: in_weak[0]


# ---------------------------------------------------------------------------------------
# segment_sum: out[s, :] = sum of data[i..., :] over the i... with segment_ids[i...] == s

segment_sum_p = Primitive("segment_sum")


def segment_sum(data, segment_ids, num_segments=None, indices_are_sorted=False):
    """Sums the leading entries of `data` into `num_segments` buckets named by `segment_ids`.

    Args:
      data: an array whose leading dims have the shape of segment_ids.
      segment_ids: integer ids; those outside [0, num_segments) are dropped.
      num_segments: the number of buckets (a Python int). None means max(segment_ids) + 1,
        which needs concrete ids (not under jit).
      indices_are_sorted: a hint; the result does not depend on it.
    Returns:
      An array of shape (num_segments,) + data.shape[segment_ids.ndim:].
    Example:
      segment_sum([1., 2., 3.], [0, 0, 2], 3)  # [3., 0., 3.]
    """
    segment_ids = _as_index_array(segment_ids)
    if isinstance(data, (list, tuple)):
        data = Array(np.asarray(data, dtypes.float32))
    if num_segments is None:
        ids = concrete_value(segment_ids, "segment_sum's num_segments")
        num_segments = int(ids.max()) + 1 if ids.size else 0
    return segment_sum_p.bind(data, segment_ids, num_segments=int(num_segments),
                              indices_are_sorted=bool(indices_are_sorted))


def _segment_sum_abstract_eval(data, segment_ids, num_segments, indices_are_sorted):
    _check_indices("segment_sum", segment_ids)
    if data.dtype == dtypes.bool_:
        raise DtypeError("segment_sum does not accept bool data; convert it to an integer "
                         "dtype first, e.g. convert_element_type(data, 'int32').")
    k = segment_ids.ndim
    if data.shape[:k] != segment_ids.shape:
        raise ShapeError(f"segment_sum needs segment_ids shaped like the leading dims of data; "
                         f"got data {data.str_short()} and segment_ids "
                         f"{segment_ids.str_short()}. Give one id per leading entry of data.")
    if num_segments < 0:
        raise ShapeError(f"segment_sum's num_segments must be >= 0, got {num_segments}.")
    return ShapedArray((num_segments,) + data.shape[k:], data.dtype)


def _segment_sum_impl(data, segment_ids, num_segments, indices_are_sorted):
    k = segment_ids.ndim
    acc = np.float32 if data.dtype in _16BIT else data.dtype
    rest = data.shape[k:]
    ids = segment_ids.reshape(-1)
    rows = data.reshape((-1,) + rest)
    valid = (ids >= 0) & (ids < num_segments)
    out = np.zeros((num_segments,) + rest, acc)
    np.add.at(out, ids[valid].astype(np.int64), rows[valid].astype(acc, copy=False))
    return out.astype(data.dtype, copy=False)


def _segment_sum_jvp(primals, tangents, num_segments, indices_are_sorted):
    (data, ids), (t, _) = primals, tangents
    out = segment_sum_p.bind(data, ids, num_segments=num_segments,
                             indices_are_sorted=indices_are_sorted)
    if type(t) is Zero:
        return out, Zero(tangent_aval(get_aval(out)))
    return out, segment_sum_p.bind(t, ids, num_segments=num_segments,
                                   indices_are_sorted=indices_are_sorted)


def _segment_sum_transpose(ct, data, ids, num_segments, indices_are_sorted):
    assert is_undefined_primal(data) and not is_undefined_primal(ids)
    return [take_rows(ct, ids), None]


def _segment_sum_batch(args, dims, num_segments, indices_are_sorted):
    (data, ids), (dd, di) = args, dims
    k = get_aval(ids).ndim
    if di is None:  # the batch dim joins the trailing (summed-along) dims
        data = move_axis(data, dd, k)
        out = segment_sum_p.bind(data, ids, num_segments=num_segments,
                                 indices_are_sorted=indices_are_sorted)
        return out, 1
    size = get_aval(ids).shape[di]
    data, ids = bdim_at_front(data, dd, size), move_to_front(ids, di)
    ia = get_aval(ids)
    dt = _index_dtype(size * num_segments)
    ids = convert_element_type(ids, dt)
    valid = bitwise_and(ge(ids, 0), lt(ids, num_segments))
    offset = mul(iota(dt, ia.shape, 0), num_segments)
    flat_ids = select_n(valid, full(ia.shape, -1, dt), add(ids, offset))
    out = segment_sum_p.bind(data, flat_ids, num_segments=size * num_segments,
                             indices_are_sorted=False)
    rest = get_aval(out).shape[1:]
    return reshape(out, (size, num_segments) + rest), 0


segment_sum_p.def_impl(_segment_sum_impl)
segment_sum_p.def_abstract_eval(_segment_sum_abstract_eval)
segment_sum_p.def_jvp(_segment_sum_jvp)
segment_sum_p.def_transpose(_segment_sum_transpose)
segment_sum_p.def_batch(_segment_sum_batch)
segment_sum_p.weak_type_rule = lambda in_weak, **params: in_weak[0]

_cpu_segment_sum = getattr(cpu_backend, "segment_sum", None)
if cpu_backend.available and _cpu_segment_sum is not None:
    _KERNEL_DTYPES = frozenset(np.dtype(d) for d in ("float32", "float64", "int32", "int64"))
    _KERNEL_IDS = frozenset(np.dtype(d) for d in ("int32", "int64"))

    def _segment_sum_cpu(data, segment_ids, num_segments, indices_are_sorted):
        # The kernel takes one int32/int64 id per row and accumulates in data's dtype.
        if (segment_ids.ndim == 1 and data.dtype in _KERNEL_DTYPES
                and segment_ids.dtype in _KERNEL_IDS):
            return _cpu_segment_sum(data, segment_ids, num_segments)
        return _segment_sum_impl(data, segment_ids, num_segments, indices_are_sorted)
    segment_sum_p.def_lowering("cpu", _segment_sum_cpu)


def bincount(x, weights=None, length=None):
    """Counts (or sums `weights` of) each value 0..length-1 in the integer array x.

    As jax.numpy.bincount: negative values count as 0, values >= length are dropped; the
    result is int32 without weights, else the weights' dtype.
    Example: bincount([0, 1, 1, 3], length=4)  # [1, 2, 0, 1]
    """
    from fneedle.lax.arithmetic import max as _max
    x = _as_index_array(x)
    aval = get_aval(x)
    _check_indices("bincount", aval)
    if aval.ndim != 1:
        raise ShapeError(f"bincount counts a 1-d array, got {aval.str_short()}. Flatten it "
                         f"first with reshape(x, (-1,)).")
    if length is None:
        values = concrete_value(x, "bincount's length")
        length = int(values.max()) + 1 if values.size else 0
    if weights is None:
        weights = full(aval.shape, 1, dtypes.int32)
    elif isinstance(weights, (list, tuple, np.ndarray)):
        weights = Array(np.asarray(weights, dtypes.float32))
    return segment_sum(weights, _max(x, 0), int(length))


# ---------------------------------------------------------------------------------------
# Index helpers built on take_rows (so their transposes are scatter-adds).

def take_along_axis(x, indices, axis):
    """out[..., i, ...] = x[..., indices[..., i, ...], ...] along `axis`; zeros where an index
    is out of range. `indices` has x's shape except along `axis`, where any length works.
    """
    xa, ia = get_aval(x), get_aval(indices)
    axis = axis % xa.ndim
    if xa.ndim != ia.ndim or any(a != b for d, (a, b) in enumerate(zip(xa.shape, ia.shape))
                                 if d != axis):
        raise ShapeError(f"take_along_axis needs indices shaped like x except along axis "
                         f"{axis}; got x {xa.str_short()} and indices {ia.str_short()}.")
    n = xa.shape[axis]
    xm, im = move_axis(x, axis, 0), move_axis(indices, axis, 0)
    rest = xa.shape[:axis] + xa.shape[axis + 1:]
    r = math.prod(rest)
    dt = _index_dtype(n * r)
    im = convert_element_type(im, dt)
    shape = get_aval(im).shape
    valid = bitwise_and(ge(im, 0), lt(im, n))
    cols = Array(np.arange(r, dtype=dt).reshape(rest))
    flat = add(mul(im, r), broadcast_in_dim(cols, shape, tuple(range(1, len(shape)))))
    flat = select_n(valid, full(shape, -1, dt), flat)
    out = take_rows(reshape(xm, (n * r,)), flat)
    return move_axis(out, 0, axis)


def resize_axis(x, axis, new_size, start=0):
    """x[start:start + new_size] along `axis`, padded with zeros past the end of x."""
    axis %= get_aval(x).ndim
    if start == 0 and new_size == get_aval(x).shape[axis]:
        return x
    xm = move_axis(x, axis, 0)
    out = take_rows(xm, np.arange(start, start + new_size, dtype=_index_dtype(start + new_size)))
    return move_axis(out, 0, axis)
