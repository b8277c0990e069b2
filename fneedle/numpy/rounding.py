"""Rounding ufuncs: floor, ceil, rint, trunc and round to a number of decimals."""

from fneedle import lax
from fneedle.core import dtypes
from fneedle.numpy.ufunc_base import as_array, named_ufunc

_FLOATS = dtypes.FLOATS


def _rounding(name, prim_fn, text):
    def ufunc(x, /):
        x = as_array(x)
        if x.dtype not in _FLOATS:
            return x  # integers are already whole
        return prim_fn(x)
    return named_ufunc(ufunc, name, text, f"fnp.{name}(fnp.asarray([-1.5, 2.5]))")


floor = _rounding("floor", lax.floor, "The largest integer <= x, elementwise.")
ceil = _rounding("ceil", lax.ceil, "The smallest integer >= x, elementwise.")
rint = _rounding("rint", lambda x: lax.round(x, 1), "x rounded to the nearest integer "
                 "(halves to even), elementwise.")
trunc = _rounding("trunc", lambda x: lax.select_n(lax.lt(x, 0.0), lax.floor(x), lax.ceil(x)),
                  "x rounded toward zero, elementwise.")
fix = trunc


def round(a, decimals=0, out=None):
    """a rounded to `decimals` decimal places, halves to even (as NumPy).

    Example: fnp.round(fnp.asarray([1.25, 2.5]), 1) -> [1.2, 2.5].
    """
    if out is not None:
        raise NotImplementedError("fneedle arrays are immutable: round() takes no out=.")
    a = as_array(a)
    decimals = int(decimals)
    if a.dtype not in _FLOATS:
        if decimals >= 0:
            return a
        wide = lax.convert_element_type(a, dtypes.float64)
        factor = float(10.0 ** -decimals)
        out = lax.mul(lax.round(lax.div(wide, factor), 1), factor)
        return lax.convert_element_type(out, a.dtype, a.weak_type)
    if decimals == 0:
        return lax.round(a, 1)
    # Compute in float32 at least so that 10**decimals scaling keeps its precision.
    dt = a.dtype
    wide = lax.convert_element_type(a, dtypes.float32) if dt.itemsize < 4 else a
    factor = float(10.0 ** decimals)
    out = lax.div(lax.round(lax.mul(wide, factor), 1), factor)
    return lax.convert_element_type(out, dt, a.weak_type)


around = round_ = round
