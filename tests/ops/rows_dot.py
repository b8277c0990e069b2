"""Op-table rows for fneedle/lax/dot.py: dot_general over assorted dimension numbers
(matmul, batched, several contracting dims, batch dims not in front, outer products), dot,
and preferred_element_type. References are np.einsum in a wide dtype."""

import ml_dtypes
import numpy as np

from fneedle import lax

from .records import OpRecord

BF16 = ml_dtypes.bfloat16
F = (np.float32, np.float64)
FLOATS = F + (np.float16, BF16)
INTS = (np.int8, np.int32, np.int64, np.uint8)
_16BIT = (np.dtype(np.float16), np.dtype(BF16))


def _wide(x):
    if x.dtype in _16BIT:
        return x.astype(np.float32)
    if x.dtype.kind in "iu":
        return x.astype(np.uint64 if x.dtype.kind == "u" else np.int64)
    return x


def _einsum_ref(spec, out_dtype=None):
    def ref(a, b):
        out = np.einsum(spec, _wide(a), _wide(b))
        return out.astype(out_dtype or a.dtype)
    return ref


def _dg(dn, **kw):
    return lambda a, b: lax.dot_general(a, b, dn, **kw)


_CASES = [
    # name, dimension numbers, einsum spec, shapes
    ("matmul", (((1,), (0,)), ((), ())), "ik,kj->ij", (((3, 4), (4, 5)), ((1, 3), (3, 1)))),
    ("matmul_lhs_transposed", (((0,), (0,)), ((), ())), "ki,kj->ij", (((4, 3), (4, 2)),)),
    ("matmul_rhs_transposed", (((1,), (1,)), ((), ())), "ik,jk->ij", (((3, 4), (5, 4)),)),
    ("batched_matmul", (((2,), (1,)), ((0,), (0,))), "bik,bkj->bij",
     (((2, 3, 4), (2, 4, 5)),)),
    ("two_contracting_batch_inside", (((2, 3), (1, 0)), ((0,), (2,))), "xyzw,wzxv->xyv",
     (((2, 3, 4, 5), (5, 4, 2, 6)),)),
    ("batch_only", (((), ()), ((0, 1), (1, 0))), "abi,baj->abij", (((2, 3, 4), (3, 2, 5)),)),
    ("outer", (((), ()), ((), ())), "i,j->ij", (((3,), (4,)),)),
    ("inner", (((0,), (0,)), ((), ())), "i,i->", (((5,), (5,)),)),
    ("contract_middle", (((1,), (1,)), ((), ())), "ikl,jkm->iljm", (((2, 3, 2), (4, 3, 2)),)),
]

ROWS = [
    OpRecord(f"dot_general_{name}", _dg(dn), _einsum_ref(spec), shapes, FLOATS + INTS,
             diff_argnums=(0, 1))
    for name, dn, spec, shapes in _CASES
] + [
    OpRecord("dot_general_negative_dims", _dg((((-1,), (-2,)), ((-3,), (0,)))),
             _einsum_ref("bik,bkj->bij"), (((2, 3, 4), (2, 4, 5)),), F, diff_argnums=(0, 1)),
    OpRecord("dot_matrix_matrix", lax.dot, _einsum_ref("ik,kj->ij"), (((3, 4), (4, 2)),),
             FLOATS + INTS, diff_argnums=(0, 1)),
    OpRecord("dot_matrix_vector", lax.dot, _einsum_ref("ik,k->i"), (((3, 4), (4,)),), F,
             diff_argnums=(0, 1)),
    OpRecord("dot_vector_matrix", lax.dot, _einsum_ref("k,kj->j"), (((4,), (4, 3)),), F,
             diff_argnums=(0, 1)),
    OpRecord("dot_vector_vector", lax.dot, _einsum_ref("k,k->"), (((6,), (6,)),), F,
             diff_argnums=(0, 1)),
    OpRecord("dot_bool", lax.dot, lambda a, b: (a.astype(np.int64) @ b.astype(np.int64)) > 0,
             (((3, 4), (4, 2)),), (np.bool_,), diff_argnums=()),
    OpRecord("dot_general_int8_to_int32",
             _dg((((1,), (0,)), ((), ())), preferred_element_type=np.int32),
             _einsum_ref("ik,kj->ij", np.int32), (((3, 16), (16, 2)),), (np.int8,),
             inputs=lambda rng, shape, dtype: rng.integers(-128, 128, shape).astype(dtype),
             diff_argnums=()),
    OpRecord("dot_general_uint8_to_uint32",
             _dg((((1,), (0,)), ((), ())), preferred_element_type=np.uint32),
             _einsum_ref("ik,kj->ij", np.uint32), (((3, 16), (16, 2)),), (np.uint8,),
             inputs=lambda rng, shape, dtype: rng.integers(0, 256, shape).astype(dtype),
             diff_argnums=()),
    OpRecord("dot_general_16bit_to_f32",
             _dg((((2,), (1,)), ((0,), (0,))), preferred_element_type=np.float32),
             _einsum_ref("bik,bkj->bij", np.float32), (((2, 3, 8), (2, 8, 4)),),
             (np.float16, BF16, np.float32)),
    OpRecord("dot_general_f32_to_f64",
             _dg((((1,), (0,)), ((), ())), preferred_element_type=np.float64),
             lambda a, b: a.astype(np.float64) @ b.astype(np.float64), (((3, 4), (4, 2)),),
             (np.float32,)),
    OpRecord("dot_general_int_to_f32",
             _dg((((1,), (0,)), ((), ())), preferred_element_type=np.float32),
             _einsum_ref("ik,kj->ij", np.float32), (((3, 4), (4, 2)),), (np.int32, np.int8),
             diff_argnums=()),
]
