"""NumPy indexing over lax: x[idx] becomes static slices (basic indexing), a dynamic_slice
(traced scalar indices) or one gather (advanced indexing); x.at[idx].op(v) becomes one
scatter.

An index expression is first rewritten so that every entry consumes one operand dimension:
None and bool scalars become new size-1 dimensions of the operand (indexed by ':' or by
[0] / [] respectively), Ellipsis becomes ':'s, and Python ints next to arrays become 0-d
arrays, as NumPy treats them.
"""

import operator

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.errors import ShapeError
from fneedle.core.interpreter import Tracer
from fneedle.lax.indexing import GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers
from fneedle.numpy import ufuncs
from fneedle.numpy.promotion import asarray, broadcast_shapes, broadcast_to_shape

_INT_MAX = np.iinfo(np.int32).max


class _Plan:
    """An index expression over `shape`, rewritten entry by entry.

    new_axes: positions of the operand (after insertion) that are new size-1 dimensions.
    entries: one per operand dimension after insertion: ('slice', range) or ('array', idx),
      where idx is a NumPy int array (static) or a traced/Array integer array.
    """

    def __init__(self, new_axes, entries, expanded_shape):
        self.new_axes = new_axes
        self.entries = entries
        self.shape = expanded_shape

    @property
    def has_arrays(self):
        return any(kind == "array" for kind, _ in self.entries)


def _is_traced(x):
    return isinstance(x, Tracer)


def _bool_mask_error(idx):
    return IndexError(
        f"Boolean mask indexing with a traced mask ({idx.aval.str_short()}) has a "
        f"data-dependent shape, which cannot be traced. Use fnp.where(mask, x, 0) to keep the "
        f"shape, or fnp.nonzero(mask, size=n) / x[fnp.nonzero(mask, size=n)] with a static "
        f"bound n.")


def _normalize_entry(e):
    """A list, NumPy array or concrete bool mask as an index array (or the entry itself)."""
    if isinstance(e, (list, np.ndarray)) or (type(e) is Array):
        if isinstance(e, list) and any(_is_traced(v) for v in e):
            return asarray(e)
        arr = np.asarray(e) if not isinstance(e, list) or e else np.zeros((0,), np.int32)
        if arr.dtype == np.bool_:
            return ("mask", arr)
        if arr.dtype.kind not in "iu":
            raise IndexError(f"Arrays used as indices must be of integer or boolean type, got "
                             f"{arr.dtype}.")
        return arr
    if isinstance(e, np.bool_):
        return bool(e)
    if isinstance(e, np.integer):
        return int(e)
    if _is_traced(e):
        if e.dtype == dtypes.bool_:
            raise _bool_mask_error(e)
        if not dtypes.is_integer(e.dtype):
            raise IndexError(f"Arrays used as indices must be of integer type, got a traced "
                             f"{e.aval.str_short()}. Convert it with .astype('int32').")
    return e


def _consumed(e):
    if e is None or isinstance(e, bool):
        return 0
    if isinstance(e, tuple) and e[0] == "mask":
        return e[1].ndim
    return 1


def plan_index(shape, idx):
    """Rewrites index expression `idx` over an array of `shape` into a _Plan."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    idx = [_normalize_entry(e) for e in idx]
    n_ellipsis = sum(1 for e in idx if e is Ellipsis)
    if n_ellipsis > 1:
        raise IndexError("An index can have at most one Ellipsis (...).")
    used = sum(_consumed(e) for e in idx if e is not Ellipsis)
    if used > len(shape):
        raise IndexError(f"Too many indices for an array of shape {shape}: the index uses "
                         f"{used} dimensions but the array has {len(shape)}.")
    if n_ellipsis:
        at = next(i for i, e in enumerate(idx) if e is Ellipsis)
        idx[at:at + 1] = [slice(None)] * (len(shape) - used)
    else:
        idx += [slice(None)] * (len(shape) - used)
    # Boolean masks become one integer array per dimension they cover (concrete only).
    expanded = []
    for e in idx:
        if isinstance(e, tuple) and e[0] == "mask":
            expanded.extend(np.nonzero(e[1]))
        else:
            expanded.append(e)
    has_arrays = any(isinstance(e, (np.ndarray, bool, Array)) or _is_traced(e)
                     for e in expanded)
    new_axes, entries, out_shape, dim = [], [], [], 0
    for e in expanded:
        if e is None or isinstance(e, bool):
            new_axes.append(len(entries))
            out_shape.append(1)
            if e is None:
                entries.append(("slice", range(1)))
            else:
                entries.append(("array", np.zeros((int(e),), np.int32)))
            continue
        n = shape[dim]
        if isinstance(e, slice):
            entries.append(("slice", range(n)[_static_slice(e)]))
        elif isinstance(e, int):
            if not -n <= e < n:
                raise IndexError(f"Index {e} is out of bounds for axis {dim} with size {n}.")
            e = e + n if e < 0 else e
            entries.append(("array", np.asarray(e, np.int32)) if has_arrays else ("int", e))
        elif isinstance(e, np.ndarray) or _is_traced(e) or type(e) is Array:
            entries.append(("array", e))
        else:
            raise IndexError(f"Index entry {e!r} of type {type(e).__name__} is not supported; "
                             f"use ints, slices, None, Ellipsis, or integer/boolean arrays.")
        out_shape.append(n)
        dim += 1
    return _Plan(new_axes, entries, tuple(out_shape))


def _static_slice(s):
    parts = []
    for v in (s.start, s.stop, s.step):
        if v is None:
            parts.append(None)
        elif _is_traced(v):
            raise IndexError(f"Slice bounds must be static, got a traced {v.aval.str_short()}. "
                             f"Use fneedle.lax.dynamic_slice(x, starts, sizes) for a window "
                             f"at a traced position.")
        else:
            parts.append(operator.index(v))
    if parts[2] == 0:
        raise ValueError("A slice step cannot be zero.")
    return slice(*parts)


def index_dtype(shape):
    return dtypes.int64 if any(s > _INT_MAX for s in shape) else dtypes.int32


def as_index(e, n, dtype):
    """An index array with negative entries wrapped (static arrays stay NumPy)."""
    if isinstance(e, np.ndarray):
        return np.where(e < 0, e + n, e).astype(dtype)
    e = asarray(e)
    e = lax.convert_element_type(e, dtype) if e.dtype != dtype else e
    if dtypes.is_unsigned(e.dtype):
        return e
    return lax.select_n(lax.lt(e, lax.full((), 0, dtype)), e, lax.add(e, lax.full((), n, dtype)))


# ---------------------------------------------------------------------------------------
# x[idx]

def getitem(x, idx, mode=None, fill_value=None):
    """x[idx] with NumPy's basic and advanced indexing (out-of-range array indices clamp,
    unless mode='fill' fills them with fill_value)."""
    x = asarray(x)
    out = _fast_basic(x, idx)
    if out is not None:
        return out
    plan = plan_index(x.shape, idx)
    if not plan.has_arrays:
        return _basic(x, plan)
    scalars_only = all(kind != "array" or np.ndim(e) == 0 for kind, e in plan.entries)
    if scalars_only and mode is None and not plan.new_axes:
        return _dynamic(x, plan)
    return _gather(x, plan, mode, fill_value)


def _fast_basic(x, idx):
    """x[idx] for ints and positive-step slices only (the common eager case), else None."""
    entries = idx if type(idx) is tuple else (idx,)
    shape = x.shape
    if len(entries) > len(shape):
        return None
    starts, limits, strides, out_shape = [], [], [], []
    for e, n in zip(entries, shape):
        t = type(e)
        if t is int:
            if not -n <= e < n:
                raise IndexError(f"Index {e} is out of bounds for an axis of size {n}.")
            e = e + n if e < 0 else e
            starts.append(e), limits.append(e + 1), strides.append(1)
        elif t is slice:
            try:
                r = range(n)[e]
            except TypeError:  # traced or non-integer bounds
                return None
            if r.step < 0:
                return None
            first = r.start if len(r) else 0
            starts.append(first)
            limits.append(first + (len(r) - 1) * r.step + 1 if len(r) else first)
            strides.append(r.step)
            out_shape.append(len(r))
        else:
            return None
    rest = shape[len(entries):]
    starts.extend([0] * len(rest))
    limits.extend(rest)
    strides.extend([1] * len(rest))
    out_shape.extend(rest)
    y = lax.slice(x, starts, limits, strides)
    return lax.reshape(y, tuple(out_shape))


def _reshape_in_new_axes(x, plan):
    return lax.reshape(x, plan.shape) if plan.new_axes else x


def _basic(x, plan):
    """Static ints and slices: one slice (plus rev for negative steps) and one reshape."""
    starts, limits, strides, flips, out_shape = [], [], [], [], []
    dim = 0
    for pos, (kind, e) in enumerate(plan.entries):
        if pos in plan.new_axes:
            out_shape.append(1)
            continue
        n = x.shape[dim]
        if kind == "int":
            starts.append(e), limits.append(e + 1), strides.append(1)
        else:
            r = e
            if r.step < 0:
                flips.append(dim)
                first = n - 1 - r.start if len(r) else 0
            else:
                first = r.start if len(r) else 0
            step = abs(r.step)
            starts.append(first)
            limits.append(first + (len(r) - 1) * step + 1 if len(r) else first)
            strides.append(step)
            out_shape.append(len(r))
        dim += 1
    if flips:
        x = lax.rev(x, flips)
    x = lax.slice(x, starts, limits, strides)
    return lax.reshape(x, tuple(out_shape))


def _dynamic(x, plan):
    """Static slices plus scalar indices (some traced): a slice, then one dynamic_slice."""
    keep = [("slice", range(n)) if k == "array" else (k, e)
            for (k, e), n in zip(plan.entries, x.shape)]
    keep = [("slice", range(e, e + 1)) if k == "int" else (k, e) for k, e in keep]
    y = _basic(x, _Plan([], keep, x.shape))
    dtype = index_dtype(x.shape)
    starts, sizes, out_shape = [], [], []
    for (kind, e), n, m in zip(plan.entries, y.shape, x.shape):
        if kind == "array":
            starts.append(int(e) if isinstance(e, np.ndarray) else as_index(e, m, dtype))
            sizes.append(1)
        else:
            starts.append(0)
            sizes.append(n)
            if kind == "slice":
                out_shape.append(n)
    y = lax.dynamic_slice(y, starts, sizes)
    return lax.reshape(y, tuple(out_shape))


def _gather_layout(plan, x_shape, dtype):
    """Indices, dimension numbers, slice sizes and output shape of one gather/scatter.

    Advanced entries (arrays) broadcast together into one group of output dims, placed where
    the group stands if its entries are adjacent, else first (NumPy's rule). Non-full slices
    become index components of their own output dim (an arange); full slices are windows.
    """
    arrays = [(d, e) for d, (k, e) in enumerate(plan.entries) if k == "array"]
    adv_dims = [d for d, _ in arrays]
    bshape = broadcast_shapes(*[np.shape(e) for _, e in arrays], name="indexing")
    contiguous = adv_dims == list(range(adv_dims[0], adv_dims[0] + len(adv_dims))) \
        if adv_dims else True
    # Output layout: a list of ('group',) / ('slice', d, range) / ('full', d).
    layout, placed = [], False
    if not contiguous:
        layout.append(("group",))
        placed = True
    for d, (kind, e) in enumerate(plan.entries):
        if kind == "array":
            if not placed:
                layout.append(("group",))
                placed = True
        elif e == range(x_shape[d]):
            layout.append(("full", d))
        else:
            layout.append(("slice", d, e))
    batch_shape, out_shape, offset_dims, pos = [], [], [], 0
    group_at = None
    for item in layout:
        if item[0] == "group":
            group_at = len(batch_shape)
            batch_shape.extend(bshape)
            out_shape.extend(bshape)
            pos += len(bshape)
        elif item[0] == "slice":
            batch_shape.append(len(item[2]))
            out_shape.append(len(item[2]))
            pos += 1
        else:
            offset_dims.append(pos)
            out_shape.append(x_shape[item[1]])
            pos += 1
    # Index components, each broadcast to batch_shape, in start_index_map order.
    nb = len(batch_shape)
    components, index_map = [], []
    all_static = True
    for d, e in arrays:
        idx = as_index(e, x_shape[d], dtype)
        dims = tuple(range(group_at + len(bshape) - np.ndim(idx), group_at + len(bshape)))
        components.append((idx, dims))
        index_map.append(d)
        all_static &= isinstance(idx, np.ndarray)
    b = 0
    for item in layout:
        if item[0] == "group":
            b += len(bshape)
        elif item[0] == "slice":
            r = item[2]
            components.append((np.array(r, dtype=dtype), (b,)))
            index_map.append(item[1])
            b += 1
    if all_static:
        parts = []
        for idx, dims in components:
            shape = [1] * nb
            for k, dd in enumerate(dims):
                shape[dd] = np.shape(idx)[k]
            parts.append(np.broadcast_to(np.reshape(idx, shape), batch_shape))
        indices = Array(np.stack(parts, -1).astype(dtype) if parts else
                        np.zeros(tuple(batch_shape) + (0,), dtype))
    else:
        parts = []
        for idx, dims in components:
            idx = asarray(idx) if isinstance(idx, np.ndarray) else idx
            full = lax.broadcast_in_dim(idx, tuple(batch_shape), dims)
            parts.append(lax.reshape(full, tuple(batch_shape) + (1,)))
        indices = lax.concatenate(parts, nb) if len(parts) > 1 else parts[0]
    collapsed = tuple(sorted(index_map))
    slice_sizes = tuple(1 if d in index_map else n for d, n in enumerate(x_shape))
    return indices, tuple(index_map), collapsed, tuple(offset_dims), slice_sizes, \
        tuple(out_shape)


def _gather(x, plan, mode, fill_value):
    x = _reshape_in_new_axes(x, plan)
    # Apply static slices first so the gather only handles arrays and whole dimensions.
    if any(k == "slice" and e != range(n) for (k, e), n in zip(plan.entries, x.shape)):
        x = _basic(x, _Plan([], [("slice", e) if k == "slice" else ("slice", range(n))
                                 for (k, e), n in zip(plan.entries, x.shape)], x.shape))
        plan = _Plan([], [("slice", range(n)) if k == "slice" else (k, e)
                          for (k, e), n in zip(plan.entries, x.shape)], x.shape)
    dtype = index_dtype(x.shape)
    indices, index_map, collapsed, offset_dims, sizes, _ = _gather_layout(
        plan, x.shape, dtype)
    dnums = GatherDimensionNumbers(offset_dims=offset_dims, collapsed_slice_dims=collapsed,
                                   start_index_map=index_map)
    mode = GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else mode
    return lax.gather(x, indices, dnums, sizes, mode=mode, fill_value=fill_value)


# ---------------------------------------------------------------------------------------
# x.at[idx].op(v)

def scatter_update(x, idx, values, op, mode=None):
    """x with values combined into x[idx] by `op` ('set', 'add', 'mul', 'min', 'max')."""
    x = asarray(x)
    plan = plan_index(x.shape, idx)
    xe = _reshape_in_new_axes(x, plan)
    # Static ints are 0-d index arrays here; if only slices remain, the first becomes an
    # arange so that the scatter has at least one index component.
    plan = _Plan([], [("array", np.asarray(e, np.int64)) if k == "int" else (k, e)
                      for k, e in plan.entries], plan.shape)
    if plan.entries and not plan.has_arrays:
        first = plan.entries[0][1]
        plan.entries[0] = ("array", np.array(first, dtype=np.int64))
    dtype = index_dtype(xe.shape)
    if not plan.entries:  # a rank-0 operand: the update replaces or combines with it
        v = lax.convert_element_type(asarray(values), x.dtype, x.weak_type)
        return _combine_whole(x, v, op)
    indices, index_map, collapsed, offset_dims, _, out_shape = _gather_layout(
        plan, xe.shape, dtype)
    v = asarray(values)
    v = lax.convert_element_type(v, x.dtype, x.weak_type) if v.dtype != x.dtype else v
    while v.ndim > len(out_shape) and v.shape[0] == 1:
        v = lax.reshape(v, v.shape[1:])
    if broadcast_shapes(v.shape, out_shape, name="x.at[...]") != out_shape:
        raise ShapeError(f"x.at[...]: values of shape {v.shape} do not broadcast to the "
                         f"indexed shape {out_shape}.")
    v = broadcast_to_shape(v, out_shape)
    dnums = ScatterDimensionNumbers(update_window_dims=offset_dims,
                                    inserted_window_dims=collapsed,
                                    scatter_dims_to_operand_dims=index_map)
    fn = {"set": lax.scatter, "add": lax.scatter_add, "mul": lax.scatter_mul,
          "min": lax.scatter_min, "max": lax.scatter_max}[op]
    mode = GatherScatterMode.FILL_OR_DROP if mode is None else mode
    out = fn(xe, indices, v, dnums, mode=mode)
    return lax.reshape(out, x.shape) if out.shape != x.shape else out


def _combine_whole(x, v, op):
    if op == "set":
        return v
    return {"add": lax.add, "mul": lax.mul, "min": lax.min, "max": lax.max}[op](x, v)


class _IndexUpdateRef:
    """x.at[idx]: functional versions of x[idx] = v, x[idx] += v, ... (see Array.at)."""

    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array = array
        self.index = index

    def get(self, *, mode=None, fill_value=None):
        """x[idx]; mode='fill' gives fill_value at out-of-range indices."""
        return getitem(self.array, self.index, mode, fill_value)

    def set(self, values, *, mode=None):
        """x with x[idx] replaced by values (one of the duplicates wins)."""
        return scatter_update(self.array, self.index, values, "set", mode)

    def add(self, values, *, mode=None):
        """x with values added at idx (duplicate indices accumulate)."""
        return scatter_update(self.array, self.index, values, "add", mode)

    def subtract(self, values, *, mode=None):
        """x with values subtracted at idx (duplicate indices accumulate)."""
        return scatter_update(self.array, self.index, lax.neg(asarray(values)), "add", mode)

    def multiply(self, values, *, mode=None):
        """x with x[idx] multiplied by values (duplicate indices accumulate)."""
        return scatter_update(self.array, self.index, values, "mul", mode)

    mul = multiply

    def divide(self, values, *, mode=None):
        """x with x[idx] divided by values (floats; duplicate indices accumulate)."""
        if not dtypes.is_float(self.array.dtype):
            raise TypeError(f"x.at[...].divide needs a float array, got {self.array.dtype}.")
        return scatter_update(self.array, self.index, ufuncs.reciprocal(values), "mul", mode)

    def power(self, values, *, mode=None):
        """x with x[idx] raised to values (duplicates are not applied repeatedly)."""
        return self.set(ufuncs.power(self.get(), values), mode=mode)

    def min(self, values, *, mode=None):
        """x with x[idx] replaced by minimum(x[idx], values)."""
        return scatter_update(self.array, self.index, values, "min", mode)

    def max(self, values, *, mode=None):
        """x with x[idx] replaced by maximum(x[idx], values)."""
        return scatter_update(self.array, self.index, values, "max", mode)

    def apply(self, func, *, mode=None):
        """x with func applied to x[idx] (once per distinct index)."""
        return self.set(func(self.get()), mode=mode)


class IndexUpdateHelper:
    """The `.at` property of arrays: x.at[idx].set(v) and friends."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        return _IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"_IndexUpdateHelper({self.array!r})"
