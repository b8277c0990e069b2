"""Predicates on values: isfinite, isnan, isinf, isposinf, isneginf and signbit (bool arrays;
integers are always finite, never NaN or infinite)."""

import math

from fneedle import lax
from fneedle.core import dtypes
from fneedle.lax.complex import imag as _imag
from fneedle.lax.complex import real as _real
from fneedle.numpy.ufunc_base import as_array, named_ufunc

_FLOATS = dtypes.FLOATS
_BOOL = dtypes.bool_


def _float_predicate(name, float_test, if_not_float, text, example, combine_parts=None):
    """A predicate that applies `float_test` to float arrays and is `if_not_float` everywhere
    for other dtypes; with `combine_parts`, a complex value combines its parts' answers."""
    def ufunc(x, /):
        x = as_array(x)
        if combine_parts is not None and dtypes.is_complex(x.dtype):
            return combine_parts(ufunc(_real(x)), ufunc(_imag(x)))
        if x.dtype in _FLOATS:
            return float_test(x)
        return lax.full(x.shape, if_not_float, _BOOL)
    return named_ufunc(ufunc, name, text, example)


isfinite = _float_predicate("isfinite", lax.is_finite, True,
                            "Whether x is neither infinite nor NaN, elementwise.",
                            "fnp.isfinite(fnp.inf) is False", combine_parts=lax.bitwise_and)
isnan = _float_predicate("isnan", lambda x: lax.ne(x, x), False,
                         "Whether x is NaN, elementwise.", "fnp.isnan(fnp.nan) is True",
                         combine_parts=lax.bitwise_or)
isinf = _float_predicate("isinf", lambda x: lax.eq(lax.abs(x), math.inf), False,
                         "Whether x is +inf or -inf, elementwise.",
                         "fnp.isinf(-fnp.inf) is True", combine_parts=lax.bitwise_or)
isposinf = _float_predicate("isposinf", lambda x: lax.eq(x, math.inf), False,
                            "Whether x is +inf, elementwise.", "fnp.isposinf(fnp.inf) is True")
isneginf = _float_predicate("isneginf", lambda x: lax.eq(x, -math.inf), False,
                            "Whether x is -inf, elementwise.",
                            "fnp.isneginf(-fnp.inf) is True")


_SAME_WIDTH_INT = {dtypes.float16: dtypes.int16, dtypes.bfloat16: dtypes.int16,
                   dtypes.float32: dtypes.int32, dtypes.float64: dtypes.int64}


def signbit(x, /):
    """Whether the sign bit of x is set (true for -0.0). Example: fnp.signbit(-0.0) is True."""
    x = as_array(x)
    if x.dtype in _FLOATS:
        return lax.lt(lax.bitcast_convert_type(x, _SAME_WIDTH_INT[x.dtype]), 0)
    if x.dtype == _BOOL or dtypes.is_unsigned(x.dtype):
        return lax.full(x.shape, False, _BOOL)
    return lax.lt(x, 0)
