"""fneedle.numpy's reductions against NumPy: axes, keepdims, where=, NaN-aware variants and
quantiles."""


import numpy as np
import pytest

import fneedle.numpy as fnp
from tests.numpy_checks import A, B, C, close

RNG = np.random.default_rng(2)


RED = ["sum", "prod", "mean", "var", "std", "max", "min", "all", "any", "ptp",
       "nansum", "nanmean", "nanmax", "nanmin", "nanvar", "nanstd", "nanprod", "median",
       "nanmedian", "count_nonzero"]


@pytest.mark.parametrize("name", RED)
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(name, axis, keepdims):
    x = C.astype(np.float64)
    if name.startswith("nan"):
        x = np.where(RNG.random(x.shape) < 0.2, np.nan, x)
    if name == "ptp" and isinstance(axis, tuple):
        axis = 1
    kwargs = {} if name == "count_nonzero" and not keepdims else {"keepdims": keepdims}
    got = getattr(fnp, name)(fnp.asarray(x), axis=axis, **kwargs)
    want = getattr(np, name)(x, axis=axis, **kwargs)
    close(got, want, 1e-10)


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "prod", "all", "any"])
def test_reductions_where(name):
    x = A.astype(np.float64)
    mask = x > -0.5
    got = getattr(fnp, name)(fnp.asarray(x), axis=1, where=fnp.asarray(mask))
    want = getattr(np, name)(x, axis=1, where=mask)
    close(got, want, 1e-10)


def test_reduction_details():
    x, X = C, fnp.asarray(C)
    close(fnp.max(X, axis=1, where=X > 0, initial=-1.0), np.max(x, 1, where=x > 0, initial=-1.0))
    close(fnp.sum(X, initial=2.0), np.sum(x, initial=2.0), 1e-5)
    assert fnp.sum(fnp.ones(3, bool)).dtype == np.int32
    assert fnp.sum(fnp.ones(3, np.int8)).dtype == np.int32
    assert fnp.mean(fnp.arange(4)).dtype == np.float32
    assert fnp.sum(fnp.ones(3, np.float16)).dtype == np.float16
    close(fnp.var(X, axis=(0, 1), ddof=1), np.var(x, (0, 1), ddof=1), 1e-5)
    for f in ("argmax", "argmin", "nanargmax", "nanargmin"):
        close(getattr(fnp, f)(X, axis=-2), getattr(np, f)(x, axis=-2))
        close(getattr(fnp, f)(X), getattr(np, f)(x))
        close(getattr(fnp, f)(X, axis=1, keepdims=True), getattr(np, f)(x, 1, keepdims=True))
    for f in ("cumsum", "cumprod", "nancumsum", "nancumprod"):
        close(getattr(fnp, f)(X, axis=-1), getattr(np, f)(x, axis=-1), 1e-5)
        close(getattr(fnp, f)(X), getattr(np, f)(x), 1e-4)
    close(fnp.cumsum(fnp.asarray([True, True, False])), [1, 2, 2])
    close(fnp.logsumexp(X, axis=(0, 2)), np.log(np.exp(x).sum((0, 2))), 1e-5)
    close(fnp.logsumexp(fnp.asarray([-np.inf, -np.inf])), -np.inf)
    close(fnp.logsumexp(X, axis=1, b=fnp.asarray(np.abs(x))),
          np.log((np.abs(x) * np.exp(x)).sum(1)), 1e-5)
    close(fnp.average(X, axis=-1, weights=fnp.asarray(B)), np.average(x, -1, weights=B), 1e-5)
    with pytest.raises(ValueError, match="initial"):
        fnp.max(X, where=X > 0)
    with pytest.raises(ValueError, match="empty"):
        fnp.max(fnp.zeros((0, 3)), axis=0)


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "nearest", "midpoint"])
def test_quantiles(method):
    x = C.astype(np.float64)
    q = np.asarray([0.0, 0.3, 0.5, 1.0])
    close(fnp.quantile(fnp.asarray(x), fnp.asarray(q), axis=1, method=method),
          np.quantile(x, q, axis=1, method=method), 1e-10)
    close(fnp.percentile(fnp.asarray(x), 40, axis=(0, 2), method=method, keepdims=True),
          np.percentile(x, 40, axis=(0, 2), method=method, keepdims=True), 1e-10)
    xn = np.where(RNG.random(x.shape) < 0.3, np.nan, x)
    close(fnp.nanquantile(fnp.asarray(xn), 0.4, axis=-1, method=method),
          np.nanquantile(xn, 0.4, axis=-1, method=method), 1e-10)
    close(fnp.median(fnp.asarray(xn), axis=0), np.median(xn, axis=0))
