"""Op records of the slicing family (fneedle/lax/slicing.py) and iota (creation.py):
slice, dynamic_slice, dynamic_update_slice, pad, rev, concatenate and the *_in_dim helpers."""

import ml_dtypes
import numpy as np

from fneedle import lax

from .records import OpRecord

F = (np.float32, np.float64)
F_AND_INT = (np.float32, np.float64, np.int32)


def starts(lo, hi):
    """Scalar start indices in [lo, hi): negative and too-large ones exercise wrapping and
    clamping."""
    def draw(rng, shape, dtype):
        return rng.integers(lo, hi, size=shape).astype(dtype)
    draw.__name__ = f"starts_{lo}_{hi}"
    return draw


def ref_clamped_start(i, n, size):
    """What dynamic_slice does with start i: wrap a negative start once, then clamp."""
    i = int(i)
    i = i + n if i < 0 else i
    return min(max(i, 0), n - size)


# ---------------------------------------------------------------------------------------
# slice

def _bounds(shape):
    return tuple(n // 4 for n in shape), tuple(n - n // 4 for n in shape)


def _slice_fn(strides):
    def fn(x):
        lo, hi = _bounds(x.shape)
        return lax.slice(x, lo, hi, None if strides is None else strides[:x.ndim])
    return fn


def _slice_ref(strides):
    def ref(x):
        lo, hi = _bounds(x.shape)
        st = (1,) * x.ndim if strides is None else strides[:x.ndim]
        return x[tuple(slice(a, b, s) for a, b, s in zip(lo, hi, st))]
    return ref


def _pad_ref(config):
    """Interior padding by placement, then np.pad for positive ends and cropping for
    negative ones."""
    def ref(x, value):
        if not x.ndim:
            return x
        cfg = config[:x.ndim]
        spread = [n + max(n - 1, 0) * i for n, (_, _, i) in zip(x.shape, cfg)]
        inner = np.full(spread, value, x.dtype)
        inner[tuple(slice(None, None, i + 1) for _, _, i in cfg)] = x
        padded = np.pad(inner, [(max(lo, 0), max(hi, 0)) for lo, hi, _ in cfg],
                        constant_values=value)
        return padded[tuple(slice(-min(lo, 0), padded.shape[d] + min(hi, 0))
                            for d, (lo, hi, _) in enumerate(cfg))]
    return ref


_PAD_CONFIG = ((1, 2, 0), (-1, 3, 1), (2, -2, 2))
_CROP_CONFIG = ((-2, -1, 1), (0, -3, 0), (-1, 0, 0))


def _ds_ref(sizes):
    def ref(x, *ix):
        lo = [ref_clamped_start(i, n, s) for i, n, s in zip(ix, x.shape, sizes)]
        return x[tuple(slice(a, a + s) for a, s in zip(lo, sizes))]
    return ref


def _dus_ref(x, u, *ix):
    lo = [ref_clamped_start(i, n, s) for i, n, s in zip(ix, x.shape, u.shape)]
    out = x.copy()
    out[tuple(slice(a, a + s) for a, s in zip(lo, u.shape))] = u
    return out


ROWS = [
    OpRecord("slice", _slice_fn(None), _slice_ref(None),
             shapes=[((7,),), ((4, 5),), ((3, 0, 5),), ((),)], dtypes=F_AND_INT),
    OpRecord("slice_strided", _slice_fn((2, 3, 2)), _slice_ref((2, 3, 2)),
             shapes=[((9,),), ((5, 7),), ((4, 6, 5),), ((6, 0),)],
             dtypes=(np.float32, np.float64, np.float16, np.bool_)),
    OpRecord("slice_in_dim_negative",
             lambda x: lax.slice_in_dim(x, -4, -1, 2, axis=-1),
             lambda x: x[..., -4:-1:2], shapes=[((6,),), ((3, 5),)]),
    OpRecord("index_in_dim",
             lambda x: lax.index_in_dim(x, -2, axis=0, keepdims=False),
             lambda x: x[-2], shapes=[((4,),), ((3, 5),)]),
    # dynamic_slice: starts drawn from -8..8 on dims of size <= 6, so they wrap and clamp.
    OpRecord("dynamic_slice",
             lambda x, i, j: lax.dynamic_slice(x, (i, j), (2, 3)), _ds_ref((2, 3)),
             shapes=[((5, 6), (), ()), ((2, 3), (), ())],
             arg_dtypes=lambda dt: (dt, np.int32, np.int32),
             inputs=("normal", starts(-8, 8), starts(-8, 8)), dtypes=F_AND_INT),
    OpRecord("dynamic_slice_mixed_index_dtypes",
             lambda x, i, j: lax.dynamic_slice(x, (i, 1, j), (1, 2, 0)),
             lambda x, i, j: _ds_ref((1, 2, 0))(x, i, 1, j),
             shapes=[((3, 4, 2), (), ())],
             arg_dtypes=lambda dt: (dt, np.int64, np.uint8),
             inputs=("normal", starts(-4, 4), starts(0, 4))),
    OpRecord("dynamic_slice_in_dim",
             lambda x, i: lax.dynamic_slice_in_dim(x, i, 3, axis=1),
             lambda x, i: _ds_ref((x.shape[0], 3))(x, 0, i),
             shapes=[((2, 5), ()), ((0, 4), ())],
             arg_dtypes=lambda dt: (dt, np.int32), inputs=("normal", starts(-7, 7))),
    OpRecord("dynamic_index_in_dim",
             lambda x, i: lax.dynamic_index_in_dim(x, i, axis=0, keepdims=False),
             lambda x, i: _ds_ref((1,) + x.shape[1:])(x, i, *([0] * (x.ndim - 1)))[0],
             shapes=[((5,), ()), ((4, 3), ())],
             arg_dtypes=lambda dt: (dt, np.int32), inputs=("normal", starts(-6, 6))),
    OpRecord("dynamic_update_slice",
             lambda x, u, i, j: lax.dynamic_update_slice(x, u, (i, j)), _dus_ref,
             shapes=[((5, 6), (2, 3), (), ()), ((3, 4), (3, 0), (), ()),
                     ((2, 2), (2, 2), (), ())],
             arg_dtypes=lambda dt: (dt, dt, np.int32, np.int32),
             inputs=("normal", "normal", starts(-8, 8), starts(-8, 8)),
             diff_argnums=(0, 1), dtypes=F_AND_INT),
    OpRecord("dynamic_update_slice_0d",
             lambda x, u: lax.dynamic_update_slice(x, u, ()), lambda x, u: u,
             shapes=[((), ())], diff_argnums=(0, 1)),
    OpRecord("dynamic_update_slice_in_dim",
             lambda x, u, i: lax.dynamic_update_slice_in_dim(x, u, i, axis=0),
             lambda x, u, i: _dus_ref(x, u, i, *([0] * (x.ndim - 1))),
             shapes=[((6, 2), (2, 2), ()), ((4,), (3,), ())],
             arg_dtypes=lambda dt: (dt, dt, np.int32),
             inputs=("normal", "normal", starts(-7, 7)), diff_argnums=(0, 1)),
    OpRecord("dynamic_update_index_in_dim",
             lambda x, u, i: lax.dynamic_update_index_in_dim(x, u, i, axis=1),
             lambda x, u, i: _dus_ref(x, u[:, None], 0, i),
             shapes=[((3, 5), (3,), ())],
             arg_dtypes=lambda dt: (dt, dt, np.int32),
             inputs=("normal", "normal", starts(-6, 6)), diff_argnums=(0, 1)),
    OpRecord("pad",
             lambda x, v: lax.pad(x, v, _PAD_CONFIG[:x.ndim]), _pad_ref(_PAD_CONFIG),
             shapes=[((4,), ()), ((3, 4), ()), ((2, 3, 4), ()), ((0, 3), ()), ((), ())],
             diff_argnums=(0, 1), dtypes=F_AND_INT),
    OpRecord("pad_negative",
             lambda x, v: lax.pad(x, v, _CROP_CONFIG[:x.ndim]), _pad_ref(_CROP_CONFIG),
             shapes=[((5,), ()), ((4, 5), ()), ((3, 4, 2), ())],
             diff_argnums=(0, 1), dtypes=(np.float32, np.float64, ml_dtypes.bfloat16)),
    OpRecord("pad_crop_everything",
             lambda x, v: lax.pad(x, v, [(-3, -2, 0)]), _pad_ref(((-3, -2, 0),)),
             shapes=[((5,), ())], diff_argnums=(0, 1)),
    OpRecord("rev",
             lambda x: lax.rev(x, {0, x.ndim - 1}), lambda x: np.flip(x, {0, x.ndim - 1}),
             shapes=[((5,),), ((3, 4),), ((2, 0, 3),)], dtypes=F_AND_INT),
    OpRecord("rev_middle",
             lambda x: lax.rev(x, (1,)), lambda x: x[:, ::-1],
             shapes=[((2, 3, 4),)]),
    OpRecord("concatenate",
             lambda a, b, c: lax.concatenate([a, b, c], 1),
             lambda a, b, c: np.concatenate([a, b, c], 1),
             shapes=[((2, 3), (2, 0), (2, 4)), ((1, 2, 3), (1, 1, 3), (1, 3, 3))],
             diff_argnums=(0, 1, 2), dtypes=F_AND_INT),
    OpRecord("concatenate_negative_dim",
             lambda a, b: lax.concatenate([a, b], -1),
             lambda a, b: np.concatenate([a, b], -1),
             shapes=[((3,), (4,))], diff_argnums=(0, 1)),
    # iota has no inputs; added to x so that it is exercised under every transformation.
    OpRecord("iota_plus_x",
             lambda x: lax.add(x, lax.broadcasted_iota(x.dtype, x.shape, x.ndim - 1)),
             lambda x: x + np.arange(x.shape[-1]).astype(x.dtype),
             shapes=[((5,),), ((2, 3),), ((2, 0),)], dtypes=F_AND_INT),
    OpRecord("iota",
             lambda x: lax.iota(x.dtype, 4), lambda x: np.arange(4).astype(x.dtype),
             shapes=[((),)], dtypes=(np.int32, np.float32, np.uint8, ml_dtypes.bfloat16),
             diff_argnums=()),
]
