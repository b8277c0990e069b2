"""Op-table rows for fneedle/lax/linalg.py: cholesky, triangular_solve, qr, eigh, svd and lu,
single and batched. References are NumPy/SciPy. Where a factorization is unique only up to
signs, both sides are put in one canonical form (fixed with lax ops, so derivatives of the
canonical form are checked too); where even that is not unique (the extra columns of full
QR and SVD factors of non-square matrices), invariants are compared instead."""

import numpy as np
import scipy.linalg

from fneedle import lax
from fneedle.core.array import Array

from .records import OpRecord

F = (np.float32, np.float64)


# ---------------------------------------------------------------------------------------
# Well-conditioned operands, made inside the function from normal inputs (the vmap check
# draws inputs at shapes with the batch axis anywhere, so generators cannot find the matrix).

def _spd(a):
    """a a^T / n + I: symmetric positive definite, well conditioned."""
    n = a.shape[-1]
    return lax.add(lax.mul(_gram(a, rows=True), 1.0 / n), _eye_mask(a.shape, a.dtype))


def _spd_ref(a):
    n = a.shape[-1]
    return a @ np.swapaxes(a, -1, -2) / n + np.eye(n, dtype=a.dtype)


def _diag_heavy(a):
    """0.3 a + 2.5 I: either triangle is well conditioned."""
    return lax.add(lax.mul(a, 0.3), lax.mul(_eye_mask(a.shape, a.dtype), 2.5))


def _diag_heavy_ref(a):
    return 0.3 * a + 2.5 * np.eye(a.shape[-1], dtype=a.dtype)


# ---------------------------------------------------------------------------------------
# Canonical forms, in fneedle (for the function under test) and NumPy (for the reference).

def _eye_mask(aval_shape, dtype):
    n = aval_shape[-1]
    return lax.broadcast_in_dim(Array(np.eye(n, dtype=dtype)), aval_shape,
                                (len(aval_shape) - 2, len(aval_shape) - 1))


def _col_signs(x):
    """sign of each column sum of x: (..., m, k) -> (..., k)."""
    return lax.sign(lax.reduce_sum(x, (x.ndim - 2,)))


def _scale_cols(x, d):
    nd = x.ndim
    return lax.mul(x, lax.broadcast_in_dim(d, x.shape, tuple(range(nd - 2)) + (nd - 1,)))


def _scale_rows(x, d):
    nd = x.ndim
    return lax.mul(x, lax.broadcast_in_dim(d, x.shape, tuple(range(nd - 1))))


def _np_col_signs(x):
    return np.sign(x.sum(axis=-2))


def _qr_canonical(x):
    """q and r with diag(r) >= 0 (the columns of q and rows of r flip together); m >= n."""
    q, r = lax.qr(x, full_matrices=False)
    d = lax.sign(lax.reduce_sum(lax.mul(_eye_mask(r.shape, r.dtype), r), (r.ndim - 1,)))
    return _scale_cols(q, d), _scale_rows(r, d)


def _qr_canonical_ref(x):
    q, r = np.linalg.qr(x, mode="reduced")
    d = np.sign(np.diagonal(r, axis1=-2, axis2=-1))
    return q * d[..., None, :], r * d[..., :, None]


def _eigh_canonical(x, **kw):
    v, w = lax.eigh(x, **kw)
    return _scale_cols(v, _col_signs(v)), w


def _eigh_canonical_ref(x, uplo=None):
    if uplo is None:
        w, v = np.linalg.eigh((x + np.swapaxes(x, -1, -2)) / 2)
    else:
        w, v = np.linalg.eigh(x, UPLO=uplo)
    return v * _np_col_signs(v)[..., None, :], w


def _svd_canonical(x):
    u, s, vh = lax.svd(x, full_matrices=False)
    d = _col_signs(u)
    return _scale_cols(u, d), s, _scale_rows(vh, d)


def _svd_canonical_ref(x):
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    d = _np_col_signs(u)
    return u * d[..., None, :], s, vh * d[..., :, None]


def _triu_of(a):
    """The strict upper triangle of a, with lax ops."""
    m = a.shape[-1]
    mask = lax.broadcast_in_dim(Array(np.triu(np.ones((m, m), a.dtype), 1)), a.shape,
                                (a.ndim - 2, a.ndim - 1))
    return lax.mul(a, mask)


def _gram(a, rows=False):
    """a^T a (a a^T if rows), batched."""
    nd = a.ndim
    batch = tuple(range(nd - 2))
    c = nd - 1 if rows else nd - 2
    return lax.dot_general(a, a, (((c,), (c,)), (batch, batch)))


def _qr_invariants(q, r):
    """q @ r (must be x) and q^T q (must be I) for full factors of a 2-d x."""
    return lax.dot_general(q, r, (((1,), (0,)), ((), ()))), _gram(q)


def _svd_invariants(u, s, vh):
    """s, u^T u and vh vh^T (both must be identities) for full factors."""
    return s, _gram(u), _gram(vh, rows=True)


def _eyes(x, m, n):
    batch = x.shape[:-2]
    return (np.broadcast_to(np.eye(m), batch + (m, m)), np.broadcast_to(np.eye(n), batch + (n, n)))


# ---------------------------------------------------------------------------------------
# References that loop over batches.

def _per_matrix(fn, *xs):
    batch = xs[0].shape[:-2]
    flats = [x.reshape((-1,) + x.shape[-2:]) for x in xs]
    outs = [fn(*ms) for ms in zip(*flats)]
    if not isinstance(outs[0], tuple):
        return np.stack(outs).reshape(batch + outs[0].shape)
    return tuple(np.stack(o).reshape(batch + o[0].shape) for o in zip(*outs))


def _tri_ref(left_side, lower, transpose_a, unit_diagonal):
    """The solve on _diag_heavy_ref(a), by NumPy's general solver on the masked triangle."""
    def solve(a, b):
        a = _diag_heavy_ref(a)
        t = np.tril(a) if lower else np.triu(a)
        if unit_diagonal:
            t = t - np.diag(np.diag(t)) + np.eye(t.shape[0])
        if transpose_a:
            t = t.T
        return np.linalg.solve(t, b) if left_side else np.linalg.solve(t.T, b.T).T
    return lambda a, b: _per_matrix(solve, a, b)


def _lu_ref(x):
    def one(m):
        lu_, piv = scipy.linalg.lu_factor(m)
        perm = np.arange(m.shape[0])
        for i, p in enumerate(piv):
            perm[i], perm[p] = perm[p], perm[i]
        return lu_, piv.astype(np.int32), perm.astype(np.int32)
    return _per_matrix(one, x)


def _cholesky_lower_ref(x):
    low = np.tril(x)
    return np.linalg.cholesky(low + np.swapaxes(np.tril(x, -1), -1, -2))


_TRI = [
    # tag, left_side, lower, transpose_a, unit_diagonal
    ("left_lower", True, True, False, False),
    ("left_upper_transposed", True, False, True, False),
    ("right_lower", False, True, False, False),
    ("right_upper", False, False, False, False),
    ("right_lower_transposed_unit", False, True, True, True),
    ("left_upper_unit", True, False, False, True),
]

ROWS = [
    OpRecord("cholesky", lambda a: lax.cholesky(_spd(a)),
             lambda a: np.linalg.cholesky(_spd_ref(a)), (((3, 3),), ((2, 4, 4),)), F,
             grad_atol=1e-4, grad_rtol=1e-4),
    OpRecord("cholesky_lower_triangle_only",
             lambda a: lax.cholesky(_spd(a), symmetrize_input=False),
             lambda a: _cholesky_lower_ref(_spd_ref(a)), (((4, 4),),), F, grad_atol=1e-4,
             grad_rtol=1e-4),
    OpRecord("cholesky_raw_lower_triangle",  # the strict upper triangle is never read
             lambda a: lax.cholesky(lax.add(_spd(a), _triu_of(a)), symmetrize_input=False),
             lambda a: _cholesky_lower_ref(_spd_ref(a) + np.triu(a, 1)), (((4, 4),),), F,
             grad_atol=1e-4, grad_rtol=1e-4),
] + [
    OpRecord(f"triangular_solve_{tag}",
             lambda a, b, ls=ls, lo=lo, tr=tr, ud=ud: lax.triangular_solve(
                 _diag_heavy(a), b, left_side=ls, lower=lo, transpose_a=tr, unit_diagonal=ud),
             _tri_ref(ls, lo, tr, ud),
             (((4, 4), (4, 3) if ls else (3, 4)), ((2, 3, 3), (2, 3, 2) if ls else (2, 2, 3))),
             F, diff_argnums=(0, 1), atol=1e-5, rtol=1e-5,
             grad_atol=1e-4, grad_rtol=1e-4)
    for tag, ls, lo, tr, ud in _TRI
] + [
    OpRecord("qr_reduced", _qr_canonical, _qr_canonical_ref,
             (((4, 3),), ((3, 3),), ((2, 5, 2),)), F, atol=2e-5, rtol=2e-5,
             grad_atol=1e-4, grad_rtol=1e-4),
    OpRecord("qr_full_square", lambda x: lax.qr(x, full_matrices=True)[1],
             lambda x: np.linalg.qr(x, mode="complete")[1], (((3, 3),),), F, atol=2e-5,
             rtol=2e-5, diff_argnums=()),
    OpRecord("qr_full_invariants",
             lambda x: _qr_invariants(*lax.qr(x)),
             lambda x: (x, np.eye(x.shape[0])), (((5, 3),), ((2, 4),)), F, atol=2e-5,
             rtol=2e-5, diff_argnums=()),
    OpRecord("eigh", _eigh_canonical, _eigh_canonical_ref, (((4, 4),), ((2, 3, 3),)), F,
             atol=5e-5, rtol=5e-5, grad_atol=1e-4, grad_rtol=1e-4),
    OpRecord("eigh_upper_unsymmetrized",
             lambda x: _eigh_canonical(x, lower=False, symmetrize_input=False),
             lambda x: _eigh_canonical_ref(x, "U"), (((4, 4),),), F, atol=5e-5, rtol=5e-5,
             grad_atol=1e-4, grad_rtol=1e-4),
    OpRecord("svd_values", lambda x: lax.svd(x, compute_uv=False),
             lambda x: np.linalg.svd(x, compute_uv=False),
             (((4, 3),), ((3, 5),), ((2, 3, 3),)), F, atol=2e-5, rtol=2e-5,
             grad_atol=1e-4, grad_rtol=1e-4),
    OpRecord("svd_reduced", _svd_canonical, _svd_canonical_ref,
             (((4, 3),), ((3, 5),), ((2, 3, 3),)), F, atol=5e-5, rtol=5e-5,
             grad_atol=1e-4, grad_rtol=1e-4),
    OpRecord("svd_full_invariants",
             lambda x: _svd_invariants(*lax.svd(x)),
             lambda x: (np.linalg.svd(x, compute_uv=False),) + _eyes(x, *x.shape[-2:]),
             (((4, 2),), ((2, 3, 5),)), F, atol=2e-5, rtol=2e-5, diff_argnums=()),
    OpRecord("lu", lambda x: lax.lu(x)[0], lambda x: _lu_ref(x)[0],
             (((4, 4),), ((5, 3),), ((3, 5),), ((2, 3, 3),)), F, atol=2e-5, rtol=2e-5,
             grad_atol=1e-4, grad_rtol=1e-4),
    OpRecord("lu_pivots", lambda x: lax.lu(x)[1:], lambda x: _lu_ref(x)[1:],
             (((4, 4),), ((5, 3),), ((3, 5),), ((2, 3, 3),)), F, diff_argnums=()),
]
