"""Op-table rows for fneedle/lax/cumulative.py: cumsum, cumprod, cummax, cummin and
cumlogsumexp along each axis, forwards and in reverse. References are NumPy's accumulates;
16-bit floats work in float32."""

import ml_dtypes
import numpy as np

from fneedle import lax

from .records import OpRecord
from .rows_reduction import with_zeros

BF16 = ml_dtypes.bfloat16
F = (np.float32, np.float64)
FLOATS = F + (np.float16, BF16)
INTS = (np.int8, np.int32, np.uint8, np.int64)
_16BIT = (np.dtype(np.float16), np.dtype(BF16))


def _scan_ref(accumulate, axis, reverse):
    def ref(x):
        x = x.astype(np.float32) if x.dtype in _16BIT else x
        if reverse:
            x = np.flip(x, axis)
        out = accumulate(x, axis)
        return np.flip(out, axis) if reverse else out
    return ref


_OPS = [
    # name, fneedle fn, NumPy accumulate, dtypes, inputs
    ("cumsum", lax.cumsum, lambda x, a: np.cumsum(x, a, dtype=x.dtype), FLOATS + INTS,
     "normal"),
    ("cumprod", lax.cumprod, lambda x, a: np.cumprod(x, a, dtype=x.dtype), FLOATS + INTS,
     "unit"),
    ("cummax", lax.cummax, np.maximum.accumulate, FLOATS + INTS + (np.bool_,), "normal"),
    ("cummin", lax.cummin, np.minimum.accumulate, FLOATS + INTS + (np.bool_,), "normal"),
    ("cumlogsumexp", lax.cumlogsumexp, np.logaddexp.accumulate, FLOATS, "normal"),
]
_AXES = [
    # tag, axis, shapes
    ("axis0", 0, (((5,),), ((4, 3),))),
    ("last", -1, (((4, 3),), ((2, 3, 7),))),
    ("middle", 1, (((2, 5, 3),),)),
]

ROWS = [
    OpRecord(f"{name}_{tag}{'_reverse' if reverse else ''}",
             lambda x, f=fn, a=axis, r=reverse: f(x, a, r),
             _scan_ref(acc, axis, reverse), shapes, dts, inputs=inputs,
             diff_argnums=(0,), grad_atol=1e-5, grad_rtol=1e-5)
    for name, fn, acc, dts, inputs in _OPS
    for tag, axis, shapes in _AXES
    for reverse in (False, True)
] + [
    OpRecord(f"cumprod_zeros{'_reverse' if reverse else ''}",
             lambda x, r=reverse: lax.cumprod(x, -1, r),
             _scan_ref(lambda x, a: np.cumprod(x, a), -1, reverse), (((3, 6),),), F,
             inputs=with_zeros)
    for reverse in (False, True)
] + [
    OpRecord("cummax_ties", lambda x: lax.cummax(x, 0), _scan_ref(np.maximum.accumulate, 0,
                                                                   False),
             (((6, 2),),), (np.float32, np.int32), inputs="nonneg_int", diff_argnums=()),
    OpRecord("cumlogsumexp_wide_range", lambda x: lax.cumlogsumexp(x, -1),
             _scan_ref(np.logaddexp.accumulate, -1, False), (((2, 6),),), F,
             inputs=lambda rng, shape, dtype: (30 * rng.standard_normal(shape)).astype(dtype)),
]
