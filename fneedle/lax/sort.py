"""Sorting primitives: `sort` of one or more operands by their first `num_keys` (lexicographic,
stable, NaNs last as in NumPy), `sort_key_val`, and `top_k`.

Their tangents are the input tangents gathered by the permutation the sort chose; the
gather (take_along_axis, built on take_rows) transposes to a scatter-add.
"""

import numpy as np

from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import Zero, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.batch_rules import batch_size, bdim_at_front, move_to_front
from fneedle.lax.segment import iota, take_along_axis

_16BIT = (dtypes.float16, dtypes.bfloat16)


def _sort_key(x):
    # Float16/bfloat16 keys order exactly as their float32 values.
    return x.astype(np.float32) if x.dtype in _16BIT else x


# ---------------------------------------------------------------------------------------
# sort

sort_p = Primitive("sort", multiple_results=True)


def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """Sorts along `dimension`; a tuple of operands is sorted by its first `num_keys` operands
    (lexicographically), the others permuted alongside.

    Returns an array for an array, a tuple for a tuple. Sorting is stable: equal keys keep
    their order. NaNs sort after everything else, as in NumPy.
    Example: keys, vals = sort((k, v), num_keys=1)
    """
    single = not isinstance(operand, (tuple, list))
    operands = (operand,) if single else tuple(operand)
    if not operands:
        raise ValueError("sort needs at least one operand.")
    ndim = get_aval(operands[0]).ndim
    if ndim == 0:
        raise ShapeError("sort needs operands of rank >= 1, got a rank-0 operand; reshape it "
                         "to shape (1,).")
    if not -ndim <= dimension < ndim:
        raise ShapeError(f"sort: dimension {dimension} is out of bounds for operands of rank "
                         f"{ndim}; use a dimension in [{-ndim}, {ndim}).")
    num_keys = int(num_keys)
    if not 1 <= num_keys <= len(operands):
        raise ValueError(f"sort: num_keys must be between 1 and the number of operands "
                         f"({len(operands)}), got {num_keys}.")
    outs = sort_p.bind(*operands, dimension=int(dimension) % ndim, is_stable=bool(is_stable),
                       num_keys=num_keys)
    return outs[0] if single else tuple(outs)


def sort_key_val(keys, values, dimension=-1, is_stable=True):
    """(keys, values) sorted along `dimension` by keys. Example: sort_key_val(k, v)."""
    return sort((keys, values), dimension, is_stable, num_keys=1)


def _sort_abstract_eval(*operands, dimension, is_stable, num_keys):
    shape = operands[0].shape
    if any(o.shape != shape for o in operands):
        raise ShapeError(f"sort needs operands of one shape, got "
                         f"{', '.join(o.str_short() for o in operands)}. Broadcast them to a "
                         f"common shape first.")
    return [ShapedArray(o.shape, o.dtype) for o in operands]


def _sort_permutation(keys, dimension):
    keys = [_sort_key(k) for k in keys]
    if len(keys) == 1:
        return np.argsort(keys[0], axis=dimension, kind="stable")
    return np.lexsort(keys[::-1], axis=dimension)  # lexsort's last key is the primary one


def _sort_impl(*operands, dimension, is_stable, num_keys):
    perm = _sort_permutation(operands[:num_keys], dimension)
    return [np.take_along_axis(o, perm, axis=dimension) for o in operands]


def _sort_jvp(primals, tangents, dimension, is_stable, num_keys):
    shape = get_aval(primals[0]).shape
    # Sorting an iota alongside yields the permutation; tangents follow it.
    outs = sort_p.bind(*primals, iota(dtypes.int32, shape, dimension), dimension=dimension,
                       is_stable=is_stable, num_keys=num_keys)
    perm = outs[-1]
    tangents_out = [Zero(tangent_aval(get_aval(o))) if type(t) is Zero
                    else take_along_axis(t, perm, dimension)
                    for o, t in zip(outs[:-1], tangents)]
    return outs[:-1], tangents_out


def _sort_batch(args, dims, dimension, is_stable, num_keys):
    size = batch_size(args, dims)
    args = [bdim_at_front(x, d, size) for x, d in zip(args, dims)]
    outs = sort_p.bind(*args, dimension=dimension + 1, is_stable=is_stable, num_keys=num_keys)
    return outs, [0] * len(outs)


sort_p.def_impl(_sort_impl)
sort_p.def_abstract_eval(_sort_abstract_eval)
sort_p.def_jvp(_sort_jvp)
sort_p.def_batch(_sort_batch)


# ---------------------------------------------------------------------------------------
# top_k

top_k_p = Primitive("top_k", multiple_results=True)


def top_k(operand, k, axis=-1):
    """The k largest entries along `axis` (default the last), in descending order.

    Returns (values, indices) with indices int32; equal values come lowest index first and
    NaN counts as the largest value.
    Example: values, idx = top_k(np.array([9., 3., 6.]), 2)  # [9., 6.], [0, 2]
    """
    ndim = get_aval(operand).ndim
    if ndim == 0:
        raise ShapeError("top_k needs an operand of rank >= 1, got a rank-0 operand.")
    if not -ndim <= axis < ndim:
        raise ShapeError(f"top_k: axis {axis} is out of bounds for an operand of rank {ndim}.")
    axis %= ndim
    if axis == ndim - 1:
        return tuple(top_k_p.bind(operand, k=int(k)))
    from fneedle.lax.batch_rules import move_axis
    values, indices = top_k_p.bind(move_axis(operand, axis, ndim - 1), k=int(k))
    return move_axis(values, ndim - 1, axis), move_axis(indices, ndim - 1, axis)


def _top_k_abstract_eval(x, k):
    if x.ndim == 0:
        raise ShapeError("top_k needs an operand of rank >= 1, got a rank-0 operand.")
    if not 0 <= k <= x.shape[-1]:
        raise ShapeError(f"top_k: k={k} must be between 0 and the size of the last axis of "
                         f"{x.str_short()} ({x.shape[-1]}).")
    shape = x.shape[:-1] + (k,)
    return [ShapedArray(shape, x.dtype), ShapedArray(shape, dtypes.int32)]


def _top_k_impl(x, k):
    n = x.shape[-1]
    # A stable ascending sort of the reversed row, read backwards, is descending with ties
    # in increasing index order (and NaNs, sorted last, come first).
    order = np.argsort(_sort_key(x)[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
    indices = (n - 1 - order).astype(np.int32)
    return [np.take_along_axis(x, indices, axis=-1), indices]


def _top_k_jvp(primals, tangents, k):
    (x,), (t,) = primals, tangents
    values, indices = top_k_p.bind(x, k=k)
    zero_i = Zero(tangent_aval(get_aval(indices)))
    if type(t) is Zero:
        return [values, indices], [Zero(tangent_aval(get_aval(values))), zero_i]
    ndim = get_aval(x).ndim
    return [values, indices], [take_along_axis(t, indices, ndim - 1), zero_i]


def _top_k_batch(args, dims, k):
    (x,), (d,) = args, dims
    if d == get_aval(x).ndim - 1:  # the batch dim may not be the sorted one
        x, d = move_to_front(x, d), 0
    return top_k_p.bind(x, k=k), [d, d]


top_k_p.def_impl(_top_k_impl)
top_k_p.def_abstract_eval(_top_k_abstract_eval)
top_k_p.def_jvp(_top_k_jvp)
top_k_p.def_batch(_top_k_batch)
