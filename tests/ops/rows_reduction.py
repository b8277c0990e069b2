"""Op-table rows for fneedle/lax/reduction.py (reduce_sum's rows are in rows_elementwise.py):
reduce_prod, reduce_max, reduce_min, reduce_and, reduce_or over subsets of axes, and
argmax/argmin along each axis. References are NumPy; 16-bit floats accumulate in float32."""

import ml_dtypes
import numpy as np

from fneedle import lax

from .records import OpRecord

BF16 = ml_dtypes.bfloat16
F = (np.float32, np.float64)
FLOATS = F + (np.float16, BF16)
INTS = (np.int8, np.int32, np.int64, np.uint8, np.uint32)
_16BIT = (np.dtype(np.float16), np.dtype(BF16))

SHAPES_2D = (((3, 4),),)
SHAPES_3D = (((2, 3, 4),),)
SHAPES = (((3, 4),), ((2, 3, 4),))


def _up(x):
    return x.astype(np.float32) if x.dtype in _16BIT else x


def _all_axes(x, axes):
    return tuple(range(x.ndim)) if axes is None else axes


def with_zeros(rng, shape, dtype):
    """Normal values with about a quarter of them exactly zero (products through zeros)."""
    x = rng.standard_normal(shape)
    return np.where(rng.random(shape) < 0.25, 0.0, x).astype(dtype)


def _reduce_rows(name, fn, reference, dtypes_, axes_list, inputs="normal", diff=True):
    rows = []
    for tag, axes, shapes in axes_list:
        rows.append(OpRecord(
            f"{name}_{tag}", lambda x, a=axes: fn(x, _all_axes(x, a)),
            lambda x, a=axes: reference(_up(x), _all_axes(x, a)), shapes, dtypes_,
            inputs=inputs, diff_argnums=(0,) if diff else ()))
    return rows


_AXES = [
    ("first", (0,), SHAPES),
    ("last", (-1,), SHAPES),
    ("middle", (1,), SHAPES_3D),
    ("outer_pair", (0, 2), SHAPES_3D),
    ("all", None, SHAPES + (((),),)),
]
_FEW_AXES = [("last", (-1,), SHAPES), ("pair", (0, -1), SHAPES_3D), ("all", None, SHAPES)]


def _prod_ref(x, axes):
    return np.prod(x, axis=axes, dtype=x.dtype)


ROWS = (
    _reduce_rows("reduce_max", lax.reduce_max, lambda x, a: np.max(x, axis=a),
                 FLOATS + INTS + (np.bool_,), _AXES)
    + _reduce_rows("reduce_min", lax.reduce_min, lambda x, a: np.min(x, axis=a),
                   FLOATS + INTS + (np.bool_,), _AXES)
    + _reduce_rows("reduce_prod", lax.reduce_prod, _prod_ref, FLOATS + INTS, _FEW_AXES,
                   inputs="unit")
    + _reduce_rows("reduce_prod_zeros", lax.reduce_prod, _prod_ref, F,
                   [("last", (-1,), SHAPES), ("all", None, SHAPES_2D)], inputs=with_zeros)
    + _reduce_rows("reduce_and", lax.reduce_and,
                   lambda x, a: (np.all(x, axis=a) if x.dtype == np.bool_
                                 else np.bitwise_and.reduce(x, axis=a)),
                   (np.bool_,) + INTS, _FEW_AXES, inputs="int", diff=False)
    + _reduce_rows("reduce_or", lax.reduce_or,
                   lambda x, a: (np.any(x, axis=a) if x.dtype == np.bool_
                                 else np.bitwise_or.reduce(x, axis=a)),
                   (np.bool_,) + INTS, _FEW_AXES, inputs="int", diff=False)
    + [
        OpRecord(f"{name}_axis{axis}", lambda x, f=fn, a=axis: f(x, a, np.int32),
                 lambda x, f=ref, a=axis: f(_up(x), axis=a).astype(np.int32), shapes,
                 FLOATS + INTS + (np.bool_,), diff_argnums=())
        for name, fn, ref in (("argmax", lax.argmax, np.argmax),
                              ("argmin", lax.argmin, np.argmin))
        for axis, shapes in ((0, SHAPES), (-1, SHAPES), (1, SHAPES_3D))
    ]
    + [
        OpRecord("argmax_int64_index", lambda x: lax.argmax(x, 1, np.int64),
                 lambda x: np.argmax(x, axis=1).astype(np.int64), SHAPES_2D, F,
                 diff_argnums=()),
        OpRecord("argmin_ties", lambda x: lax.argmin(x, -1, np.int32),
                 lambda x: np.argmin(x, axis=-1).astype(np.int32), SHAPES,
                 (np.float32, np.int32), inputs="nonneg_int", diff_argnums=()),
    ]
)
