"""Comparison ufuncs: equal, less, ..., and the elementwise extrema maximum, minimum (NaN
wins) and fmax, fmin (NaN loses)."""

from fneedle import lax
from fneedle.core import dtypes
from fneedle.lax import arithmetic as _ar
from fneedle.numpy.promotion import promote
from fneedle.numpy.ufunc_base import binary_ufunc, named_ufunc

_FLOATS = dtypes.FLOATS


maximum = binary_ufunc(_ar.max_p, "maximum", "The larger of x and y, elementwise (NaN wins).",
                       "fnp.maximum(fnp.asarray([1, 5]), 3) -> [3, 5]")
minimum = binary_ufunc(_ar.min_p, "minimum", "The smaller of x and y, elementwise (NaN wins).",
                       "fnp.minimum(fnp.asarray([1, 5]), 3) -> [1, 3]")
equal = binary_ufunc(_ar.eq_p, "equal", "x == y, elementwise.",
                     "fnp.equal(fnp.arange(3), 1)")
not_equal = binary_ufunc(_ar.ne_p, "not_equal", "x != y, elementwise.",
                         "fnp.not_equal(fnp.arange(3), 1)")
less = binary_ufunc(_ar.lt_p, "less", "x < y, elementwise.", "fnp.less(fnp.arange(3), 1)")
less_equal = binary_ufunc(_ar.le_p, "less_equal", "x <= y, elementwise.",
                          "fnp.less_equal(fnp.arange(3), 1)")
greater = binary_ufunc(_ar.gt_p, "greater", "x > y, elementwise.",
                       "fnp.greater(fnp.arange(3), 1)")
greater_equal = binary_ufunc(_ar.ge_p, "greater_equal", "x >= y, elementwise.",
                             "fnp.greater_equal(fnp.arange(3), 1)")


def _nan_ignoring(name, extremum, text, example):
    """fmax / fmin: `extremum` of x and y, except that a NaN loses to a number."""
    def ufunc(x, y, /):
        x, y = promote((x, y), name)
        if x.dtype not in _FLOATS:
            return extremum(x, y)
        return lax.select_n(lax.ne(x, x), lax.select_n(lax.ne(y, y), extremum(x, y), x), y)
    return named_ufunc(ufunc, name, text, example)


fmax = _nan_ignoring("fmax", lax.max, "The larger of x and y, ignoring NaNs (NaN only where "
                     "both are NaN).", "fnp.fmax(fnp.asarray([1.0, fnp.nan]), 0.0) -> [1., 0.]")
fmin = _nan_ignoring("fmin", lax.min, "The smaller of x and y, ignoring NaNs (NaN only where "
                     "both are NaN).", "fnp.fmin(fnp.asarray([1.0, fnp.nan]), 0.0) -> [0., 0.]")
