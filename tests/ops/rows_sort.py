"""Op-table rows for fneedle/lax/sort.py: sort along each axis (one operand, several operands
with one or two keys, NaNs), sort_key_val and top_k. References are NumPy's stable sorts."""

import ml_dtypes
import numpy as np

from fneedle import lax

from . import inputs
from .records import OpRecord

BF16 = ml_dtypes.bfloat16
F = (np.float32, np.float64)
FLOATS = F + (np.float16, BF16)
INTS = (np.int8, np.int32, np.int64, np.uint8, np.uint32)
_16BIT = (np.dtype(np.float16), np.dtype(BF16))


def _key(x):
    return x.astype(np.float32) if x.dtype in _16BIT else x


def _sort_ref(axis):
    return lambda x: np.sort(_key(x), axis=axis)


def _sort_many_ref(num_keys, axis=-1):
    def ref(*ops):
        keys = [_key(k) for k in ops[:num_keys]]
        perm = np.lexsort(keys[::-1], axis=axis)
        return tuple(np.take_along_axis(o, perm, axis=axis) for o in ops)
    return ref


def _top_k_ref(k, axis=-1):
    def ref(x):
        xm = np.moveaxis(_key(x), axis, -1)
        n = xm.shape[-1]
        order = np.argsort(xm[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
        idx = (n - 1 - order).astype(np.int32)
        vals = np.take_along_axis(xm, idx, axis=-1)
        return np.moveaxis(vals, -1, axis), np.moveaxis(idx, -1, axis)
    return ref


def few_values(rng, shape, dtype):
    """Values 0..2, so keys tie often and the stable order of equal keys matters."""
    return rng.integers(0, 3, size=shape).astype(dtype)


ROWS = [
    OpRecord("sort_last", lambda x: lax.sort(x), _sort_ref(-1),
             (((7,),), ((3, 5),), ((2, 3, 4),)), FLOATS + INTS + (np.bool_,)),
    OpRecord("sort_axis0", lambda x: lax.sort(x, 0), _sort_ref(0), (((4, 3),), ((5, 2, 3),)),
             FLOATS + INTS),
    OpRecord("sort_middle", lambda x: lax.sort(x, 1), _sort_ref(1), (((2, 5, 3),),), F),
    OpRecord("sort_nonfinite", lambda x: lax.sort(x), _sort_ref(-1), (((3, 8),),),
             FLOATS, inputs=inputs.with_nonfinite, diff_argnums=()),
    OpRecord("sort_two_operands", lambda k, v: lax.sort((k, v), num_keys=1),
             _sort_many_ref(1), (((3, 6), (3, 6)),), F + (np.int32,),
             arg_dtypes=lambda dt: (np.int32, dt), inputs=(few_values, "normal"),
             diff_argnums=(1,)),
    OpRecord("sort_two_keys", lambda k1, k2, v: lax.sort((k1, k2, v), num_keys=2),
             _sort_many_ref(2), (((8,), (8,), (8,)), ((2, 7), (2, 7), (2, 7))), F,
             arg_dtypes=lambda dt: (np.int32, dt, dt), inputs=(few_values, "normal", "normal"),
             diff_argnums=(1, 2)),
    OpRecord("sort_two_keys_axis0", lambda k1, k2: lax.sort((k1, k2), 0, num_keys=2),
             _sort_many_ref(2, 0), (((6, 2), (6, 2)),), (np.int32, np.float32),
             inputs=(few_values, few_values), diff_argnums=()),
    OpRecord("sort_key_val", lambda k, v: lax.sort_key_val(k, v), _sort_many_ref(1),
             (((6,), (6,)), ((2, 5), (2, 5))), F + (np.float16,)),
    OpRecord("sort_key_val_axis0", lambda k, v: lax.sort_key_val(k, v, 0),
             _sort_many_ref(1, 0), (((5, 3), (5, 3)),), F),
    OpRecord("top_k", lambda x: lax.top_k(x, 3), _top_k_ref(3), (((7,),), ((2, 5),)),
             FLOATS + INTS),
    OpRecord("top_k_all", lambda x: lax.top_k(x, 4), _top_k_ref(4), (((3, 4),),), F),
    OpRecord("top_k_ties", lambda x: lax.top_k(x, 4), _top_k_ref(4), (((3, 6),),),
             (np.float32, np.int32, np.uint8), inputs=few_values, diff_argnums=()),
    OpRecord("top_k_nonfinite", lambda x: lax.top_k(x, 3), _top_k_ref(3), (((3, 6),),), F,
             inputs=inputs.with_nonfinite, diff_argnums=()),
    OpRecord("top_k_axis0", lambda x: lax.top_k(x, 2, axis=0), _top_k_ref(2, 0),
             (((5, 3),), ((4, 2, 3),)), F),
]
