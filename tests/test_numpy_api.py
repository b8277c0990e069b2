"""fneedle.numpy against NumPy: values, shapes and dtypes over shapes and dtypes, with
broadcasting, negative axes, keepdims, where=, basic/advanced indexing and `.at` updates;
fneedle's promotion table; Hypothesis properties of broadcasting and of random index
expressions; and a few functions under grad, vmap and jit."""

import math

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fneedle as fn
import fneedle.numpy as fnp
from fneedle.core.errors import ConcretizationTypeError, ShapeError

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((4,)).astype(np.float32)
C = RNG.standard_normal((2, 3, 4)).astype(np.float32)
SPD = (A[:, :3] @ A[:, :3].T + 3 * np.eye(3)).astype(np.float64)


def close(got, want, tol=1e-5, dtype=None):
    """got (fneedle) equals want (NumPy) in shape and values (and dtype if given)."""
    if isinstance(want, tuple) or (isinstance(want, list) and want
                                   and isinstance(want[0], np.ndarray)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want)
        for g, w in zip(got, want):
            close(g, w, tol)
        return
    g = np.asarray(got)
    assert g.shape == np.shape(want), f"shape {g.shape}, expected {np.shape(want)}"
    if dtype is not None:
        assert g.dtype == np.dtype(dtype), f"dtype {g.dtype}, expected {np.dtype(dtype)}"
    np.testing.assert_allclose(g.astype(np.float64) if g.dtype.kind == "f" else g,
                               want, rtol=tol, atol=tol)


def _copy_set(a, idx, v):
    a = a.copy()
    a[idx] = v
    return a


# ---------------------------------------------------------------------------------------
# Elementwise math, promotion and broadcasting.

UNARY = ["sin", "cos", "tan", "arctan", "sinh", "cosh", "tanh", "arcsinh", "exp", "exp2",
         "expm1", "cbrt", "negative", "positive", "abs", "fabs", "sign", "square",
         "floor", "ceil", "rint", "trunc", "isfinite", "isnan", "isinf", "signbit",
         "logical_not", "deg2rad", "rad2deg", "sinc", "reciprocal"]
POSITIVE = ["log", "log1p", "log2", "log10", "sqrt", "arcsin", "arccos", "arctanh", "arccosh"]


@pytest.mark.parametrize("name", UNARY + POSITIVE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary(name, dtype):
    x = RNG.uniform(-2, 2, (3, 5)).astype(dtype)
    if name in POSITIVE:
        x = RNG.uniform(0.1, 0.9, (3, 5)).astype(dtype) + (1.0 if name == "arccosh" else 0)
    got = getattr(fnp, name)(fnp.asarray(x))
    want = getattr(np, name)(x)
    close(got, want, 1e-5 if dtype == np.float32 else 1e-12)
    assert np.asarray(got).dtype == want.dtype


@pytest.mark.parametrize("name", ["sin", "exp", "sqrt", "reciprocal", "log1p"])
def test_unary_of_ints_is_float32(name):
    got = getattr(fnp, name)(fnp.asarray([1, 2, 3]))
    assert got.dtype == np.float32
    close(got, getattr(np, name)(np.asarray([1., 2., 3.])))


BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "arctan2", "hypot",
          "fmax", "fmin", "copysign", "logaddexp", "logaddexp2", "floor_divide",
          "remainder", "fmod", "equal", "not_equal", "less", "less_equal", "greater",
          "greater_equal", "logical_and", "logical_or", "logical_xor", "heaviside"]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3)),
                                    ((2, 1, 4), (3, 1))])
def test_binary_broadcasting(name, shapes):
    x = RNG.standard_normal(shapes[0]).astype(np.float32)
    y = RNG.standard_normal(shapes[1]).astype(np.float32)
    if name in ("floor_divide", "remainder", "fmod"):
        y = np.where(np.abs(y) < 0.3, 0.5, y).astype(np.float32)
    got = getattr(fnp, name)(fnp.asarray(x), fnp.asarray(y))
    want = getattr(np, name)(x, y)
    close(got, want, 2e-5)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8, np.uint32])
def test_integer_arithmetic(dtype):
    x = np.arange(-7, 8).astype(dtype)
    y = np.array([3, -2, 5, 1, -4] * 3).astype(dtype)
    if np.dtype(dtype).kind == "u":
        x, y = np.arange(0, 15).astype(dtype), np.array([3, 2, 5, 1, 4] * 3).astype(dtype)
    X, Y = fnp.asarray(x), fnp.asarray(y)
    for op in ("floor_divide", "remainder", "fmod", "add", "multiply", "maximum",
               "bitwise_and", "bitwise_or", "bitwise_xor"):
        close(getattr(fnp, op)(X, Y), getattr(np, op)(x, y))
        assert getattr(fnp, op)(X, Y).dtype == dtype
    close(X // 2, x // 2)
    close(X % 3, x % 3)
    close(fnp.left_shift(X, 2), np.left_shift(x, 2))
    close(fnp.right_shift(X, 1), np.right_shift(x, 1))
    close(~X, ~x)
    close(abs(X), np.abs(x))
    close(divmod(X, Y), divmod(x, y))


def test_operators_and_reflected():
    x, X = A, fnp.asarray(A)
    close(X + 1, x + 1)
    close(1 - X, 1 - x)
    close(2 * X, 2 * x)
    close(1 / (X + 10), 1 / (x + 10))
    close(X ** 2, x ** 2)
    close(2.0 ** X, 2.0 ** x)
    close(-X, -x)
    close(+X, x)
    close(abs(X), abs(x))
    close(X // 0.3, x // np.float32(0.3))
    close(X % 0.7, x % np.float32(0.7), 1e-5)
    close(X @ B, x @ B)
    close(B @ X.T, B @ x.T)
    close(np.ones(4, np.float32) + X, 1 + x)  # a NumPy array on the left defers to fneedle
    assert isinstance(np.ones(4, np.float32) + X, fn.Array)
    close(X > 0, x > 0)
    close((X > 0) & (X < 1), (x > 0) & (x < 1))
    close((X > 0) | (X < -1), (x > 0) | (x < -1))
    close((X > 0) ^ (X < 1), (x > 0) ^ (x < 1))
    i = fnp.arange(5)
    close(1 << i, 1 << np.arange(5))
    close(32 >> i, 32 >> np.arange(5))
    close(i % 2 == 0, np.arange(5) % 2 == 0)
    close(7 // (i + 1), 7 // (np.arange(5) + 1))
    close(7 % (i + 1), 7 % (np.arange(5) + 1))


def test_array_methods_on_arrays_and_tracers():
    x = C

    def methods(v):
        return [v.sum(axis=1), v.mean(-1, keepdims=True), v.max(), v.min(0), v.prod(2),
                v.std(), v.var(axis=(0, 2)), v.argmax(axis=1), v.argmin(), v.all(), v.any(0),
                v.cumsum(1), v.cumprod(), v.reshape(4, 6), v.reshape((-1,)), v.transpose(),
                v.transpose(1, 0, 2), v.T, v.ravel(), v.flatten(), v[:1].squeeze(0),
                v.astype("int32"), v.clip(-0.5, 0.5), v.round(1), v[0].dot(v[1].T),
                v.swapaxes(0, 2), v.take(fnp.asarray([1, 0]), axis=1), v.sort(axis=0),
                v.argsort(axis=-1), v.conj(), v.real, v.imag, v.ptp(1), v.diagonal(0, 1, 2),
                v.trace(), (v > 0).nonzero(size=30)[2], v.repeat(2, axis=0), v.mT]

    X = fnp.asarray(x)
    want = [x.sum(axis=1), x.mean(-1, keepdims=True), x.max(), x.min(0), x.prod(2), x.std(),
            x.var(axis=(0, 2)), x.argmax(axis=1), x.argmin(), x.all(), x.any(0), x.cumsum(1),
            x.cumprod(), x.reshape(4, 6), x.reshape(-1), x.transpose(), x.transpose(1, 0, 2),
            x.T, x.ravel(), x.flatten(), x[:1].squeeze(0), x.astype("int32"),
            x.clip(-0.5, 0.5), x.round(1), x[0].dot(x[1].T), x.swapaxes(0, 2),
            x.take([1, 0], axis=1), np.sort(x, axis=0), x.argsort(axis=-1), x.conj(), x.real,
            x.imag, np.ptp(x, 1), x.diagonal(0, 1, 2), x.trace(),
            np.pad(np.nonzero(x > 0)[2], (0, 30 - (x > 0).sum())), x.repeat(2, axis=0),
            np.swapaxes(x, -1, -2)]
    close(methods(X), tuple(want), 1e-5)
    close(fn.jit(methods)(X), tuple(want), 1e-5)
    assert len(X) == 2 and [v.shape for v in X] == [(3, 4), (3, 4)]
    assert float(X[0, 0, 0]) == float(x[0, 0, 0]) and X[0, 0, :1].item() == x[0, 0, 0]


@pytest.mark.parametrize("a_dtype,b,want", [
    (np.float16, 2.0, np.float16),       # weak Python floats never upcast
    (ml_dtypes.bfloat16, 2.0, ml_dtypes.bfloat16),
    (np.int32, 2.5, np.float32),         # int array and Python float -> default float
    (np.int8, 3, np.int8),               # weak Python ints take the array's dtype
    (np.uint8, np.int8, np.int16),
    (np.uint16, np.int16, np.int32),
    (np.uint32, np.int32, np.int64),
    (ml_dtypes.bfloat16, np.float16, np.float32),
    (np.float32, np.float64, np.float64),
    (np.int64, np.float16, np.float16),
    (np.bool_, np.int8, np.int8),
    (np.bool_, 1.5, np.float32),
])
def test_promotion_table(a_dtype, b, want):
    x = fnp.ones(3, a_dtype)
    y = fnp.ones(3, b) if isinstance(b, type) else b
    assert (x + y).dtype == np.dtype(want)
    assert (y + x).dtype == np.dtype(want)
    other = b if not isinstance(b, type) else np.dtype(b)
    assert fnp.result_type(x, other) == np.dtype(want)


def test_weak_types_and_defaults():
    assert fnp.asarray([1.0, 2.0]).dtype == np.float32
    assert fnp.asarray([1, 2]).dtype == np.int32
    assert fnp.asarray(np.ones(2)).dtype == np.float64
    assert fnp.asarray(2.0).weak_type and not fnp.asarray(np.float32(2)).weak_type
    assert (fnp.asarray(1) + 2.5).dtype == np.float32
    assert (fnp.ones(2, "float64") * 3).dtype == np.float64
    assert fnp.zeros(3).dtype == np.float32 and fnp.arange(3).dtype == np.int32
    assert fnp.arange(3.0).dtype == np.float32 and fnp.linspace(0, 1, 3).dtype == np.float32
    assert fnp.promote_types(fnp.uint8, fnp.int8) == np.int16
    assert np.dtype(fnp.bfloat16) == ml_dtypes.bfloat16
    assert fnp.float32(3).dtype == np.float32 and fnp.issubdtype(fnp.bfloat16, fnp.floating)
    assert fnp.finfo(fnp.float16).eps == np.finfo(np.float16).eps
    assert fnp.iinfo("int8").max == 127
    assert fnp.isscalar(1.0) and fnp.isscalar(fnp.asarray(1.0)) and not fnp.isscalar(A)
    assert fnp.shape([[1, 2]]) == (1, 2) and fnp.ndim(A) == 2 and fnp.size(A) == 12
    assert fnp.ndarray is fn.Array and fnp.newaxis is None and fnp.pi == math.pi


def test_where_clip_and_friends():
    x, X = A, fnp.asarray(A)
    close(fnp.where(X > 0, X, 0.0), np.where(x > 0, x, 0))
    close(fnp.where(X > 0, 1, B), np.where(x > 0, 1, B))
    close(fnp.where(X > 0, 1.0, 0.0), np.where(x > 0, 1.0, 0.0))
    close(fnp.where(True, X, 0.0), x)
    close(fnp.clip(X, -0.5, 0.5), np.clip(x, -0.5, 0.5))
    close(X.clip(min=0), x.clip(min=0))
    close(fnp.round(fnp.asarray([1.25, 2.5, -0.5, 0.125]), 1), np.round([1.25, 2.5, -0.5, 0.125], 1))
    close(fnp.nan_to_num(fnp.asarray([np.nan, np.inf, -np.inf, 1.0])),
          np.nan_to_num(np.asarray([np.nan, np.inf, -np.inf, 1.0], np.float32)))
    close(fnp.isclose(X, X + 1e-7), np.isclose(x, x + 1e-7))
    assert bool(fnp.allclose(X, X + 1e-7)) and not bool(fnp.array_equal(X, X + 1))
    close(fnp.signbit(fnp.asarray([-0.0, 0.0, -1.0])), [True, False, True])
    close(fnp.modf(fnp.asarray([1.5, -2.25])), np.modf(np.asarray([1.5, -2.25])))


# ---------------------------------------------------------------------------------------
# Reductions.

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


# ---------------------------------------------------------------------------------------
# Creation and shape manipulation.

def test_creation():
    close(fnp.zeros((2, 3)), np.zeros((2, 3)))
    close(fnp.ones_like(A), np.ones_like(A))
    close(fnp.full((2, 2), 7), np.full((2, 2), 7))
    close(fnp.full((2, 3), fnp.asarray(B[:3])), np.full((2, 3), B[:3]))
    close(fnp.full_like(A, 2.5), np.full_like(A, 2.5))
    close(fnp.arange(2, 11, 3), np.arange(2, 11, 3))
    close(fnp.arange(0.0, 1.0, 0.25), np.arange(0.0, 1.0, 0.25))
    close(fnp.linspace(0, 1, 5), np.linspace(0, 1, 5))
    close(fnp.linspace(0, 1, 5, endpoint=False, retstep=True),
          np.linspace(0, 1, 5, endpoint=False, retstep=True))
    close(fnp.linspace(fnp.asarray([0.0, 1.0]), 2.0, 4, axis=-1),
          np.linspace([0.0, 1.0], 2.0, 4, axis=-1))
    close(fnp.linspace(0, 10, 4, dtype=int), np.linspace(0, 10, 4, dtype=int))
    close(fnp.logspace(0, 2, 3), np.logspace(0, 2, 3), 1e-4)
    close(fnp.geomspace(1, 1000, 4), np.geomspace(1, 1000, 4), 1e-4)
    close(fnp.eye(3, 4, k=1), np.eye(3, 4, k=1))
    close(fnp.identity(2), np.identity(2))
    close(fnp.tri(3, 4, -1), np.tri(3, 4, -1))
    close(fnp.tril(C, 1), np.tril(C, 1))
    close(fnp.triu(C, -1), np.triu(C, -1))
    close(fnp.meshgrid(fnp.arange(3), fnp.arange(2)), np.meshgrid(np.arange(3), np.arange(2)))
    close(fnp.meshgrid(fnp.arange(3), fnp.arange(2), indexing="ij", sparse=True),
          np.meshgrid(np.arange(3), np.arange(2), indexing="ij", sparse=True))
    for k in (-2, 0, 1):
        close(fnp.diag(fnp.asarray(B), k), np.diag(B, k))
        close(fnp.diag(fnp.asarray(A), k), np.diag(A, k))
    close(fnp.indices((2, 3)), np.indices((2, 3)))
    close(fnp.array([[1, 2], [3, 4]], ndmin=3), np.array([[1, 2], [3, 4]], ndmin=3))
    close(fnp.array([fnp.asarray(1.0), 2.0]), np.array([1.0, 2.0]))
    close(fnp.tril_indices(3), np.tril_indices(3))


def test_manipulation():
    x, X = C, fnp.asarray(C)
    close(X.reshape(4, -1), x.reshape(4, -1))
    close(fnp.reshape(X, (-1,)), x.reshape(-1))
    close(X.ravel(), x.ravel())
    close(X.transpose(2, 0, 1), x.transpose(2, 0, 1))
    close(X.T, x.T)
    close(fnp.moveaxis(X, [0, 1], [-1, 0]), np.moveaxis(x, [0, 1], [-1, 0]))
    close(fnp.swapaxes(X, 0, -1), np.swapaxes(x, 0, -1))
    close(fnp.squeeze(fnp.zeros((1, 3, 1)), axis=-1), np.zeros((1, 3)))
    close(fnp.expand_dims(X, (0, -1)), np.expand_dims(x, (0, -1)))
    close(fnp.broadcast_to(fnp.asarray(B), (3, 4)), np.broadcast_to(B, (3, 4)))
    close(fnp.broadcast_arrays(fnp.asarray(B), fnp.zeros((2, 1))),
          np.broadcast_arrays(B, np.zeros((2, 1))))
    assert fnp.broadcast_shapes((2, 1), (3,)) == (2, 3)
    close(fnp.concatenate([X, X], axis=-1), np.concatenate([x, x], -1))
    close(fnp.concatenate([X, X], axis=None), np.concatenate([x, x], None))
    close(fnp.stack([X, X], axis=-1), np.stack([x, x], -1))
    close(fnp.hstack([B, B]), np.hstack([B, B]))
    close(fnp.vstack([B, B]), np.vstack([B, B]))
    close(fnp.dstack([A, A]), np.dstack([A, A]))
    close(fnp.column_stack([B, B]), np.column_stack([B, B]))
    close(fnp.split(X, 2, axis=-1), np.split(x, 2, axis=-1))
    close(fnp.split(X, [1, 3], axis=2), np.split(x, [1, 3], axis=2))
    close(fnp.array_split(X, 3, axis=-1), np.array_split(x, 3, axis=-1))
    close(fnp.tile(X, (2, 1, 1, 2)), np.tile(x, (2, 1, 1, 2)))
    close(fnp.tile(fnp.asarray(B), 2), np.tile(B, 2))
    close(fnp.repeat(X, 2, axis=1), np.repeat(x, 2, axis=1))
    close(fnp.repeat(X, [1, 0, 2], axis=1), np.repeat(x, [1, 0, 2], axis=1))
    close(fnp.repeat(X, 2), np.repeat(x, 2))
    close(fnp.repeat(fnp.asarray(B), fnp.asarray([1, 0, 2, 1]), total_repeat_length=4),
          np.repeat(B, [1, 0, 2, 1]))
    close(fnp.flip(X, (0, 2)), np.flip(x, (0, 2)))
    close(fnp.fliplr(A), np.fliplr(A))
    for k in range(4):
        close(fnp.rot90(X, k, (1, 2)), np.rot90(x, k, (1, 2)))
    close(fnp.roll(X, 5), np.roll(x, 5))
    close(fnp.roll(X, (1, -2), axis=(0, 2)), np.roll(x, (1, -2), axis=(0, 2)))
    close(fn.jit(lambda v, s: fnp.roll(v, s, axis=2))(X, 3), np.roll(x, 3, axis=2))
    close(fnp.atleast_3d(fnp.asarray(B)), np.atleast_3d(B))
    close(fnp.append(X, X[:1], axis=0), np.append(x, x[:1], axis=0))


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
@pytest.mark.parametrize("width", [1, ((1, 2), (0, 3)), ((5, 6), (7, 9))])
def test_pad(mode, width):
    close(fnp.pad(fnp.asarray(A), width, mode=mode), np.pad(A, width, mode=mode))


def test_pad_constant_values():
    close(fnp.pad(fnp.asarray(A), 1, constant_values=7.0), np.pad(A, 1, constant_values=7.0))
    close(fnp.pad(fnp.asarray(A), 1, constant_values=((1, 2), (3, 4))),
          np.pad(A, 1, constant_values=((1, 2), (3, 4))))


# ---------------------------------------------------------------------------------------
# Indexing.

INDEXES = [
    1, -1, (1, 2), (-1, -2), slice(None), slice(1, 3), slice(None, None, -1),
    (slice(None, None, 2), slice(3, 0, -2)), (Ellipsis, 1), (None, 1, None),
    (Ellipsis, None), (1, Ellipsis, None, slice(1, 3)), ([0, 2],), ([0, -1], [1, 2]),
    (slice(None), [2, 0, 2]), ([[0], [2]], [1, 3]), (1, [0, 2]), ([0, 1], slice(1, 3)),
    (np.array([True, False, True]),), (A > 0,), (np.array([True, False, True]), 1),
    (Ellipsis, [3, 0]), (None, [0, 1], None, 2), (True,), (False, slice(1, 3)),
    (np.int32(1), np.int64(-1)),
]


@pytest.mark.parametrize("idx", INDEXES, ids=[repr(i)[:40] for i in INDEXES])
def test_getitem(idx):
    close(fnp.asarray(A)[idx], A[idx])


def test_getitem_3d_separated_advanced():
    x = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    X = fnp.asarray(x)
    for idx in [([0, 1], slice(None), [1, 2]), (0, slice(None), [1, 2]),
                (slice(None), [0, 1], slice(None), [[1], [2]]), ([1], None, 2),
                (Ellipsis, [0, 2], slice(1, 3), [1, 4])]:
        close(X[idx], x[idx])


def test_getitem_traced_indices():
    x, X = A, fnp.asarray(A)
    close(fn.jit(lambda v, i: v[i])(X, 2), x[2])
    close(fn.jit(lambda v, i: v[i, ::2])(X, fnp.asarray(-1)), x[-1, ::2])
    close(fn.jit(lambda v, i: v[:, i])(X, fnp.asarray([3, 0, -1])), x[:, [3, 0, -1]])
    close(fn.vmap(lambda v, i: v[i])(X, fnp.asarray([0, 3, 1])), x[[0, 1, 2], [0, 3, 1]])
    close(fnp.asarray(A)[fnp.asarray([5])], A[[2]])  # out-of-range array indices clamp
    close(fnp.asarray(A).at[fnp.asarray([5, 0])].get(mode="fill", fill_value=-1.0),
          np.stack([np.full(4, -1.0), A[0]]))


def test_getitem_errors():
    X = fnp.asarray(A)
    with pytest.raises(IndexError, match="out of bounds"):
        X[3]
    with pytest.raises(IndexError, match="Too many indices"):
        X[0, 0, 0]
    with pytest.raises(IndexError, match="nonzero"):
        fn.jit(lambda v: v[v > 0])(X)
    with pytest.raises(ConcretizationTypeError, match="size="):
        fn.jit(fnp.nonzero)(X)
    with pytest.raises(TypeError, match="at\\[idx\\]"):
        X[0] = 1.0


@pytest.mark.parametrize("idx", [1, (1, 2), slice(1, 3), (slice(None), [0, 2]),
                                 ([0, 0, 2], [1, 1, 3]), (Ellipsis, slice(None, None, -2)),
                                 (None, 0), (A > 0,), ([[0], [1]], slice(1, None))],
                         ids=repr)
def test_at_updates(idx):
    x, X = A.astype(np.float64), fnp.asarray(A.astype(np.float64))
    shape = x[idx].shape
    v = RNG.standard_normal(shape)
    close(X.at[idx].set(fnp.asarray(v)), _copy_set(x, idx, v))
    close(X.at[idx].get(), x[idx])
    add = x.copy()
    np.add.at(add, idx, v)
    close(X.at[idx].add(v), add)
    mul = x.copy()
    np.multiply.at(mul, idx, v)
    close(X.at[idx].multiply(v), mul)
    mn, mx = x.copy(), x.copy()
    np.minimum.at(mn, idx, v)
    np.maximum.at(mx, idx, v)
    close(X.at[idx].min(v), mn)
    close(X.at[idx].max(v), mx)
    close(X.at[idx].set(2.0), _copy_set(x, idx, 2.0))
    close(X.at[idx].apply(fnp.square), _copy_set(x, idx, np.square(x[idx])))


def test_at_duplicates_and_modes():
    close(fnp.zeros(5).at[fnp.asarray([0, 0, 2, 0])].add(1.0), [3, 0, 1, 0, 0])
    close(fnp.ones(3).at[fnp.asarray([1, 1])].multiply(3.0), [1, 9, 1])
    close(fnp.ones(3).at[fnp.asarray([1, 1])].divide(2.0), [1, 0.25, 1])
    close(fnp.zeros(3).at[fnp.asarray([0, 7])].set(1.0), [1, 0, 0])  # out of range: dropped
    close(fnp.zeros(3).at[fnp.asarray([0, 7])].set(1.0, mode="clip"), [1, 0, 1])
    close(fnp.zeros(3, int).at[1].add(2), [0, 2, 0])
    close(fnp.asarray(5.0).at[()].set(1.0), 1.0)


# ---------------------------------------------------------------------------------------
# take, nonzero, sorting, searching, histograms, einsum, products, linalg.

def test_take_nonzero_and_friends():
    x, X = A, fnp.asarray(A)
    close(fnp.take(X, fnp.asarray([[0, 2], [-1, 1]]), axis=1), np.take(x, [[0, 2], [-1, 1]], 1))
    close(fnp.take(X, [0, 5]), np.take(x, [0, 5]))
    close(fnp.take(X, fnp.asarray([0, 9]), axis=1, mode="clip"), np.take(x, [0, 9], 1,
                                                                       mode="clip"))
    close(fnp.take(X, fnp.asarray([0, 9]), axis=1, mode="wrap"), np.take(x, [0, 9], 1,
                                                                       mode="wrap"))
    close(fnp.take(X, fnp.asarray([9]), axis=0), np.full((1, 4), np.nan))
    idx = np.argsort(x, axis=0)
    close(fnp.take_along_axis(X, fnp.asarray(idx), 0), np.take_along_axis(x, idx, 0))
    close(fnp.take_along_axis(X, fnp.asarray(idx[:1]), 0), np.take_along_axis(x, idx[:1], 0))
    close(fnp.nonzero(X > 0), np.nonzero(x > 0))
    close(fnp.nonzero(fnp.asarray([0, 3, 0, 4]), size=3), (np.array([1, 3, 0]),))
    close(fnp.nonzero(fnp.asarray([0, 3, 0, 4]), size=1, fill_value=9), (np.array([1]),))
    close(fn.jit(lambda v: fnp.nonzero(v > 0, size=20, fill_value=-1))(X),
          tuple(np.pad(i, (0, 20 - i.size), constant_values=-1) for i in np.nonzero(x > 0)))
    close(fnp.argwhere(X > 0), np.argwhere(x > 0))
    close(fnp.flatnonzero(X > 0), np.flatnonzero(x > 0))
    close(fnp.where(X > 0), np.where(x > 0))
    close(fnp.unravel_index(fnp.asarray([0, 5, 11]), (3, 4)), np.unravel_index([0, 5, 11], (3, 4)))
    close(fnp.ravel_multi_index((fnp.asarray([0, 2]), fnp.asarray([1, 3])), (3, 4)),
          np.ravel_multi_index(([0, 2], [1, 3]), (3, 4)))
    close(fnp.select([X > 0.5, X < -0.5], [X, -X], 0.0), np.select([x > .5, x < -.5], [x, -x]))
    close(fnp.choose(fnp.asarray([0, 1, 0, 1]), [X, -X]), np.choose([0, 1, 0, 1], [x, -x]))
    close(fnp.compress(fnp.asarray([True, False, True]), X, axis=0),
          np.compress([True, False, True], x, axis=0))
    close(fnp.extract(X > 0, X), np.extract(x > 0, x))
    close(fnp.diagonal(C, 1, 0, 2), np.diagonal(C, 1, 0, 2))
    close(fnp.trace(C, -1, 2, 1), np.trace(C, -1, 2, 1))


def test_sorting_and_searching():
    x = np.array([[3.0, np.nan, 1.0, 3.0, -2.0], [0.5, 0.5, -1.0, 2.0, np.nan]])
    X = fnp.asarray(x)
    close(fnp.sort(X), np.sort(x))
    close(fnp.sort(X, axis=0), np.sort(x, axis=0))
    close(fnp.sort(X, axis=None), np.sort(x, axis=None))
    close(fnp.argsort(X), np.argsort(x, kind="stable"))
    close(fnp.argsort(X, descending=True, axis=None),
          np.argsort(-np.nan_to_num(x.ravel(), nan=np.inf), kind="stable"))
    close(fnp.lexsort((fnp.asarray([1, 2, 1]), fnp.asarray([0, 0, 1]))),
          np.lexsort(([1, 2, 1], [0, 0, 1])))
    a = np.array([1.0, 2.0, 2.0, 3.0, np.nan])
    v = np.array([[2.0, 0.0], [5.0, np.nan], [3.0, 1.5]])
    for side in ("left", "right"):
        for method in ("compare_all", "sort"):
            close(fnp.searchsorted(fnp.asarray(a), fnp.asarray(v), side=side, method=method),
                  np.searchsorted(a, v, side=side))
    close(fnp.searchsorted(fnp.asarray([3, 1, 2]), 2, sorter=fnp.asarray([1, 2, 0])),
          np.searchsorted([3, 1, 2], 2, sorter=[1, 2, 0]))
    u = np.array([3, 1, 3, 2, 1, 7])
    close(fnp.unique(fnp.asarray(u), return_index=True, return_inverse=True, return_counts=True),
          np.unique(u, return_index=True, return_inverse=True, return_counts=True))
    close(fnp.unique(fnp.asarray(u), size=6, fill_value=-1), [1, 2, 3, 7, -1, -1])
    close(fnp.unique(fnp.asarray([np.nan, 1.0, np.nan])), np.unique([np.nan, 1.0, np.nan]))
    close(fn.jit(lambda w: fnp.unique(w, size=3))(fnp.asarray(u)), [1, 2, 3])
    with pytest.raises(ConcretizationTypeError, match="size="):
        fn.jit(fnp.unique)(fnp.asarray(u))


def test_histogram_bincount_interp():
    x = RNG.standard_normal(50)
    for bins in (5, [-1.0, 0.0, 0.5, 2.0]):
        close(fnp.histogram(fnp.asarray(x), bins=bins), np.histogram(x, bins=bins), 1e-10)
    close(fnp.histogram(fnp.asarray(x), bins=4, range=(-1, 1), density=True),
          np.histogram(x, bins=4, range=(-1, 1), density=True), 1e-10)
    w = RNG.random(50)
    close(fnp.histogram(fnp.asarray(x), 3, weights=fnp.asarray(w)),
          np.histogram(x, 3, weights=w), 1e-10)
    close(fnp.bincount(fnp.asarray([0, 1, 1, 3])), np.bincount([0, 1, 1, 3]))
    close(fnp.bincount(fnp.asarray([0, 1, 1]), weights=fnp.asarray([0.5, 1.0, 2.0]),
                       minlength=4), np.bincount([0, 1, 1], [0.5, 1.0, 2.0], minlength=4))
    close(fn.jit(lambda i: fnp.bincount(i, length=3))(fnp.asarray([0, 2, 2, 5])), [1, 0, 2])
    xp, fp = np.array([0.0, 1.0, 2.0, 4.0]), np.array([1.0, 3.0, 2.0, 0.0])
    q = np.linspace(-1, 5, 13)
    close(fnp.interp(fnp.asarray(q), fnp.asarray(xp), fnp.asarray(fp)), np.interp(q, xp, fp))
    close(fnp.interp(fnp.asarray(q), fnp.asarray(xp), fnp.asarray(fp), left=-1, right=9),
          np.interp(q, xp, fp, left=-1, right=9))
    close(fnp.interp(fnp.asarray(q), fnp.asarray(xp), fnp.asarray(fp), period=3.0),
          np.interp(q, xp, fp, period=3.0), 1e-12)
    for right in (False, True):
        close(fnp.digitize(fnp.asarray(q), fnp.asarray(xp), right),
              np.digitize(q, xp, right))
        close(fnp.digitize(fnp.asarray(q), fnp.asarray(xp[::-1]), right),
              np.digitize(q, xp[::-1], right))


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


# ---------------------------------------------------------------------------------------
# Transformations.

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


# ---------------------------------------------------------------------------------------
# The op table (tests/ops/rows_numpy.py) has a row for every public function.

_NOT_ARRAY_FUNCTIONS = {"can_cast", "finfo", "iinfo", "isdtype", "isscalar", "issubdtype",
                        "ndim", "promote_types", "result_type", "shape", "size", "dtype",
                        "iscomplexobj", "from_dlpack"}  # from_dlpack: interop, tested below


def test_dlpack_round_trip_copies():
    src = np.arange(4.0, dtype=np.float32)
    a = fnp.from_dlpack(src)
    src[0] = 9.0  # the producer's later writes do not reach the immutable Array
    np.testing.assert_array_equal(np.asarray(a), [0.0, 1.0, 2.0, 3.0])
    assert a.dtype == np.float32
    np.testing.assert_array_equal(np.from_dlpack(a), [0.0, 1.0, 2.0, 3.0])


def test_every_function_has_an_op_table_row():
    from tests.ops import rows_numpy
    names = {r.name for r in rows_numpy.ROWS}

    def covered(prefix):
        return any(n == prefix or n.startswith(prefix + "_") for n in names)

    public = [n for n in dir(fnp) if not n.startswith("_") and callable(getattr(fnp, n))
              and not isinstance(getattr(fnp, n), type) and n not in _NOT_ARRAY_FUNCTIONS]
    missing = [n for n in public if not covered(f"fnp_{n}")]
    missing += [f"linalg.{n}" for n in fnp.linalg.__all__
                if not covered(f"fnp_linalg_{n}") and not covered(f"fnp_{n}")]
    assert not missing, f"No op-table row in tests/ops/rows_numpy.py for: {missing}"


# ---------------------------------------------------------------------------------------
# Hypothesis properties.

_dims = st.integers(1, 4)
_shapes = st.lists(_dims, min_size=0, max_size=4).map(tuple)


@st.composite
def _broadcastable_pair(draw):
    shape = draw(_shapes)
    other = tuple(1 if draw(st.booleans()) else d for d in shape)
    cut = draw(st.integers(0, len(other)))
    return (shape, other[cut:]) if draw(st.booleans()) else (other[cut:], shape)


@settings(max_examples=60, deadline=None)
@given(_broadcastable_pair(), st.sampled_from(["add", "multiply", "maximum", "where",
                                               "arctan2", "less"]))
def test_broadcasting_property(shapes, op):
    x = RNG.standard_normal(shapes[0]).astype(np.float32)
    y = RNG.standard_normal(shapes[1]).astype(np.float32)
    if op == "where":
        got, want = fnp.where(fnp.asarray(x) > 0, x, fnp.asarray(y)), np.where(x > 0, x, y)
    else:
        got, want = getattr(fnp, op)(fnp.asarray(x), fnp.asarray(y)), getattr(np, op)(x, y)
    close(got, want, 1e-6)
    assert fnp.broadcast_shapes(*shapes) == np.broadcast_shapes(*shapes)


@st.composite
def _index_expr(draw):
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=4)))
    entries, dim = [], 0
    ellipsis_used = False
    while dim < len(shape) and draw(st.booleans()) or not entries:
        if dim >= len(shape):
            entries.append(None)
            break
        n = shape[dim]
        kind = draw(st.sampled_from(["int", "slice", "array", "none", "ellipsis", "bool"]))
        if kind == "int":
            entries.append(draw(st.integers(-n, n - 1)))
            dim += 1
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            step = draw(st.none() | st.sampled_from([1, 2, -1, -2, 3]))
            entries.append(slice(start, stop, step))
            dim += 1
        elif kind == "array":
            k = draw(st.integers(0, 3))
            entries.append(np.asarray(draw(st.lists(st.integers(-n, n - 1), min_size=k,
                                                   max_size=k)), np.int32))
            dim += 1
        elif kind == "none":
            entries.append(None)
        elif kind == "bool":
            entries.append(draw(st.booleans()))
        elif not ellipsis_used:
            entries.append(Ellipsis)
            ellipsis_used = True
            dim = len(shape) - draw(st.integers(0, len(shape) - dim))
    # Broadcast array indices need compatible lengths: make them all one length (or 1).
    lengths = {e.size for e in entries if isinstance(e, np.ndarray)}
    if len(lengths - {1}) > 1:
        keep = max(lengths)
        entries = [e if not isinstance(e, np.ndarray) or e.size in (1, keep)
                   else np.resize(e, keep) for e in entries]
    return shape, tuple(entries)


@settings(max_examples=150, deadline=None)
@given(_index_expr())
def test_indexing_property(case):
    shape, idx = case
    x = np.arange(math.prod(shape), dtype=np.float32).reshape(shape)
    try:
        want = x[idx]
    except IndexError:
        return
    close(fnp.asarray(x)[idx], want)
    # The same expression as a scatter: x.at[idx].set(-x[idx]) negates the selected cells.
    if want.size and not any(isinstance(e, np.ndarray) and e.size > 1 for e in idx):
        close(fnp.asarray(x).at[idx].set(-want), _copy_set(x, idx, -want))
