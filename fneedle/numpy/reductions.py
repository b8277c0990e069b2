"""Reductions (sum, mean, max, argmax, all, var, ...), their nan* variants, cumulative sums
and products, and logsumexp: NumPy's axis, keepdims, dtype, initial and where= arguments."""

import builtins
import math

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.errors import ShapeError
from fneedle.numpy import ufuncs
from fneedle.numpy.promotion import (
    asarray,
    broadcast_shapes,
    broadcast_to_shape,
    canonical_axes,
    canonical_axis,
    promote_inexact,
    to_inexact_dtype,
)

_FLOATS = dtypes.FLOATS
_16BIT = (dtypes.float16, dtypes.bfloat16)


def _no_out(out, name):
    if out is not None:
        raise NotImplementedError(f"fneedle arrays are immutable: {name}() takes no out= "
                                  f"argument; use the value it returns.")


def _accumulation_dtype(dtype, promote_integers=True):
    """The dtype sum and prod accumulate in: NumPy's, with int32 for narrow ints and bools."""
    if dtype == dtypes.bool_:
        return dtypes.int32
    if promote_integers and dtypes.is_integer(dtype) and dtype.itemsize < 4:
        return dtypes.uint32 if dtypes.is_unsigned(dtype) else dtypes.int32
    return dtype


def _keep(out, axes, keepdims):
    return lax.expand_dims(out, axes) if keepdims and axes else out


def _masked(a, where, fill, name):
    """a with `fill` where the mask `where` is false (the mask broadcasts to a's shape)."""
    if where is None:
        return a
    mask = asarray(where)
    if mask.dtype != dtypes.bool_:
        mask = lax.ne(mask, 0)
    if broadcast_shapes(mask.shape, a.shape, name=name) != a.shape:
        raise ShapeError(f"{name}: where= of shape {mask.shape} must broadcast to the array's "
                         f"shape {a.shape} without enlarging it.")
    mask = broadcast_to_shape(mask, a.shape)
    return lax.select_n(mask, lax.full_like(a, fill), a)


def _reduce_size(shape, axes):
    return math.prod(shape[i] for i in axes)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
        promote_integers=True):
    """The sum of a over `axis` (all axes by default).

    Args:
      a: the array. axis: an int, a tuple of ints or None. dtype: the accumulation and result
        dtype (default: a's, with bools and narrow ints summed in int32).
      keepdims: keep reduced axes with size 1. initial: a value added to the sum.
      where: a boolean mask broadcastable to a; only true elements are summed.
    Example: fnp.sum(fnp.ones((2, 3)), axis=-1) -> [3., 3.].
    """
    _no_out(out, "sum")
    a = asarray(a)
    axes = canonical_axes(axis, a.ndim)
    dt = dtypes.canonicalize(dtype) if dtype is not None else _accumulation_dtype(
        a.dtype, promote_integers)
    a = lax.convert_element_type(a, dt, a.weak_type) if a.dtype != dt else a
    a = _masked(a, where, 0, "sum")
    res = lax.reduce_sum(a, axes)
    if initial is not None:
        res = ufuncs.add(res, initial)
    return _keep(res, axes, keepdims)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
         promote_integers=True):
    """The product of a over `axis`. Example: fnp.prod(fnp.asarray([2, 3, 4])) == 24."""
    _no_out(out, "prod")
    a = asarray(a)
    axes = canonical_axes(axis, a.ndim)
    dt = dtypes.canonicalize(dtype) if dtype is not None else _accumulation_dtype(
        a.dtype, promote_integers)
    a = lax.convert_element_type(a, dt, a.weak_type) if a.dtype != dt else a
    a = _masked(a, where, 1, "prod")
    res = lax.reduce_prod(a, axes) if axes else a
    if initial is not None:
        res = ufuncs.multiply(res, initial)
    return _keep(res, axes, keepdims)


def _extremum(name, lax_reduce, ufunc, identity_of):
    def reduce(a, axis=None, out=None, keepdims=False, initial=None, where=None):
        _no_out(out, name)
        a = asarray(a)
        axes = canonical_axes(axis, a.ndim)
        if where is not None:
            if initial is None:
                raise ValueError(f"{name}() with where= needs initial=: the maximum/minimum "
                                 f"of an empty selection is undefined. Pass e.g. "
                                 f"initial={'-' if name.endswith('max') else ''}fnp.inf.")
            a = _masked(a, where, identity_of(a.dtype), name)
        if initial is None and _reduce_size(a.shape, axes) == 0:
            raise ValueError(f"{name}() of an empty array (shape {a.shape}) over axes {axes} "
                             f"is undefined; pass initial= to give it a value.")
        res = lax_reduce(a, axes) if axes else a
        if initial is not None:
            res = ufunc(res, initial)
        return _keep(res, axes, keepdims)
    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = (f"The {name.removeprefix('a')}imum of a over `axis` "
                      f"(NaN propagates).\n\n    Example: fnp.{name}(fnp.asarray([[1, 5], "
                      f"[3, 2]]), axis=0) -> [3, 5].\n    ")
    return reduce


def _lowest(dtype):
    if dtype in _FLOATS:
        return -math.inf
    if dtype == dtypes.bool_:
        return False
    return int(np.iinfo(dtype).min)


def _highest(dtype):
    if dtype in _FLOATS:
        return math.inf
    if dtype == dtypes.bool_:
        return True
    return int(np.iinfo(dtype).max)


max = _extremum("max", lambda a, axes: lax.reduce_max(a, axes), ufuncs.maximum,
                _lowest)
min = _extremum("min", lambda a, axes: lax.reduce_min(a, axes), ufuncs.minimum,
                _highest)
amax, amin = max, min


def _bool_reduce(name, lax_reduce, fill):
    def reduce(a, axis=None, out=None, keepdims=False, *, where=None):
        _no_out(out, name)
        a = asarray(a)
        if a.dtype != dtypes.bool_:
            a = lax.ne(a, 0)
        axes = canonical_axes(axis, a.ndim)
        a = _masked(a, where, fill, name)
        res = lax_reduce(a, axes) if axes else a
        return _keep(res, axes, keepdims)
    reduce.__name__ = reduce.__qualname__ = name
    what = "every" if name == "all" else "any"
    reduce.__doc__ = (f"Whether {what} element of a over `axis` is true (nonzero).\n\n"
                      f"    Example: fnp.{name}(fnp.asarray([True, False])) -> "
                      f"{name == 'any'}.\n    ")
    return reduce


all = _bool_reduce("all", lambda a, axes: lax.reduce_and(a, axes), True)
any = _bool_reduce("any", lambda a, axes: lax.reduce_or(a, axes), False)


def _arg_extremum(name, lax_arg):
    def reduce(a, axis=None, out=None, keepdims=False):
        _no_out(out, name)
        a = asarray(a)
        if axis is None:
            flat = lax.reshape(a, (a.size,))
            if a.size == 0:
                raise ValueError(f"{name}() of an empty array is undefined.")
            res = lax_arg(flat, 0, dtypes.int32)
            return lax.reshape(res, (1,) * a.ndim) if keepdims else res
        ax = canonical_axis(axis, a.ndim)
        if a.shape[ax] == 0:
            raise ValueError(f"{name}() over an empty axis {axis} of shape {a.shape} is "
                             f"undefined.")
        res = lax_arg(a, ax, dtypes.int32)
        return _keep(res, (ax,), keepdims)
    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = (f"The index of the {name[3:]}imum along `axis` (of the flattened array "
                      f"if None); the first one on ties and NaNs.\n\n    Example: "
                      f"fnp.{name}(fnp.asarray([1, 7, 3])).\n    ")
    return reduce


argmax = _arg_extremum("argmax", lambda a, ax, dt: lax.argmax(a, ax, dt))
argmin = _arg_extremum("argmin", lambda a, ax, dt: lax.argmin(a, ax, dt))


def _mean_dtype(a, dtype):
    if dtype is not None:
        return dtypes.canonicalize(dtype)
    return to_inexact_dtype(a.dtype)


def _count(a, axes, where):
    """The number of elements averaged over: a static int, or an array when where= is used."""
    if where is None:
        return _reduce_size(a.shape, axes)
    mask = asarray(where)
    mask = broadcast_to_shape(mask if mask.dtype == dtypes.bool_ else lax.ne(mask, 0), a.shape)
    return lax.reduce_sum(lax.convert_element_type(mask, dtypes.int32), axes)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """The arithmetic mean over `axis`; integers average in float32.

    Example: fnp.mean(fnp.asarray([[1, 2], [3, 4]]), axis=0) -> [2., 3.].
    """
    _no_out(out, "mean")
    a = asarray(a)
    axes = canonical_axes(axis, a.ndim)
    dt = _mean_dtype(a, dtype)
    wide = dtypes.float32 if dt in _16BIT else dt
    x = lax.convert_element_type(a, wide, a.weak_type) if a.dtype != wide else a
    total = lax.reduce_sum(_masked(x, where, 0, "mean"), axes)
    n = _count(a, axes, where)
    if isinstance(n, int):
        res = lax.div(total, float(n)) if dtypes.is_float(wide) else lax.div(total, n)
    else:
        res = lax.div(total, lax.convert_element_type(n, wide))
    if res.dtype != dt:
        res = lax.convert_element_type(res, dt, a.weak_type)
    return _keep(res, axes, keepdims)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        correction=None):
    """The variance over `axis`: mean(|a - mean(a)|**2) * n / (n - ddof).

    Example: fnp.var(fnp.asarray([1.0, 2.0, 3.0, 4.0])) == 1.25.
    """
    _no_out(out, "var")
    if correction is not None:
        ddof = correction
    a = asarray(a)
    axes = canonical_axes(axis, a.ndim)
    dt = _mean_dtype(a, dtype)
    wide = dtypes.float32 if dt in _16BIT else to_inexact_dtype(dt)
    x = lax.convert_element_type(a, wide, a.weak_type) if a.dtype != wide else a
    centered = lax.sub(x, broadcast_to_shape(mean(x, axes, keepdims=True, where=where),
                                             x.shape))
    if dtypes.is_complex(wide):  # |a - mean|**2 is real, and so is the variance
        centered = lax.abs(centered)
        wide, dt = dtypes.real_dtype(wide), dtypes.real_dtype(dt)
    sq = lax.reduce_sum(_masked(lax.square(centered), where, 0, "var"), axes)
    n = _count(a, axes, where)
    if isinstance(n, int):
        res = lax.div(sq, float(builtins.max(n - ddof, 0)))
    else:
        res = lax.div(sq, lax.convert_element_type(lax.max(lax.sub(n, ddof), 0), wide))
    if res.dtype != dt:
        res = lax.convert_element_type(res, dt, a.weak_type)
    return _keep(res, axes, keepdims)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        correction=None):
    """The standard deviation over `axis`: sqrt(var(a, ...)). Example: fnp.std([1.0, 3.0]) == 1.
    """
    v = var(a, axis, dtype, out, ddof, keepdims, where=where, correction=correction)
    return ufuncs.sqrt(v)


def ptp(a, axis=None, out=None, keepdims=False):
    """max - min over `axis`. Example: fnp.ptp(fnp.asarray([4, 9, 2])) == 7."""
    return ufuncs.subtract(max(a, axis, out, keepdims), min(a, axis, out, keepdims))


def count_nonzero(a, axis=None, keepdims=False):
    """The number of nonzero elements over `axis` (int32)."""
    a = asarray(a)
    nz = lax.convert_element_type(lax.ne(a, lax.full((), 0, a.dtype)) if a.dtype !=
                                  dtypes.bool_ else a, dtypes.int32)
    return sum(nz, axis, keepdims=keepdims)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """The weighted mean over `axis`; with returned=True also the sum of the weights.

    Example: fnp.average(fnp.asarray([1.0, 3.0]), weights=fnp.asarray([3.0, 1.0])) == 1.5.
    """
    a = asarray(a)
    if weights is None:
        avg = mean(a, axis, keepdims=keepdims)
        if not returned:
            return avg
        axes = canonical_axes(axis, a.ndim)
        return avg, lax.full_like(avg, float(_reduce_size(a.shape, axes)))
    w = asarray(weights)
    axes = canonical_axes(axis, a.ndim)
    a, w = promote_inexact((a, w), "average", broadcast=False)
    if w.shape != a.shape:
        if axis is None or w.ndim != 1 or len(axes) != 1 or w.shape[0] != a.shape[axes[0]]:
            raise ShapeError(f"average: weights of shape {w.shape} must have a's shape "
                             f"{a.shape}, or be 1-D along the single averaged axis.")
        w = lax.broadcast_in_dim(w, a.shape, axes)
    wsum = sum(w, axes, keepdims=keepdims)
    avg = ufuncs.divide(sum(ufuncs.multiply(a, w), axes, keepdims=keepdims), wsum)
    return (avg, wsum) if returned else avg


# ---------------------------------------------------------------------------------------
# Cumulative reductions.

def _cumulative(name, lax_fn, nan_fill=None):
    def cum(a, axis=None, dtype=None, out=None):
        _no_out(out, name)
        a = asarray(a)
        if axis is None:
            a = lax.reshape(a, (a.size,))
            axis = 0
        ax = canonical_axis(axis, a.ndim)
        dt = dtypes.canonicalize(dtype) if dtype is not None else _accumulation_dtype(a.dtype)
        if nan_fill is not None and a.dtype in _FLOATS:
            a = lax.select_n(ufuncs.isnan(a), a, lax.full_like(a, nan_fill))
        a = lax.convert_element_type(a, dt, a.weak_type) if a.dtype != dt else a
        if a.shape[ax] == 0:
            return a
        return lax_fn(a, axis=ax, reverse=False)
    cum.__name__ = cum.__qualname__ = name
    cum.__doc__ = (f"The cumulative {'sum' if 'sum' in name else 'product'} along `axis` (of "
                   f"the flattened array if None).\n\n    Example: fnp.{name}("
                   f"fnp.asarray([1, 2, 3])).\n    ")
    return cum


cumsum = _cumulative("cumsum", lambda a, axis, reverse: lax.cumsum(a, axis, reverse))
cumprod = _cumulative("cumprod", lambda a, axis, reverse: lax.cumprod(a, axis, reverse))
nancumsum = _cumulative("nancumsum", lambda a, axis, reverse: lax.cumsum(a, axis, reverse), 0)
nancumprod = _cumulative("nancumprod", lambda a, axis, reverse: lax.cumprod(a, axis, reverse),
                         1)
cumulative_prod = cumprod


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    """The array API's cumulative sum; include_initial prepends a zero."""
    x = asarray(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError("cumulative_sum needs axis= for arrays of rank > 1.")
        axis = 0
    out = cumsum(x, axis, dtype)
    if include_initial:
        ax = canonical_axis(axis, out.ndim)
        pads = [(0, 0, 0)] * out.ndim
        pads[ax] = (1, 0, 0)
        out = lax.pad(out, lax.full((), 0, out.dtype), pads)
    return out


# ---------------------------------------------------------------------------------------
# nan* variants: NaNs are left out of the reduction.

def _nan_filled(a, fill):
    a = asarray(a)
    if a.dtype not in _FLOATS:
        return a
    return lax.select_n(ufuncs.isnan(a), a, lax.full_like(a, fill))


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """sum() with NaNs counted as zero."""
    return sum(_nan_filled(a, 0), axis, dtype, out, keepdims, initial, where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """prod() with NaNs counted as one."""
    return prod(_nan_filled(a, 1), axis, dtype, out, keepdims, initial, where)


def _nan_extremum(name, reduce, fill):
    def nanreduce(a, axis=None, out=None, keepdims=False, initial=None, where=None):
        a = asarray(a)
        if a.dtype not in _FLOATS:
            return reduce(a, axis, out, keepdims, initial, where)
        res = reduce(_nan_filled(a, fill), axis, out, keepdims, initial, where)
        all_nan = all(ufuncs.isnan(a), axis, keepdims=keepdims, where=where)
        return lax.select_n(all_nan, res, lax.full_like(res, math.nan))
    nanreduce.__name__ = nanreduce.__qualname__ = name
    nanreduce.__doc__ = f"{reduce.__name__}() ignoring NaNs (NaN where a slice is all NaN)."
    return nanreduce


nanmax = _nan_extremum("nanmax", max, -math.inf)
nanmin = _nan_extremum("nanmin", min, math.inf)


def _nan_arg(name, arg, fill):
    def nanarg(a, axis=None, out=None, keepdims=False):
        a = asarray(a)
        if a.dtype not in _FLOATS:
            return arg(a, axis, out, keepdims)
        res = arg(_nan_filled(a, fill), axis, out, keepdims)
        all_nan = all(ufuncs.isnan(a), axis, keepdims=keepdims)
        return lax.select_n(all_nan, res, lax.full_like(res, -1))
    nanarg.__name__ = nanarg.__qualname__ = name
    nanarg.__doc__ = f"{arg.__name__}() ignoring NaNs (-1 where a slice is all NaN)."
    return nanarg


nanargmax = _nan_arg("nanargmax", argmax, -math.inf)
nanargmin = _nan_arg("nanargmin", argmin, math.inf)


def _not_nan(a, where):
    keep = ufuncs.logical_not(ufuncs.isnan(a))
    return keep if where is None else ufuncs.logical_and(keep, where)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """mean() of the elements that are not NaN."""
    a = asarray(a)
    if a.dtype not in _FLOATS:
        return mean(a, axis, dtype, out, keepdims, where=where)
    return mean(a, axis, dtype, out, keepdims, where=_not_nan(a, where))


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None):
    """var() of the elements that are not NaN."""
    a = asarray(a)
    if a.dtype not in _FLOATS:
        return var(a, axis, dtype, out, ddof, keepdims, where=where)
    return var(_nan_filled(a, 0), axis, dtype, out, ddof, keepdims, where=_not_nan(a, where))


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None):
    """std() of the elements that are not NaN."""
    return ufuncs.sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, where=where))


# ---------------------------------------------------------------------------------------
# logsumexp

def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))) over `axis`, computed without overflow.

    Args:
      a: the array. axis: the axes to reduce. b: optional weights broadcastable to a.
      keepdims: keep reduced axes. return_sign: also return the sign of the sum (then the
        first result is log|sum|). where: a mask of the elements to include.
    Example: fnp.logsumexp(fnp.asarray([0.0, 0.0])) == log(2).
    """
    if b is not None:
        a, b = promote_inexact((a, b), "logsumexp", keep_scalars=False)
    else:
        a = promote_inexact((a,), "logsumexp")[0]
    axes = canonical_axes(axis, a.ndim)
    a_masked = _masked(a, where, -math.inf, "logsumexp")
    amax = lax.reduce_max(a_masked, axes) if axes else a_masked
    amax = lax.select_n(lax.is_finite(amax), lax.full_like(amax, 0.0), amax)
    kept = tuple(i for i in range(a.ndim) if i not in axes)
    shifted = lax.exp(lax.sub(a_masked, lax.broadcast_in_dim(amax, a.shape, kept)))
    if b is not None:
        shifted = lax.mul(shifted, b)
    total = lax.reduce_sum(shifted, axes)
    if return_sign:
        sgn = lax.sign(total)
        out = lax.add(lax.log(lax.abs(total)), amax)
        return _keep(out, axes, keepdims), _keep(sgn, axes, keepdims)
    out = lax.add(lax.log(total), amax)
    return _keep(out, axes, keepdims)
