"""Shape manipulation: reshape, transpose, moveaxis, squeeze, broadcasting, joining and
splitting arrays, tile, repeat, flip, roll and pad, all over lax's shape and slicing ops."""

import builtins
import itertools
import math

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.errors import ShapeError
from fneedle.core.interpreter import Tracer
from fneedle.numpy import reductions
from fneedle.numpy.promotion import (
    asarray,
    broadcast_to_shape,
    canonical_axes,
    canonical_axis,
    promote,
    static_int,
)
from fneedle.numpy.promotion import broadcast_shapes as _broadcast_shapes
from fneedle.numpy.selection import take


def _shape_arg(shape):
    if isinstance(shape, (int, np.integer)) or (hasattr(shape, "__index__")
                                                 and not isinstance(shape, Tracer)):
        return (int(shape),)
    return tuple(static_int(s, "Each dimension of a shape") for s in shape)


def reshape(a, newshape=None, order="C", *, shape=None, copy=None):
    """a with its elements in row-major order and a new shape; one dimension may be -1.

    Example: fnp.reshape(fnp.arange(6), (2, -1)).shape == (2, 3).
    """
    if shape is None:
        shape = newshape
    if shape is None:
        raise TypeError("reshape() needs a shape.")
    if order != "C":
        raise NotImplementedError("fneedle's reshape supports only order='C'.")
    a = asarray(a)
    shape = _shape_arg(shape)
    if -1 in shape:
        if shape.count(-1) > 1:
            raise ShapeError(f"reshape: shape {shape} may contain at most one -1.")
        known = math.prod(s for s in shape if s != -1)
        if known == 0 or a.size % known:
            raise ShapeError(f"Cannot reshape an array of shape {a.shape} ({a.size} elements) "
                             f"to {shape}: {a.size} is not a multiple of {known}.")
        shape = tuple(a.size // known if s == -1 else s for s in shape)
    if math.prod(shape) != a.size:
        raise ShapeError(f"Cannot reshape an array of shape {a.shape} ({a.size} elements) to "
                         f"{shape} ({math.prod(shape)} elements).")
    return lax.reshape(a, shape)


def ravel(a, order="C"):
    """a flattened to one dimension. Example: fnp.ravel(fnp.ones((2, 3))).shape == (6,)."""
    if order != "C":
        raise NotImplementedError("fneedle's ravel supports only order='C'.")
    a = asarray(a)
    return lax.reshape(a, (a.size,))


def transpose(a, axes=None):
    """a with its axes permuted (reversed by default). Example: fnp.transpose(x, (1, 0, 2))."""
    a = asarray(a)
    if axes is None:
        return lax.transpose(a, tuple(range(a.ndim - 1, -1, -1)))
    perm = tuple(canonical_axis(ax, a.ndim) for ax in axes)
    if sorted(perm) != list(range(a.ndim)):
        raise ShapeError(f"transpose: axes {tuple(axes)} are not a permutation of the "
                         f"{a.ndim} axes of an array of shape {a.shape}.")
    return lax.transpose(a, perm)


def permute_dims(a, /, axes):
    """The array API's transpose."""
    return transpose(a, axes)


def matrix_transpose(x, /):
    """x with its last two axes swapped."""
    x = asarray(x)
    if x.ndim < 2:
        raise ShapeError(f"matrix_transpose needs an array of rank >= 2, got shape {x.shape}.")
    return swapaxes(x, -1, -2)


def moveaxis(a, source, destination):
    """a with axes `source` moved to positions `destination` (ints or tuples of ints).

    Example: fnp.moveaxis(fnp.zeros((2, 3, 4)), 0, -1).shape == (3, 4, 2).
    """
    a = asarray(a)
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source} and destination {destination} must name "
                         f"the same number of axes.")
    src = [canonical_axis(s, a.ndim, "source") for s in src]
    dst = [canonical_axis(d, a.ndim, "destination") for d in dst]
    perm = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        perm.insert(d, s)
    return lax.transpose(a, tuple(perm))


def swapaxes(a, axis1, axis2):
    """a with axes axis1 and axis2 exchanged."""
    a = asarray(a)
    perm = list(range(a.ndim))
    i, j = canonical_axis(axis1, a.ndim), canonical_axis(axis2, a.ndim)
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(a, tuple(perm))


def rollaxis(a, axis, start=0):
    """NumPy's older moveaxis: axis `axis` moved to before position `start`."""
    a = asarray(a)
    axis = canonical_axis(axis, a.ndim)
    start = start + a.ndim if start < 0 else start
    if axis < start:
        start -= 1
    return moveaxis(a, axis, start)


def squeeze(a, axis=None):
    """a without its size-1 axes (only `axis` if given). Example: x of (1, 3) -> (3,)."""
    a = asarray(a)
    if axis is None:
        axes = tuple(i for i, s in enumerate(a.shape) if s == 1)
    else:
        axes = canonical_axes(axis, a.ndim)
        for ax in axes:
            if a.shape[ax] != 1:
                raise ShapeError(f"squeeze: axis {ax} of an array of shape {a.shape} has size "
                                 f"{a.shape[ax]}, not 1; only size-1 axes can be removed.")
    return lax.squeeze(a, axes)


def expand_dims(a, axis):
    """a with new size-1 axes at positions `axis` (an int or tuple) of the result."""
    a = asarray(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    nd = a.ndim + len(axes)
    return lax.expand_dims(a, canonical_axes(axes, nd))


def broadcast_shapes(*shapes):
    """The shape NumPy broadcasting gives `shapes`. Example: ((2, 1), (3,)) -> (2, 3)."""
    return _broadcast_shapes(*[_shape_arg(s) for s in shapes], name="broadcast_shapes")


def broadcast_to(array, shape):
    """array broadcast to `shape` (a view in eager mode: no copy)."""
    a = asarray(array)
    shape = _shape_arg(shape)
    out = _broadcast_shapes(a.shape, shape, name="broadcast_to")
    if out != shape:
        raise ShapeError(f"broadcast_to cannot broadcast an array of shape {a.shape} to "
                         f"{shape}.")
    return broadcast_to_shape(a, shape)


def broadcast_arrays(*args):
    """The arguments broadcast against one another (each keeps its dtype)."""
    arrays = [asarray(a) for a in args]
    shape = _broadcast_shapes(*[a.shape for a in arrays], name="broadcast_arrays")
    return [broadcast_to_shape(a, shape) for a in arrays]


def atleast_1d(*arys):
    """Each argument with at least one dimension."""
    out = [asarray(a) if asarray(a).ndim >= 1 else lax.reshape(asarray(a), (1,)) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    """Each argument with at least two dimensions (1-D arrays become rows)."""
    out = []
    for a in arys:
        a = asarray(a)
        out.append(a if a.ndim >= 2 else lax.reshape(a, (1,) * (2 - a.ndim) + a.shape))
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    """Each argument with at least three dimensions ((n,) -> (1, n, 1), (m, n) -> (m, n, 1))."""
    out = []
    for a in arys:
        a = asarray(a)
        if a.ndim == 0:
            a = lax.reshape(a, (1, 1, 1))
        elif a.ndim == 1:
            a = lax.reshape(a, (1,) + a.shape + (1,))
        elif a.ndim == 2:
            a = lax.reshape(a, a.shape + (1,))
        out.append(a)
    return out[0] if len(out) == 1 else out


# ---------------------------------------------------------------------------------------
# Joining and splitting.

def concatenate(arrays, axis=0, dtype=None):
    """The arrays joined along an existing axis (flattened first if axis is None).

    Example: fnp.concatenate([fnp.zeros(2), fnp.ones(3)]).shape == (5,).
    """
    if isinstance(arrays, Tracer) or hasattr(arrays, "_buf"):
        arrays = [arrays[i] for i in range(arrays.shape[0])]
    arrays = list(arrays)
    if not arrays:
        raise ValueError("concatenate needs at least one array.")
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    if dtype is not None:
        arrays = [asarray(a, dtype) for a in arrays]
    arrays = promote(arrays, "concatenate", broadcast=False)
    nd = arrays[0].ndim
    if nd == 0:
        raise ShapeError("concatenate cannot join rank-0 arrays; use stack instead.")
    ax = canonical_axis(axis, nd)
    for a in arrays[1:]:
        if a.ndim != nd or any(s != t for i, (s, t) in enumerate(zip(a.shape, arrays[0].shape))
                               if i != ax):
            shapes = ", ".join(str(b.shape) for b in arrays)
            raise ShapeError(f"concatenate along axis {axis}: the arrays must match in every "
                             f"other axis, got shapes {shapes}.")
    if len(arrays) == 1:
        return arrays[0]
    return lax.concatenate(arrays, ax)


concat = concatenate


def stack(arrays, axis=0, dtype=None):
    """The arrays (all of one shape) joined along a new axis.

    Example: fnp.stack([fnp.zeros(3), fnp.ones(3)], axis=1).shape == (3, 2).
    """
    arrays = [asarray(a) for a in arrays]
    if not arrays:
        raise ValueError("stack needs at least one array.")
    shape = arrays[0].shape
    for a in arrays[1:]:
        if a.shape != shape:
            shapes = ", ".join(str(b.shape) for b in arrays)
            raise ShapeError(f"stack needs arrays of one shape, got {shapes}.")
    ax = canonical_axis(axis, len(shape) + 1)
    return concatenate([lax.expand_dims(a, (ax,)) for a in arrays], ax, dtype)


def vstack(tup, dtype=None):
    """The arrays joined along axis 0 (1-D arrays become rows)."""
    return concatenate([atleast_2d(a) for a in tup], 0, dtype)


row_stack = vstack


def hstack(tup, dtype=None):
    """The arrays joined along axis 1 (axis 0 for 1-D arrays)."""
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, 0 if arrs and arrs[0].ndim == 1 else 1, dtype)


def dstack(tup, dtype=None):
    """The arrays joined along axis 2 (after atleast_3d)."""
    return concatenate([atleast_3d(a) for a in tup], 2, dtype)


def column_stack(tup):
    """1-D arrays as the columns of a 2-D array; 2-D arrays joined along axis 1."""
    cols = []
    for a in tup:
        a = asarray(a)
        cols.append(lax.reshape(a, (a.size, 1)) if a.ndim < 2 else a)
    return concatenate(cols, 1)


def append(arr, values, axis=None):
    """arr with `values` appended (both flattened if axis is None)."""
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


def _split_points(n, indices_or_sections, even, name):
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError(f"{name}: the number of sections must be positive, got {k}.")
        if even and n % k:
            raise ValueError(f"{name}: an axis of size {n} cannot be split into {k} equal "
                             f"sections; use array_split for unequal ones.")
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        return list(np.cumsum([0] + sizes))
    pts = [static_int(i, f"{name}'s indices") for i in indices_or_sections]
    return [0] + [builtins.min(builtins.max(p + n if p < 0 else p, 0), n) for p in pts] + [n]


def _split(ary, indices_or_sections, axis, even, name):
    a = asarray(ary)
    ax = canonical_axis(axis, a.ndim)
    n = a.shape[ax]
    pts = _split_points(n, indices_or_sections, even, name)
    out = []
    for lo, hi in itertools.pairwise(pts):
        hi = builtins.max(lo, hi)
        out.append(lax.slice_in_dim(a, int(lo), int(hi), 1, ax))
    return out


def split(ary, indices_or_sections, axis=0):
    """ary split along `axis` into equal sections, or at the given indices.

    Example: fnp.split(fnp.arange(6), 3) -> three arrays of 2 elements.
    """
    return _split(ary, indices_or_sections, axis, True, "split")


def array_split(ary, indices_or_sections, axis=0):
    """As split, but the sections may differ in size by one."""
    return _split(ary, indices_or_sections, axis, False, "array_split")


def hsplit(ary, indices_or_sections):
    """split along axis 1 (axis 0 for 1-D arrays)."""
    a = asarray(ary)
    return split(a, indices_or_sections, 0 if a.ndim == 1 else 1)


def vsplit(ary, indices_or_sections):
    """split along axis 0."""
    return split(ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    """split along axis 2."""
    return split(ary, indices_or_sections, 2)


# ---------------------------------------------------------------------------------------
# Repetition, reversal, rolling, padding.

def tile(A, reps):
    """A repeated `reps` times along each axis. Example: fnp.tile(fnp.arange(2), 3) -> 6 elems.
    """
    a = asarray(A)
    reps = _shape_arg(reps)
    nd = builtins.max(len(reps), a.ndim)
    reps = (1,) * (nd - len(reps)) + reps
    a = lax.reshape(a, (1,) * (nd - a.ndim) + a.shape)
    # Broadcast each axis of size s to (r, s), then merge the pairs.
    inter = tuple(x for r, s in zip(reps, a.shape) for x in (r, s))
    b = lax.broadcast_in_dim(a, inter, tuple(range(1, 2 * nd, 2)))
    return lax.reshape(b, tuple(r * s for r, s in zip(reps, a.shape)))


def repeat(a, repeats, axis=None, *, total_repeat_length=None):
    """Each element of a repeated `repeats` times along `axis` (flattened if None).

    `repeats` may be an int or a sequence; a traced `repeats` array needs the static
    total_repeat_length. Example: fnp.repeat(fnp.asarray([1, 2]), 2) -> [1, 1, 2, 2].
    """
    a = asarray(a)
    if axis is None:
        a = ravel(a)
        axis = 0
    ax = canonical_axis(axis, a.ndim)
    n = a.shape[ax]
    if isinstance(repeats, (int, np.integer)) or (
            not isinstance(repeats, Tracer) and np.ndim(repeats) == 0):
        r = int(repeats)
        if r < 0:
            raise ValueError(f"repeat: repeats must be non-negative, got {r}.")
        shape = a.shape[:ax + 1] + (r,) + a.shape[ax + 1:]
        b = lax.broadcast_in_dim(a, shape, tuple(i for i in range(a.ndim + 1) if i != ax + 1))
        return lax.reshape(b, a.shape[:ax] + (n * r,) + a.shape[ax + 1:])
    if isinstance(repeats, Tracer) or hasattr(repeats, "_buf") and total_repeat_length:
        if total_repeat_length is None:
            raise ValueError("repeat with traced repeats needs total_repeat_length= (the "
                             "static length of the result along the axis).")
        from fneedle.numpy.sorting import searchsorted  # sorting imports this module
        ends = reductions.cumsum(asarray(repeats))
        pos = asarray(np.arange(int(total_repeat_length), dtype=np.int32))
        idx = searchsorted(ends, pos, side="right")
        return take(a, idx, axis=ax, mode="clip")
    reps = np.asarray(repeats)
    if reps.shape not in ((n,), (1,)):
        raise ShapeError(f"repeat: repeats of shape {reps.shape} must have one entry per "
                         f"element along axis {axis} ({n}).")
    idx = np.repeat(np.arange(n, dtype=np.int32), np.broadcast_to(reps, (n,)))
    if total_repeat_length is not None:
        idx = np.resize(idx, int(total_repeat_length)) if idx.size else idx
    return take(a, idx, axis=ax)


def flip(m, axis=None):
    """m with the order of elements reversed along `axis` (all axes if None)."""
    a = asarray(m)
    axes = canonical_axes(axis, a.ndim)
    return lax.rev(a, axes) if axes else a


def fliplr(m):
    """m reversed along axis 1."""
    return flip(m, 1)


def flipud(m):
    """m reversed along axis 0."""
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    """m rotated by 90 degrees k times in the plane of `axes`."""
    a = asarray(m)
    ax0, ax1 = canonical_axis(axes[0], a.ndim), canonical_axis(axes[1], a.ndim)
    k %= 4
    if k == 0:
        return a
    if k == 2:
        return flip(flip(a, ax0), ax1)
    perm = list(range(a.ndim))
    perm[ax0], perm[ax1] = perm[ax1], perm[ax0]
    if k == 1:
        return lax.transpose(flip(a, ax1), tuple(perm))
    return flip(lax.transpose(a, tuple(perm)), ax1)


def roll(a, shift, axis=None):
    """a with elements shifted by `shift` along `axis`, wrapping around (flattened if None).

    Example: fnp.roll(fnp.arange(4), 1) -> [3, 0, 1, 2].
    """
    a = asarray(a)
    if axis is None:
        return lax.reshape(roll(ravel(a), shift, 0), a.shape)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    shifts = (shift,) * len(axes) if np.ndim(shift) == 0 and not isinstance(
        shift, (list, tuple)) else tuple(shift)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: shift {shift} and axis {axis} must have one length.")
    for s, ax in zip(shifts, axes):
        a = _roll1(a, s, canonical_axis(ax, a.ndim))
    return a


def _roll1(a, shift, ax):
    n = a.shape[ax]
    if n == 0:
        return a
    if isinstance(shift, Tracer) or hasattr(shift, "_buf"):
        # Traced shift: take a window of a doubled along the axis.
        s = lax.convert_element_type(asarray(shift), dtypes.int32)
        start = lax.rem(lax.add(lax.rem(lax.sub(0, s), n), n), n)
        doubled = lax.concatenate([a, a], ax)
        starts = [lax.full((), 0, dtypes.int32)] * a.ndim
        starts[ax] = start
        return lax.dynamic_slice(doubled, starts, a.shape)
    s = int(shift) % n
    if s == 0:
        return a
    return lax.concatenate([lax.slice_in_dim(a, n - s, n, 1, ax),
                            lax.slice_in_dim(a, 0, n - s, 1, ax)], ax)


def _pad_widths(pad_width, ndim):
    pw = np.asarray(pad_width, dtype=np.int64)
    if pw.ndim == 0:
        pw = np.full((ndim, 2), int(pw))
    elif pw.shape in ((1,), (2,)) or pw.shape == (1, 2):
        pw = np.broadcast_to(pw.reshape(-1), (ndim, 2)) if pw.size == 2 else np.full(
            (ndim, 2), int(pw.reshape(-1)[0]))
    elif pw.shape != (ndim, 2):
        raise ShapeError(f"pad: pad_width of shape {pw.shape} does not fit an array of rank "
                         f"{ndim}; give an int, a (before, after) pair or one pair per axis.")
    if (pw < 0).any():
        raise ValueError(f"pad: pad widths must be non-negative, got {pad_width}.")
    return [(int(lo), int(hi)) for lo, hi in pw]


def pad(array, pad_width, mode="constant", **kwargs):
    """array padded by `pad_width` (an int, a pair, or one pair per axis).

    Modes: 'constant' (constant_values=), 'edge', 'reflect', 'symmetric', 'wrap', 'empty'.
    Example: fnp.pad(fnp.ones(2), 1) -> [0., 1., 1., 0.].
    """
    a = asarray(array)
    widths = _pad_widths(pad_width, a.ndim)
    if mode in ("constant", "empty"):
        cv = kwargs.get("constant_values", 0)
        cv = np.asarray(cv) if not isinstance(cv, Tracer) and not hasattr(cv, "_buf") else cv
        if isinstance(cv, np.ndarray) and cv.ndim > 0:
            cvs = np.broadcast_to(cv, (a.ndim, 2))
            for ax, (lo, hi) in enumerate(widths):
                for side, w in ((0, lo), (1, hi)):
                    if w:
                        cfg = [(0, 0, 0)] * a.ndim
                        cfg[ax] = (w, 0, 0) if side == 0 else (0, w, 0)
                        a = lax.pad(a, lax.full((), cvs[ax, side].item(), a.dtype), cfg)
            return a
        value = asarray(cv, a.dtype) if not isinstance(cv, np.ndarray) else lax.full(
            (), cv.item(), a.dtype)
        return lax.pad(a, value, [(lo, hi, 0) for lo, hi in widths])
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise NotImplementedError(f"pad mode {mode!r} is not supported; use one of 'constant', "
                                  f"'edge', 'reflect', 'symmetric', 'wrap'.")
    for ax, (lo, hi) in enumerate(widths):
        if lo or hi:
            a = _pad_axis(a, ax, lo, hi, mode)
    return a


def _pad_axis(a, ax, lo, hi, mode):
    """a padded along one axis by gathering the right source positions (static indices)."""
    n = a.shape[ax]
    if n == 0:
        raise ValueError(f"pad mode {mode!r} cannot pad an empty axis.")
    pos = np.arange(-lo, n + hi)
    if mode == "edge":
        idx = np.clip(pos, 0, n - 1)
    elif mode == "wrap":
        idx = pos % n
    elif mode == "reflect":
        if n == 1:
            idx = np.zeros_like(pos)
        else:
            period = 2 * (n - 1)
            idx = np.abs(pos) % period
            idx = np.where(idx >= n, period - idx, idx)
    else:  # symmetric
        period = 2 * n
        idx = pos % period
        idx = np.where(idx >= n, period - 1 - idx, idx)
    return take(a, idx.astype(np.int32), axis=ax)
