"""fneedle.numpy functions under grad (against finite differences), vmap (against a loop)
and jit (against eager)."""


import numpy as np
import pytest

import fneedle as fn
import fneedle.numpy as fnp
from tests.numpy_checks import A, close


def _fd_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


@pytest.mark.parametrize("name,f", [
    ("getitem", lambda x: (x[[0, 2], 1:3] ** 2).sum() + x[1, ::-2].sum()),
    ("at_add", lambda x: fnp.zeros_like(x).at[0, 1:].add(x[1, 1:] * x[2, :3]).sum()),
    ("std_mean", lambda x: fnp.std(x, axis=1).sum() + fnp.mean(x ** 2)),
    ("logsumexp", lambda x: fnp.logsumexp(x, axis=1).sum()),
    ("where", lambda x: fnp.where(x > 0, x ** 2, -x).sum()),
    ("sort_median", lambda x: fnp.sort(x, 1)[:, -1].sum() + fnp.median(x)),
    ("take_along", lambda x: fnp.take_along_axis(x, fnp.argsort(x, 1), 1)[:, 0].sum()),
    ("det_inv", lambda x: fnp.linalg.det(x[:, :3] @ x[:, :3].T + fnp.eye(3))
     + fnp.linalg.inv(x[:, :3] @ x[:, :3].T + fnp.eye(3)).sum()),
    ("einsum", lambda x: fnp.einsum("ij,kj->ik", x, x).sum()),
    ("norm", lambda x: fnp.linalg.norm(x, axis=1).sum()),
    ("interp", lambda x: fnp.interp(x, fnp.asarray([-1., 0, 1]), fnp.asarray([0., 2, 1])).sum()),
    ("pad_cumsum", lambda x: (fnp.pad(x, 2, mode="reflect") * fnp.cumsum(
        fnp.pad(x, 2), 1)).sum()),
    ("hypot_max", lambda x: fnp.hypot(x, 1.0).sum() + fnp.max(x, 1).sum()),
])
def test_grad_vs_finite_differences(name, f):
    x = A.astype(np.float64)
    got = fn.grad(f)(fnp.asarray(x))
    want = _fd_grad(lambda v: float(f(fnp.asarray(v))), x)
    close(got, want, 1e-5)


@pytest.mark.parametrize("name,f", [
    ("getitem_traced", lambda x, i: x[i] * x[-1]),
    ("at_set", lambda x, i: x.at[i].set(0.0)),
    ("advanced", lambda x, i: x[fnp.asarray([0, 2])] + i),
    ("searchsorted", lambda x, i: fnp.searchsorted(fnp.asarray([-1., 0, 1]), x,
                                                   method="sort") + i),
    ("sort_unique", lambda x, i: fnp.unique(fnp.round(x), size=4)),
    ("nonzero", lambda x, i: fnp.nonzero(x > 0, size=4)[0]),
    ("quantile", lambda x, i: fnp.quantile(x, 0.3) + x[i]),
    ("matmul", lambda x, i: x @ fnp.asarray(A).T),
    ("take", lambda x, i: fnp.take(x, fnp.asarray([i, 0]))),
])
def test_vmap_vs_loop(name, f):
    xs, idx = fnp.asarray(A), fnp.asarray([0, 3, 1])
    got = fn.vmap(f)(xs, idx)
    want = [np.asarray(f(xs[k], idx[k])) for k in range(3)]
    close(got, np.stack(want), 1e-6)


def test_jit_matches_eager():
    def f(x, i):
        y = fnp.sin(x[1:, None]) * 2 + x.sum() + fnp.arange(4)
        return y.at[0, 0, i].add(1.0), fnp.sort(x, axis=0), fnp.linalg.norm(x, axis=-1)
    X = fnp.asarray(A)
    close(fn.jit(f)(X, 2), f(X, 2), 1e-6)
