"""fneedle.numpy's elementwise math against NumPy: unary and binary functions over dtypes
and broadcast shapes, integer arithmetic, operators and array methods, the promotion table
and weak types, and a Hypothesis property of broadcasting."""

import math

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fneedle as fn
import fneedle.numpy as fnp
from tests.numpy_checks import A, B, C, close

RNG = np.random.default_rng(1)


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
