"""Order statistics by sorting: quantile, percentile, median and their nan* variants."""

import math

from fneedle import lax
from fneedle.core import dtypes
from fneedle.numpy import ufuncs
from fneedle.numpy.promotion import asarray, canonical_axes, to_inexact_dtype
from fneedle.numpy.selection import take_along_axis

_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def _quantile(a, q, axis, method, keepdims, ignore_nan, name):
    if method not in _METHODS:
        raise ValueError(f"{name}: method must be one of {', '.join(_METHODS)}; got "
                         f"{method!r}.")
    a = asarray(a)
    dt = to_inexact_dtype(a.dtype)
    a = lax.convert_element_type(a, dt) if a.dtype != dt else a
    q = asarray(q, dt)  # Python floats go straight to dt, without a float32 rounding
    axes = canonical_axes(axis, a.ndim)
    kept = tuple(d for d in range(a.ndim) if d not in axes)
    # Move the reduced axes to the end and merge them into one of length n.
    x = lax.transpose(a, kept + axes)
    lead = tuple(a.shape[d] for d in kept)
    n = math.prod(a.shape[d] for d in axes)
    x = lax.reshape(x, lead + (n,))
    if n == 0:
        raise ValueError(f"{name} of an empty array is undefined.")
    s = lax.sort(x, dimension=len(lead))  # NaNs last
    nan_mask = ufuncs.isnan(x)
    if ignore_nan:
        count = lax.reduce_sum(lax.convert_element_type(lax.bitwise_not(nan_mask), dt),
                               (len(lead),))
    else:
        count = lax.full(lead, float(n), dt)
    qf = lax.reshape(q, (q.size,))
    k = q.size
    out_shape = lead + (k,)
    pos = lax.mul(lax.broadcast_in_dim(qf, out_shape, (len(lead),)),
                  lax.broadcast_in_dim(lax.sub(count, 1.0), out_shape, tuple(range(len(lead)))))
    pos = lax.max(pos, lax.full((), 0.0, dt))
    lo = lax.floor(pos)
    hi = lax.ceil(pos)
    if method == "lower":
        hi = lo
    elif method == "higher":
        lo = hi
    elif method == "nearest":
        lo = hi = lax.round(pos, 1)  # halves to even, as NumPy
    lo_i = lax.convert_element_type(lo, dtypes.int32)
    hi_i = lax.convert_element_type(hi, dtypes.int32)
    v_lo = take_along_axis(s, lo_i, -1, mode="clip")
    v_hi = take_along_axis(s, hi_i, -1, mode="clip")
    if method == "linear":
        frac = lax.sub(pos, lo)
        res = lax.add(v_lo, lax.mul(lax.sub(v_hi, v_lo), frac))
    elif method == "midpoint":
        res = lax.mul(lax.add(v_lo, v_hi), 0.5)
    else:
        res = v_lo
    if ignore_nan:
        bad = lax.broadcast_in_dim(lax.eq(count, 0.0), out_shape, tuple(range(len(lead))))
    else:
        any_nan = lax.reduce_or(nan_mask, (len(lead),))
        bad = lax.broadcast_in_dim(any_nan, out_shape, tuple(range(len(lead))))
    res = lax.select_n(bad, res, lax.full_like(res, math.nan))
    # NumPy puts q's dimensions first, then the kept ones.
    res = lax.transpose(res, (len(lead),) + tuple(range(len(lead))))
    if keepdims:
        full = tuple(1 if d in axes else a.shape[d] for d in range(a.ndim))
        res = lax.reshape(res, (k,) + full)
    return lax.reshape(res, q.shape + res.shape[1:])


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, interpolation=None):
    """The q-th quantiles (q in [0, 1]) of a over `axis`; q's dims come first in the result.

    method: 'linear' (default), 'lower', 'higher', 'nearest' or 'midpoint'. NaN in a slice
    gives NaN. Example: fnp.quantile(fnp.asarray([1.0, 2.0, 3.0, 4.0]), 0.5) == 2.5.
    """
    return _quantile(a, q, axis, interpolation or method, keepdims, False, "quantile")


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, interpolation=None):
    """quantile() ignoring NaNs (NaN where a slice is all NaN)."""
    return _quantile(a, q, axis, interpolation or method, keepdims, True, "nanquantile")


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, interpolation=None):
    """The q-th percentiles (q in [0, 100]) of a over `axis`."""
    q = ufuncs.true_divide(q, 100.0) if not isinstance(q, (int, float)) else q / 100.0
    return quantile(a, q, axis, method=interpolation or method, keepdims=keepdims)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, interpolation=None):
    """percentile() ignoring NaNs."""
    q = ufuncs.true_divide(q, 100.0) if not isinstance(q, (int, float)) else q / 100.0
    return nanquantile(a, q, axis, method=interpolation or method, keepdims=keepdims)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The median of a over `axis`. Example: fnp.median(fnp.asarray([3.0, 1.0, 2.0])) == 2.0."""
    return quantile(a, 0.5, axis, keepdims=keepdims)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """median() ignoring NaNs."""
    return nanquantile(a, 0.5, axis, keepdims=keepdims)

