"""Binning: bincount, histogram, histogram_bin_edges, digitize, and piecewise-linear interp,
all built on searchsorted and lax.segment_sum."""

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.errors import ConcretizationTypeError, ShapeError
from fneedle.core.interpreter import Tracer, concrete_value
from fneedle.numpy import creation, logic, manipulation, reductions, sorting, ufuncs
from fneedle.numpy.promotion import asarray, promote, promote_inexact
from fneedle.numpy.selection import take


def bincount(x, weights=None, minlength=0, *, length=None):
    """The number of occurrences (or summed weights) of each value 0..length-1 in the
    non-negative int array x. Under tracing, give the static `length`.

    Example: fnp.bincount(fnp.asarray([0, 1, 1, 3])) -> [1, 2, 0, 1].
    """
    x = asarray(x)
    if not dtypes.is_integer(x.dtype):
        raise TypeError(f"bincount needs an integer array, got {x.dtype}.")
    if x.ndim != 1:
        raise ShapeError(f"bincount needs a 1-D array, got shape {x.shape}.")
    if length is None:
        if isinstance(x, Tracer):
            raise ConcretizationTypeError(
                f"bincount() without length= has a data-dependent output shape, so it cannot "
                f"be traced (x is {x.aval.str_short()}). Pass the static length: "
                f"bincount(x, length=n); values >= n are dropped.")
        values = concrete_value(x)
        length = max(int(values.max()) + 1 if values.size else 0, int(minlength))
    length = int(length)
    if weights is None:
        data = lax.full(x.shape, 1, dtypes.int32)
    else:
        data = asarray(weights)
        if data.shape != x.shape:
            raise ShapeError(f"bincount: weights of shape {data.shape} must match x's shape "
                             f"{x.shape}.")
        if data.dtype == dtypes.bool_:
            data = lax.convert_element_type(data, dtypes.int32)
    ids = lax.max(lax.convert_element_type(x, dtypes.int32), lax.full((), 0, dtypes.int32))
    return lax.segment_sum(data, ids, length)


def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """The bin edges histogram() uses: `bins` equal bins over `range` (default: a's min and
    max, widened by 0.5 each way when they are equal), or the given edges."""
    a = asarray(a)
    if not isinstance(bins, (int, np.integer)):
        edges = asarray(bins)
        if edges.ndim != 1:
            raise ShapeError(f"histogram: bins must be an int or 1-D edges, got shape "
                             f"{edges.shape}.")
        return promote_inexact((edges,), "histogram")[0]
    dt = a.dtype if a.dtype in dtypes.FLOATS else dtypes.float32
    if range is None:
        lo, hi = reductions.min(a), reductions.max(a)
    else:
        lo, hi = range
    lo, hi = promote((lo, hi), "histogram", dtype=(dt, False))
    same = lax.eq(lo, hi)
    lo = lax.select_n(same, lo, lax.sub(lo, lax.full((), 0.5, dt)))
    hi = lax.select_n(same, hi, lax.add(hi, lax.full((), 0.5, dt)))
    return creation.linspace(lo, hi, int(bins) + 1, dtype=dt)


def histogram(a, bins=10, range=None, weights=None, density=None):
    """The counts (or summed weights) of a's values in each bin, and the bin edges.

    Bins are half-open [e_i, e_i+1) except the last, which includes its right edge; values
    outside the edges are not counted. density=True normalizes to a probability density.
    Example: hist, edges = fnp.histogram(fnp.asarray([1., 2., 2., 4.]), bins=3).
    """
    a = manipulation.ravel(asarray(a))
    edges = histogram_bin_edges(a, bins, range)
    nbins = edges.shape[0] - 1
    a_f = lax.convert_element_type(a, edges.dtype) if a.dtype != edges.dtype else a
    idx = lax.sub(sorting.searchsorted(edges, a_f, side="right"), 1)
    last = lax.reshape(lax.slice(edges, (nbins,), (nbins + 1,)), ())
    idx = lax.select_n(lax.eq(a_f, last), idx, lax.full_like(idx, nbins - 1))
    outside = lax.bitwise_or(lax.lt(idx, 0), lax.ge(idx, nbins))
    idx = lax.select_n(outside, idx, lax.full_like(idx, nbins))  # dropped by segment_sum
    if weights is None:
        data = lax.full(a.shape, 1, dtypes.int32)
    else:
        data = manipulation.ravel(asarray(weights))
    counts = lax.segment_sum(data, idx, nbins)
    if density:
        widths = lax.sub(lax.slice(edges, (1,), (nbins + 1,)), lax.slice(edges, (0,), (nbins,)))
        counts = lax.convert_element_type(counts, edges.dtype)
        counts = lax.div(lax.div(counts, reductions.sum(counts)), widths)
    return counts, edges


def digitize(x, bins, right=False):
    """The index of the bin each x falls in: bins[i-1] <= x < bins[i] for increasing bins
    (<= on the right if right=True); decreasing bins are handled too."""
    x, bins = promote((x, bins), "digitize", broadcast=False)
    if bins.ndim != 1:
        raise ShapeError(f"digitize needs 1-D bins, got shape {bins.shape}.")
    n = bins.shape[0]
    inc = sorting.searchsorted(bins, x, side="left" if right else "right")
    if n < 2:
        return inc
    dec = lax.sub(lax.full_like(inc, n), sorting.searchsorted(
        lax.rev(bins, (0,)), x, side="left" if right else "right"))
    decreasing = lax.lt(lax.reshape(lax.slice(bins, (n - 1,), (n,)), ()),
                        lax.reshape(lax.slice(bins, (0,), (1,)), ()))
    return lax.select_n(decreasing, inc, dec)


def interp(x, xp, fp, left=None, right=None, period=None):
    """The piecewise-linear interpolant through (xp, fp) evaluated at x (xp increasing).

    Example: fnp.interp(1.5, fnp.asarray([1.0, 2.0]), fnp.asarray([10.0, 20.0])) == 15.0.
    """
    x, xp, fp = promote_inexact((x, xp, fp), "interp", broadcast=False)
    if xp.ndim != 1 or fp.ndim != 1 or xp.shape != fp.shape:
        raise ShapeError(f"interp needs 1-D xp and fp of one length, got {xp.shape} and "
                         f"{fp.shape}.")
    if period is not None:
        period = abs(float(period)) if not isinstance(period, Tracer) else ufuncs.abs(period)
        x = ufuncs.remainder(x, period)
        xp = ufuncs.remainder(xp, period)
        order = sorting.argsort(xp)
        xp, fp = take(xp, order), take(fp, order)
        n = xp.shape[0]
        xp = manipulation.concatenate([ufuncs.subtract(lax.slice(xp, (n - 1,), (n,)), period),
                                       xp, ufuncs.add(lax.slice(xp, (0,), (1,)), period)])
        fp = manipulation.concatenate([lax.slice(fp, (n - 1,), (n,)), fp,
                                       lax.slice(fp, (0,), (1,))])
    n = xp.shape[0]
    if n == 0:
        raise ValueError("interp needs at least one sample point (xp is empty).")
    i = lax.clamp(1, sorting.searchsorted(xp, x, side="right"), max(n - 1, 1))
    if n == 1:
        return lax.broadcast_in_dim(fp, x.shape, ()) if x.ndim else lax.reshape(fp, ())
    x0, x1 = take(xp, lax.sub(i, 1), mode="clip"), take(xp, i, mode="clip")
    f0, f1 = take(fp, lax.sub(i, 1), mode="clip"), take(fp, i, mode="clip")
    dx = lax.sub(x1, x0)
    zero_dx = lax.eq(dx, lax.full((), 0, dx.dtype))
    safe_dx = lax.select_n(zero_dx, dx, lax.full_like(dx, 1))
    f = lax.add(f0, lax.mul(lax.div(lax.sub(x, x0), safe_dx), lax.sub(f1, f0)))
    f = lax.select_n(zero_dx, f, f1)
    if period is None:
        first = lax.reshape(lax.slice(xp, (0,), (1,)), ())
        last = lax.reshape(lax.slice(xp, (n - 1,), (n,)), ())
        lv = lax.reshape(lax.slice(fp, (0,), (1,)), ()) if left is None else left
        rv = lax.reshape(lax.slice(fp, (n - 1,), (n,)), ()) if right is None else right
        f = logic.where(lax.lt(x, first), lv, f)
        f = logic.where(lax.gt(x, last), rv, f)
    return f
