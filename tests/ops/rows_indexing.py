"""Op records of the indexing family (fneedle/lax/indexing.py): gather in the forms NumPy
indexing uses (x[i], x[:, idx], x[idx1, idx2], take_along_axis, windows) and the scatters
behind x.at[idx].set/add/mul/min/max, in every out-of-bounds mode.

Index arguments are drawn by the callables below, each valid for every operand shape of
its record (the harness also draws them batched, at either end)."""

import ml_dtypes
import numpy as np

from fneedle import lax
from fneedle.lax import GatherDimensionNumbers as GDN
from fneedle.lax import ScatterDimensionNumbers as SDN

from .records import OpRecord

F = (np.float32, np.float64)
F_AND_INT = (np.float32, np.float64, np.int32)
INDEX = lambda dt: (dt, np.int32)
SCATTER = lambda dt: (dt, np.int32, dt)


def indices(lo, hi):
    """Integers in [lo, hi): duplicates likely; out of bounds where lo < 0 or hi > size."""
    def draw(rng, shape, dtype):
        return rng.integers(lo, hi, size=shape).astype(dtype)
    draw.__name__ = f"indices_{lo}_{hi}"
    return draw


def distinct(hi):
    """Distinct integers in [0, hi) across the whole array (so also within every batch
    member): for scatters whose result must not depend on which colliding update wins."""
    def draw(rng, shape, dtype):
        size = int(np.prod(shape, dtype=np.int64))
        return rng.permutation(hi)[:size].reshape(shape).astype(dtype)
    draw.__name__ = f"distinct_{hi}"
    return draw


def default_fill(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f" or dtype == ml_dtypes.bfloat16:
        return np.nan
    if dtype == np.bool_:
        return True
    return np.iinfo(dtype).max if dtype.kind == "u" else np.iinfo(dtype).min


# ---------------------------------------------------------------------------------------
# Gather forms. `i` carries the index vector in its last dimension.

def take_rows(mode=None, fill_value=None):
    """x[i[..., 0]] along axis 0: the window is a whole row."""
    def fn(x, i):
        nb = i.ndim - 1
        dn = GDN(offset_dims=tuple(range(nb, nb + x.ndim - 1)), collapsed_slice_dims=(0,),
                 start_index_map=(0,))
        return lax.gather(x, i, dn, (1,) + tuple(x.shape[1:]), mode=mode,
                          fill_value=fill_value)
    return fn


def take_rows_ref(mode=None, fill_value=None):
    def ref(x, i):
        i = i[..., 0].astype(np.int64)
        n = x.shape[0]
        if mode == "clip":
            return x[np.clip(i, 0, n - 1)]
        ok = (i >= 0) & (i < n)
        out = x[np.where(ok, i, 0)]
        fill = default_fill(x.dtype) if fill_value is None else fill_value
        return np.where(ok.reshape(ok.shape + (1,) * (x.ndim - 1)), out,
                        np.asarray(fill).astype(x.dtype))
    return ref


def take_columns(x, i):
    """x[:, i[..., 0]] of a matrix."""
    dn = GDN(offset_dims=(0,), collapsed_slice_dims=(1,), start_index_map=(1,))
    return lax.gather(x, i, dn, (x.shape[0], 1))


def take_points(x, i):
    """x[i[..., 0], i[..., 1]]: two index arrays, the rest of x as the window."""
    nb = i.ndim - 1
    dn = GDN(offset_dims=tuple(range(nb, nb + x.ndim - 2)), collapsed_slice_dims=(0, 1),
             start_index_map=(0, 1))
    return lax.gather(x, i, dn, (1, 1) + tuple(x.shape[2:]))


def take_along_last(x, i):
    """np.take_along_axis(x, i[..., 0], -1) for a matrix, with batching dims."""
    dn = GDN(offset_dims=(), collapsed_slice_dims=(1,), start_index_map=(1,),
             operand_batching_dims=(0,), start_indices_batching_dims=(0,))
    return lax.gather(x, i, dn, (1, 1))


def take_windows(mode):
    """Windows of 2 rows starting at each index (not collapsed)."""
    def fn(x, i):
        dn = GDN(offset_dims=(1, 2), collapsed_slice_dims=(), start_index_map=(0,))
        return lax.gather(x, i, dn, (2, x.shape[1]), mode=mode)
    return fn


def take_windows_ref(mode):
    def ref(x, i):
        out = []
        for s in i[:, 0].astype(np.int64):
            if mode == "clip" or 0 <= s <= x.shape[0] - 2:
                s = min(max(s, 0), x.shape[0] - 2)
                out.append(x[s:s + 2])
            else:
                out.append(np.full((2, x.shape[1]), np.nan, x.dtype))
        return np.stack(out) if out else np.zeros((0, 2, x.shape[1]), x.dtype)
    return ref


def take_scalar(x, i):
    """x[i[0]] of a vector: a rank-0 result."""
    dn = GDN(offset_dims=(), collapsed_slice_dims=(0,), start_index_map=(0,))
    return lax.gather(x, i, dn, (1,))


def gather_from_scalar(x, i):
    """A rank-0 operand and index vectors of length 0: a broadcast of x."""
    return lax.gather(x, i, GDN((), (), ()), ())


# ---------------------------------------------------------------------------------------
# Scatter forms (what x.at[...] lowers to).

_ELEMENTS = SDN(update_window_dims=(), inserted_window_dims=(0,),
                scatter_dims_to_operand_dims=(0,))  # x.at[i] of a vector, i of any rank


def at_vector(op, **kw):
    fn = getattr(lax, op)
    return lambda x, i, v: fn(x, i, v, _ELEMENTS, **kw)


def at_vector_ref(ufunc):
    def ref(x, i, v):
        out = x.copy()
        i = i[..., 0].astype(np.int64).ravel()
        v = v.ravel()
        ok = (i >= 0) & (i < x.shape[0])
        if ufunc is None:
            out[i[ok]] = v[ok]
        else:
            ufunc.at(out, i[ok], v[ok])
        return out
    return ref


def at_rows(op, mode=None):
    """x.at[i].op(v) for a matrix: whole rows."""
    fn = getattr(lax, op)
    dn = SDN(update_window_dims=(1,), inserted_window_dims=(0,),
             scatter_dims_to_operand_dims=(0,))
    return lambda x, i, v: fn(x, i, v, dn, mode=mode)


def at_rows_ref(ufunc, mode=None):
    def ref(x, i, v):
        out = x.copy()
        i = i[:, 0].astype(np.int64)
        if mode == "clip":
            i = np.clip(i, 0, x.shape[0] - 1)
        ok = (i >= 0) & (i < x.shape[0])
        ufunc.at(out, i[ok], v[ok])
        return out
    return ref


def at_points_add(x, i, v):
    """x.at[i[:, 0], i[:, 1]].add(v)."""
    dn = SDN(update_window_dims=(), inserted_window_dims=(0, 1),
             scatter_dims_to_operand_dims=(0, 1))
    return lax.scatter_add(x, i, v, dn)


def at_points_add_ref(x, i, v):
    out = x.copy()
    np.add.at(out, (i[:, 0], i[:, 1]), v)
    return out


def put_along_last(op):
    """np.put_along_axis-style x.at[row, i[row, k]].op(v[row, k]) with batching dims."""
    fn = getattr(lax, op)
    dn = SDN(update_window_dims=(), inserted_window_dims=(1,),
             scatter_dims_to_operand_dims=(1,), operand_batching_dims=(0,),
             scatter_indices_batching_dims=(0,))
    return lambda x, i, v: fn(x, i, v, dn)


def put_along_last_ref(ufunc):
    def ref(x, i, v):
        out = x.copy()
        rows = np.broadcast_to(np.arange(x.shape[0])[:, None], i.shape[:-1])
        ufunc.at(out, (rows, i[..., 0]), v)
        return out
    return ref


def window_update(mode):
    """Windows of 2 rows written at each start (updates (n, 2, cols))."""
    dn = SDN(update_window_dims=(1, 2), inserted_window_dims=(),
             scatter_dims_to_operand_dims=(0,))
    return lambda x, i, v: lax.scatter(x, i, v, dn, mode=mode, unique_indices=True)


def window_update_ref(mode):
    def ref(x, i, v):
        out = x.copy()
        for s, w in zip(i[:, 0].astype(np.int64), v):
            if mode == "clip":
                s = min(max(s, 0), x.shape[0] - 2)
            if 0 <= s <= x.shape[0] - 2:
                out[s:s + 2] = w
        return out
    return ref


def scalar_add(x, i, v):
    """A rank-0 operand: every update lands on its one element."""
    return lax.scatter_add(x, i, v, SDN((), (), ()))


ROWS = [
    # ----- gather
    OpRecord("gather_rows", take_rows(), take_rows_ref(),
             shapes=[((5, 3), (4, 1)), ((5,), (2, 3, 1)), ((4, 2, 3), (0, 1))],
             arg_dtypes=INDEX, inputs=("normal", indices(0, 4)), dtypes=F_AND_INT),
    OpRecord("gather_rows_clip", take_rows("clip"), take_rows_ref("clip"),
             shapes=[((5, 3), (6, 1)), ((4,), (3, 1))],
             arg_dtypes=INDEX, inputs=("normal", indices(-6, 10))),
    OpRecord("gather_rows_fill", take_rows("fill", -1.5), take_rows_ref("fill", -1.5),
             shapes=[((5, 3), (6, 1)), ((4,), (3, 1))],
             arg_dtypes=INDEX, inputs=("normal", indices(-6, 10))),
    OpRecord("gather_rows_default_fill", take_rows(), take_rows_ref(),
             shapes=[((5, 2), (6, 1))], arg_dtypes=INDEX,
             inputs=("normal", indices(-6, 10)),
             dtypes=(np.float32, np.int32, np.uint8, np.bool_, ml_dtypes.bfloat16),
             diff_argnums=()),
    OpRecord("gather_rows_promise_in_bounds", take_rows("promise_in_bounds"),
             take_rows_ref(), shapes=[((5, 3), (4, 1))], arg_dtypes=INDEX,
             inputs=("normal", indices(0, 5))),
    OpRecord("gather_columns", take_columns, lambda x, i: x[:, i[..., 0]],
             shapes=[((3, 5), (4, 1)), ((0, 5), (2, 1))],
             arg_dtypes=INDEX, inputs=("normal", indices(0, 5))),
    OpRecord("gather_points", take_points, lambda x, i: x[i[..., 0], i[..., 1]],
             shapes=[((4, 5, 2), (3, 2)), ((4, 4), (2, 2, 2))],
             arg_dtypes=INDEX, inputs=("normal", indices(0, 4)), dtypes=F_AND_INT),
    OpRecord("gather_take_along_axis", take_along_last,
             lambda x, i: np.take_along_axis(x, i[..., 0], 1),
             shapes=[((4, 5), (4, 3, 1)), ((2, 3), (2, 0, 1))],
             arg_dtypes=INDEX, inputs=("normal", indices(0, 3))),
    OpRecord("gather_windows_clip", take_windows("clip"), take_windows_ref("clip"),
             shapes=[((6, 4), (3, 1))], arg_dtypes=INDEX, inputs=("normal", indices(-3, 9))),
    OpRecord("gather_windows_fill", take_windows("fill"), take_windows_ref("fill"),
             shapes=[((6, 4), (3, 1))], arg_dtypes=INDEX, inputs=("normal", indices(0, 5))),
    OpRecord("gather_scalar_index", take_scalar, lambda x, i: x[i[0]],
             shapes=[((5,), (1,))], arg_dtypes=INDEX, inputs=("normal", indices(0, 5))),
    OpRecord("gather_from_rank0", gather_from_scalar,
             lambda x, i: np.broadcast_to(x, i.shape[:-1]),
             shapes=[((), (3, 0))], arg_dtypes=INDEX, inputs=("normal", indices(0, 1))),
    # ----- scatter: x.at[i].set / add / mul / min / max
    OpRecord("scatter_set", at_vector("scatter"), at_vector_ref(None),
             shapes=[((16,), (4, 1), (4,)), ((16,), (2, 2, 1), (2, 2))],
             arg_dtypes=SCATTER, inputs=("normal", distinct(16), "normal"),
             diff_argnums=(0, 2), dtypes=F_AND_INT),
    OpRecord("scatter_set_unique", at_vector("scatter", unique_indices=True),
             at_vector_ref(None), shapes=[((16,), (4, 1), (4,))],
             arg_dtypes=SCATTER, inputs=("normal", distinct(16), "normal"),
             diff_argnums=(0, 2)),
    # Colliding sets: one update wins (NumPy's and the impl's: the last); derivatives follow it.
    OpRecord("scatter_set_duplicates", at_vector("scatter"), at_vector_ref(None),
             shapes=[((5,), (8, 1), (8,))], arg_dtypes=SCATTER,
             inputs=("normal", indices(0, 3), "normal"), diff_argnums=(0, 2)),
    OpRecord("scatter_set_dropped", at_vector("scatter"), at_vector_ref(None),
             shapes=[((16,), (4, 1), (4,))], arg_dtypes=SCATTER,
             inputs=("normal", indices(-4, 20), "normal"), diff_argnums=(0, 2)),
    OpRecord("scatter_add_duplicates", at_vector("scatter_add"), at_vector_ref(np.add),
             shapes=[((5,), (8, 1), (8,)), ((3,), (2, 3, 1), (2, 3)), ((4,), (0, 1), (0,))],
             arg_dtypes=SCATTER, inputs=("normal", indices(-1, 5), "normal"),
             diff_argnums=(0, 2), dtypes=(np.float32, np.float64, np.int32, np.float16)),
    OpRecord("scatter_add_rows", at_rows("scatter_add"), at_rows_ref(np.add),
             shapes=[((5, 3), (6, 1), (6, 3))], arg_dtypes=SCATTER,
             inputs=("normal", indices(0, 5), "normal"), diff_argnums=(0, 2)),
    OpRecord("scatter_add_rows_clip", at_rows("scatter_add", "clip"),
             at_rows_ref(np.add, "clip"), shapes=[((5, 3), (6, 1), (6, 3))],
             arg_dtypes=SCATTER, inputs=("normal", indices(-4, 9), "normal"),
             diff_argnums=(0, 2)),
    OpRecord("scatter_add_points", at_points_add, at_points_add_ref,
             shapes=[((4, 5), (6, 2), (6,))], arg_dtypes=SCATTER,
             inputs=("normal", indices(0, 4), "normal"), diff_argnums=(0, 2)),
    OpRecord("scatter_add_put_along_axis", put_along_last("scatter_add"),
             put_along_last_ref(np.add), shapes=[((4, 5), (4, 3, 1), (4, 3))],
             arg_dtypes=SCATTER, inputs=("normal", indices(0, 5), "normal"),
             diff_argnums=(0, 2)),
    OpRecord("scatter_add_rank0", scalar_add, lambda x, i, v: x + v.sum(dtype=x.dtype),
             shapes=[((), (3, 0), (3,))], arg_dtypes=SCATTER,
             inputs=("normal", indices(0, 1), "normal"), diff_argnums=(0, 2)),
    OpRecord("scatter_mul_unique", at_vector("scatter_mul", unique_indices=True),
             at_vector_ref(np.multiply), shapes=[((16,), (4, 1), (4,))],
             arg_dtypes=SCATTER, inputs=("normal", distinct(16), "normal"),
             diff_argnums=(0, 2), dtypes=F_AND_INT),
    OpRecord("scatter_mul_duplicates", at_vector("scatter_mul"), at_vector_ref(np.multiply),
             shapes=[((5,), (8, 1), (8,))], arg_dtypes=SCATTER,
             inputs=("normal", indices(-1, 6), "normal"), diff_argnums=(0,)),
    OpRecord("scatter_min", at_vector("scatter_min"), at_vector_ref(np.minimum),
             shapes=[((5,), (8, 1), (8,)), ((6,), (2, 2, 1), (2, 2))],
             arg_dtypes=SCATTER, inputs=("normal", indices(-1, 6), "normal"),
             diff_argnums=(0, 2), dtypes=F_AND_INT),
    OpRecord("scatter_max", at_vector("scatter_max"), at_vector_ref(np.maximum),
             shapes=[((5,), (8, 1), (8,)), ((6,), (2, 2, 1), (2, 2))],
             arg_dtypes=SCATTER, inputs=("normal", indices(-1, 6), "normal"),
             diff_argnums=(0, 2), dtypes=F_AND_INT),
    OpRecord("scatter_max_put_along_axis", put_along_last("scatter_max"),
             put_along_last_ref(np.maximum), shapes=[((3, 4), (3, 2, 1), (3, 2))],
             arg_dtypes=SCATTER, inputs=("normal", indices(0, 4), "normal"),
             diff_argnums=(0, 2)),
    OpRecord("scatter_windows_clip", window_update("clip"), window_update_ref("clip"),
             shapes=[((6, 3), (1, 1), (1, 2, 3))], arg_dtypes=SCATTER,
             inputs=("normal", indices(-3, 9), "normal"), diff_argnums=(0, 2)),
    OpRecord("scatter_windows_dropped", window_update("fill"), window_update_ref("fill"),
             shapes=[((6, 3), (1, 1), (1, 2, 3))], arg_dtypes=SCATTER,
             inputs=("normal", indices(-3, 9), "normal"), diff_argnums=(0, 2)),
]
