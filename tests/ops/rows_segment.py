"""Op-table rows for fneedle/lax/segment.py: segment_sum (ids in and out of range, rows,
several id dims), its transpose take_rows, bincount, and the take_along_axis helper.
References are NumPy loops."""

import ml_dtypes
import numpy as np

from fneedle import lax
from fneedle.lax.segment import take_along_axis

from .records import OpRecord

BF16 = ml_dtypes.bfloat16
F = (np.float32, np.float64)
NUM = F + (np.float16, BF16, np.int32, np.int64, np.uint8)
_16BIT = (np.dtype(np.float16), np.dtype(BF16))


def ids_in(lo, hi):
    """Integer ids in lo..hi-1 (out-of-range ones included when lo < 0 or hi is large)."""
    def draw(rng, shape, dtype):
        return rng.integers(lo, hi, size=shape).astype(dtype)
    draw.__name__ = f"ids_{lo}_{hi}"
    return draw


def _segment_sum_ref(num_segments):
    def ref(data, ids):
        acc = np.float32 if data.dtype in _16BIT else data.dtype
        k = ids.ndim
        out = np.zeros((num_segments,) + data.shape[k:], acc)
        for index in np.ndindex(*ids.shape):
            s = ids[index]
            if 0 <= s < num_segments:
                out[s] += data[index]
        return out
    return ref


def _take_rows_ref(x, ids):
    out = np.zeros(ids.shape + x.shape[1:], x.dtype)
    for index in np.ndindex(*ids.shape):
        if 0 <= ids[index] < x.shape[0]:
            out[index] = x[ids[index]]
    return out


def _bincount_ref(length, weighted):
    def ref(x, *w):
        x = np.maximum(x, 0)
        keep = x < length
        return np.bincount(x[keep], weights=w[0][keep] if weighted else None,
                           minlength=length).astype(w[0].dtype if weighted else np.int32)
    return ref


_DATA_IDS = lambda dt: (dt, np.int32)

ROWS = [
    OpRecord("segment_sum", lambda d, i: lax.segment_sum(d, i, 4), _segment_sum_ref(4),
             (((7,), (7,)), ((6, 3), (6,))), NUM, arg_dtypes=_DATA_IDS,
             inputs=("normal", ids_in(-1, 6))),
    OpRecord("segment_sum_sorted", lambda d, i: lax.segment_sum(d, i, 3, True),
             _segment_sum_ref(3), (((5, 2), (5,)),), F, arg_dtypes=_DATA_IDS,
             inputs=("normal", lambda rng, shape, dtype: np.sort(
                 rng.integers(0, 3, size=shape), axis=0).astype(dtype))),
    OpRecord("segment_sum_2d_ids", lambda d, i: lax.segment_sum(d, i, 3), _segment_sum_ref(3),
             (((2, 3, 2), (2, 3)), ((2, 4), (2, 4))), F + (np.int32,),
             arg_dtypes=_DATA_IDS, inputs=("normal", ids_in(-1, 4))),
    OpRecord("segment_sum_int64_ids", lambda d, i: lax.segment_sum(d, i, 5),
             _segment_sum_ref(5), (((6,), (6,)),), F,
             arg_dtypes=lambda dt: (dt, np.int64), inputs=("normal", ids_in(0, 5))),
    OpRecord("take_rows", lax.take_rows, _take_rows_ref,
             (((5, 3), (4,)), ((4,), (2, 3)), ((3, 2, 2), (5,))), NUM + (np.bool_,),
             arg_dtypes=_DATA_IDS, inputs=("normal", ids_in(-2, 6))),
    OpRecord("bincount", lambda x: lax.bincount(x, length=5), _bincount_ref(5, False),
             (((9,),),), (np.int32, np.uint8), inputs=ids_in(-1, 7), diff_argnums=()),
    OpRecord("bincount_weights", lambda x, w: lax.bincount(x, w, length=4),
             _bincount_ref(4, True), (((8,), (8,)),), F,
             arg_dtypes=lambda dt: (np.int32, dt), inputs=(ids_in(-1, 6), "normal"),
             diff_argnums=(1,)),
    OpRecord("take_along_axis_helper", lambda x, i: take_along_axis(x, i, 1),
             lambda x, i: np.where((i >= 0) & (i < x.shape[1]), np.take_along_axis(
                 x, np.clip(i, 0, x.shape[1] - 1), 1), 0).astype(x.dtype),
             (((3, 4), (3, 6)), ((2, 5, 3), (2, 2, 3))), F, arg_dtypes=_DATA_IDS,
             inputs=("normal", ids_in(-1, 5))),
]
