"""Sorting and searching over lax.sort: sort, argsort, lexsort, partition, searchsorted, and
unique with a static size. NaNs sort last, as in NumPy."""

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.errors import ConcretizationTypeError
from fneedle.core.interpreter import Tracer, concrete_value
from fneedle.lax.indexing import GatherScatterMode, ScatterDimensionNumbers
from fneedle.numpy import manipulation, ufuncs
from fneedle.numpy.promotion import asarray, canonical_axis, promote
from fneedle.numpy.selection import take

_DROP = GatherScatterMode.FILL_OR_DROP


def _flat_or_axis(a, axis):
    a = asarray(a)
    if axis is None:
        return manipulation.ravel(a), 0
    return a, canonical_axis(axis, a.ndim)


def sort(a, axis=-1, kind=None, order=None, *, stable=True, descending=False):
    """a sorted along `axis` (flattened if None); NaNs last.

    Example: fnp.sort(fnp.asarray([3, 1, 2])) -> [1, 2, 3].
    """
    if order is not None:
        raise NotImplementedError("sort(order=...) needs structured arrays, which fneedle "
                                  "does not have.")
    a, ax = _flat_or_axis(a, axis)
    if a.ndim == 0:
        return a
    out = lax.sort(a, dimension=ax, is_stable=True)
    return lax.rev(out, (ax,)) if descending else out


def argsort(a, axis=-1, kind=None, order=None, *, stable=True, descending=False):
    """The indices that sort a along `axis` (int32); ties keep their order.

    Example: fnp.argsort(fnp.asarray([3, 1, 2])) -> [1, 2, 0].
    """
    if order is not None:
        raise NotImplementedError("argsort(order=...) needs structured arrays, which fneedle "
                                  "does not have.")
    a, ax = _flat_or_axis(a, axis)
    if a.ndim == 0:
        return lax.full((), 0, dtypes.int32)
    n = a.shape[ax]
    if descending:
        # Sort the reversed array ascending, then reverse: equal keys keep their order.
        rev_idx = argsort(lax.rev(a, (ax,)), ax)
        return lax.sub(lax.full(rev_idx.shape, n - 1, dtypes.int32), lax.rev(rev_idx, (ax,)))
    iota = lax.broadcasted_iota(dtypes.int32, a.shape, ax)
    return lax.sort((a, iota), dimension=ax, is_stable=True, num_keys=1)[1]


def lexsort(keys, axis=-1):
    """Indices sorting by the last key first, then the one before, and so on."""
    keys = [asarray(k) for k in keys]
    if not keys:
        raise TypeError("lexsort needs at least one key.")
    keys = manipulation.broadcast_arrays(*keys)
    ax = canonical_axis(axis, keys[0].ndim)
    iota = lax.broadcasted_iota(dtypes.int32, keys[0].shape, ax)
    return lax.sort(tuple(keys[::-1]) + (iota,), dimension=ax, is_stable=True,
                    num_keys=len(keys))[-1]


def partition(a, kth, axis=-1):
    """a rearranged so the kth element is where sorting would put it (here: fully sorted)."""
    return sort(a, axis)


def argpartition(a, kth, axis=-1):
    """Indices that partition a at kth (here: the indices that sort a)."""
    return argsort(a, axis)


def _total_less(x, y):
    """x < y in NumPy's sort order, where NaN is larger than everything."""
    lt = lax.lt(x, y)
    if x.dtype not in dtypes.FLOATS:
        return lt
    return lax.bitwise_or(lt, lax.bitwise_and(lax.ne(y, y), lax.eq(x, x)))


def searchsorted(a, v, side="left", sorter=None, *, method="auto"):
    """Where v's elements would be inserted into the sorted 1-D array a to keep it sorted.

    Args:
      a: a sorted 1-D array. v: values to find (any shape). side: 'left' (first suitable
        index) or 'right' (last). sorter: indices that sort a, if a is not sorted.
      method: 'compare_all' (O(len(a) * v.size) compares), 'sort' (one sort of a and v
        together), or 'auto' (compare_all for small problems).
    Returns:
      int32 indices of v's shape. Example: fnp.searchsorted(fnp.asarray([1, 3]), 2) == 1.
    """
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}.")
    a = asarray(a)
    if a.ndim != 1:
        raise ValueError(f"searchsorted needs a 1-D array a, got shape {a.shape}.")
    if sorter is not None:
        a = take(a, sorter)
    a, v = promote((a, v), "searchsorted", broadcast=False)
    n, shape = a.shape[0], v.shape
    if method == "auto":
        method = "compare_all" if n * max(v.size, 1) <= 1 << 16 else "sort"
    if method == "compare_all":
        vb = lax.broadcast_in_dim(v, shape + (n,), tuple(range(v.ndim)))
        ab = lax.broadcast_in_dim(a, shape + (n,), (v.ndim,))
        hit = _total_less(ab, vb) if side == "left" else lax.bitwise_not(_total_less(vb, ab))
        return lax.reduce_sum(lax.convert_element_type(hit, dtypes.int32), (v.ndim,))
    if method != "sort":
        raise ValueError(f"searchsorted: unknown method {method!r}; use 'compare_all', "
                         f"'sort' or 'auto'.")
    m = v.size
    flat_v = lax.reshape(v, (m,))
    keys = lax.concatenate([a, flat_v], 0) if m else a
    # Tag a's elements so that ties put v before (left) or after (right) equal elements.
    tag_a, tag_v = (1, 0) if side == "left" else (0, 1)
    tags = asarray(np.concatenate([np.full(n, tag_a, np.int32), np.full(m, tag_v, np.int32)]))
    perm = lax.sort((keys, tags, lax.iota(dtypes.int32, n + m)), dimension=0, is_stable=True,
                    num_keys=2)[2]
    is_v = lax.ge(perm, n)
    counts = lax.cumsum(lax.convert_element_type(lax.bitwise_not(is_v), dtypes.int32), 0)
    target = lax.select_n(is_v, lax.full_like(perm, m), lax.sub(perm, n))
    out = lax.scatter(lax.full((m,), 0, dtypes.int32), lax.reshape(target, (n + m, 1)), counts,
                      ScatterDimensionNumbers((), (0,), (0,)), mode=_DROP)
    return lax.reshape(out, shape)


def _static_size(x, what, name):
    """The data-dependent output size of `name`, which needs a concrete (untraced) input."""
    if isinstance(x, Tracer):
        raise ConcretizationTypeError(
            f"{name}() without size= has a data-dependent output shape, so it cannot be traced "
            f"(the input is {x.aval.str_short()}). Pass a static upper bound, e.g. "
            f"{name}(x, size=n, fill_value=...), and the result is padded to that size.")
    return what(concrete_value(x))


def _scatter_1d(size, index, values, fill):
    """out[index[i]] = values[i] into an array of `size` filled with `fill`; out-of-range
    indices are dropped."""
    base = lax.full((size,), 0, values.dtype) if fill is None else lax.broadcast_in_dim(
        lax.convert_element_type(asarray(fill), values.dtype), (size,), ())
    return lax.scatter(base, lax.reshape(index, (index.shape[0], 1)), values,
                       ScatterDimensionNumbers((), (0,), (0,)), mode=_DROP)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, size=None, fill_value=None, sorted=True):
    """The sorted unique elements of the flattened ar, padded to a static `size` if given.

    Under tracing `size` is required (the number of unique values depends on the data);
    missing entries are fill_value (default: the smallest unique value).
    Example: fnp.unique(fnp.asarray([3, 1, 3]), size=3, fill_value=0) -> [1, 3, 0].
    """
    if axis is not None:
        raise NotImplementedError("unique(axis=...) is not supported; flatten the array or "
                                  "use unique on rows packed into one key.")
    x = manipulation.ravel(asarray(ar))
    n = x.shape[0]
    if size is None:
        size = _static_size(x, lambda v: len(np.unique(v, equal_nan=equal_nan)), "unique")
    size = int(size)
    iota = lax.iota(dtypes.int32, n)
    s, perm = lax.sort((x, iota), dimension=0, is_stable=True, num_keys=1) if n else (x, iota)
    if n:
        differ = lax.ne(lax.slice(s, (1,), (n,)), lax.slice(s, (0,), (n - 1,)))
        if equal_nan and s.dtype in dtypes.FLOATS:
            both_nan = lax.bitwise_and(ufuncs.isnan(lax.slice(s, (1,), (n,))),
                                       ufuncs.isnan(lax.slice(s, (0,), (n - 1,))))
            differ = lax.bitwise_and(differ, lax.bitwise_not(both_nan))
        first = lax.concatenate([lax.full((1,), True, dtypes.bool_), differ], 0)
    else:
        first = lax.full((0,), True, dtypes.bool_)
    group = lax.sub(lax.cumsum(lax.convert_element_type(first, dtypes.int32), 0), 1) if n \
        else iota
    target = lax.select_n(first, lax.full_like(group, size), group)
    if fill_value is None and n:
        fill_value = lax.reshape(lax.slice(s, (0,), (1,)), ())
    values = _scatter_1d(size, target, s, fill_value)
    outs = [values]
    if return_index:
        outs.append(_scatter_1d(size, target, perm, 0))
    if return_inverse:
        inv = _scatter_1d(n, perm, group, 0)
        outs.append(lax.reshape(inv, asarray(ar).shape) if asarray(ar).ndim > 1 else inv)
    if return_counts:
        ones = lax.full((n,), 1, dtypes.int32)
        counts = lax.scatter_add(lax.full((size,), 0, dtypes.int32),
                                 lax.reshape(group, (n, 1)), ones,
                                 ScatterDimensionNumbers((), (0,), (0,)), mode=_DROP)
        outs.append(counts)
    return outs[0] if len(outs) == 1 else tuple(outs)


def unique_values(x, *, size=None, fill_value=None):
    """The array API's unique_values: unique(x)."""
    return unique(x, size=size, fill_value=fill_value)


def unique_counts(x, *, size=None, fill_value=None):
    """The array API's unique_counts: (values, counts)."""
    return unique(x, return_counts=True, size=size, fill_value=fill_value)


def unique_inverse(x, *, size=None, fill_value=None):
    """The array API's unique_inverse: (values, inverse_indices)."""
    return unique(x, return_inverse=True, size=size, fill_value=fill_value)
