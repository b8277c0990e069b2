"""fneedle.numpy's einsum, products and linalg against NumPy."""


import numpy as np
import pytest

import fneedle.numpy as fnp
from fneedle.core.errors import ShapeError
from tests.numpy_checks import SPD, A, B, C, close

RNG = np.random.default_rng(5)


@pytest.mark.parametrize("spec,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,j", [(2, 3), (3,)]), ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]), ("ij->", [(2, 3)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("...ij,...jk", [(5, 2, 3), (1, 3, 4)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("i,i,i->", [(3,), (3,), (3,)]), ("ijk,jil->kl", [(2, 3, 4), (3, 2, 5)]),
    ("iij->j", [(2, 2, 3)]), ("i,j->ij", [(2,), (3,)]),
])
def test_einsum(spec, shapes):
    ops = [RNG.standard_normal(s) for s in shapes]
    close(fnp.einsum(spec, *[fnp.asarray(o) for o in ops]), np.einsum(spec, *ops), 1e-10)


def test_products():
    x, X = A, fnp.asarray(A)
    close(fnp.matmul(fnp.asarray(C), X.T), np.matmul(C, x.T), 1e-5)
    close(fnp.matmul(fnp.ones((5, 1, 2, 3)), fnp.ones((4, 3, 2))), np.ones((5, 4, 2, 2)) * 3)
    close(fnp.matmul(fnp.asarray(B), fnp.asarray(C).transpose(0, 2, 1)),
          B @ C.transpose(0, 2, 1), 1e-5)
    close(fnp.dot(X, fnp.asarray(B)), x @ B, 1e-5)
    close(fnp.dot(fnp.asarray(C), X.T), np.dot(C, x.T), 1e-5)
    close(fnp.dot(2.0, X), 2 * x)
    close(fnp.vdot(X, X), np.vdot(x, x), 1e-5)
    close(fnp.inner(fnp.asarray(C), X), np.inner(C, x), 1e-5)
    close(fnp.outer(X, fnp.asarray(B)), np.outer(x, B))
    close(fnp.tensordot(fnp.asarray(C), X, ((1, 2), (0, 1))), np.tensordot(C, x, ((1, 2), (0, 1))),
          1e-5)
    close(fnp.tensordot(X, fnp.asarray(C), 0), np.tensordot(x, C, 0))
    close(fnp.kron(X, X[:2, :3]), np.kron(x, x[:2, :3]))
    close(fnp.cross(X[:, :3], X[:, 1:]), np.cross(x[:, :3], x[:, 1:]), 1e-5)
    close(fnp.cross(X[:, :2], X[:, 1:]), np.cross(x[:, :2], x[:, 1:]), 1e-5)
    close(fnp.cross(X[:, :2], X[:, 2:]), np.cross(x[:, :2], x[:, 2:]), 1e-5)
    assert (fnp.ones((2, 3), np.int8) @ fnp.ones((3,), np.int8)).dtype == np.int8
    with pytest.raises(ShapeError, match="matmul"):
        X @ X


def test_linalg():
    m, M = SPD, fnp.asarray(SPD)
    batch = np.stack([SPD, 2 * SPD])
    la = fnp.linalg
    close(la.inv(M), np.linalg.inv(m), 1e-10)
    close(la.inv(fnp.asarray(batch)), np.linalg.inv(batch), 1e-10)
    close(la.solve(M, fnp.asarray(m[0])), np.linalg.solve(m, m[0]), 1e-10)
    close(la.solve(fnp.asarray(batch), fnp.asarray(batch[..., :2])),
          np.linalg.solve(batch, batch[..., :2]), 1e-10)
    close(la.det(fnp.asarray(batch)), np.linalg.det(batch), 1e-10)
    close(la.det(fnp.asarray(A[:, :3].astype(np.float64))), np.linalg.det(A[:, :3]), 1e-5)
    close(tuple(la.slogdet(M)), tuple(np.linalg.slogdet(m)), 1e-10)
    close(la.cholesky(M), np.linalg.cholesky(m), 1e-10)
    close(la.cholesky(M, upper=True), np.linalg.cholesky(m).T, 1e-10)
    close(la.eigh(M).eigenvalues, np.linalg.eigh(m).eigenvalues, 1e-10)
    close(la.eigvalsh(M), np.linalg.eigvalsh(m), 1e-10)
    q, r = la.qr(fnp.asarray(A.astype(np.float64)))
    close(q @ r, A, 1e-6)
    close(la.svd(M, compute_uv=False), np.linalg.svd(m, compute_uv=False), 1e-10)
    u, s, vh = la.svd(fnp.asarray(A.astype(np.float64)), full_matrices=False)
    close((u * s) @ vh, A, 1e-6)
    close(la.pinv(fnp.asarray(A.astype(np.float64))), np.linalg.pinv(A.astype(np.float64)), 1e-8)
    a64, b64 = A.T.astype(np.float64), B.astype(np.float64)
    got, want = la.lstsq(fnp.asarray(a64), fnp.asarray(b64)), np.linalg.lstsq(a64, b64)
    close(got[0], want[0], 1e-8)
    close(got[1], want[1], 1e-8)
    assert int(got[2]) == want[2]
    close(la.matrix_rank(fnp.asarray(A)), np.linalg.matrix_rank(A))
    close(la.matrix_power(M, 3), np.linalg.matrix_power(m, 3), 1e-8)
    close(la.matrix_power(M, -2), np.linalg.matrix_power(m, -2), 1e-8)
    close(la.multi_dot([M, M, M]), m @ m @ m, 1e-8)
    for o in (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
        close(la.norm(fnp.asarray(C), ord=o, axis=(2, 0)), np.linalg.norm(C, ord=o, axis=(2, 0)),
              1e-5)
    for o in (None, 0, 1, -1, 2, 3, 0.5, np.inf, -np.inf):
        close(la.norm(fnp.asarray(C), ord=o, axis=-1, keepdims=True),
              np.linalg.norm(C, ord=o, axis=-1, keepdims=True), 1e-5)
    close(la.norm(fnp.asarray(C)), np.linalg.norm(C), 1e-5)
