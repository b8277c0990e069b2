"""Every fneedle.random sampler's shapes, dtypes and determinism, with bounds and named
errors for bad parameters and dtypes."""

import math

import numpy as np
import pytest

import fneedle as fn
import fneedle.random as fr
from tests.random_checks import K, a, key_of

SAMPLERS = {
    "bits": lambda k, s: fr.bits(k, s),
    "uniform": lambda k, s: fr.uniform(k, s),
    "normal": lambda k, s: fr.normal(k, s),
    "truncated_normal": lambda k, s: fr.truncated_normal(k, -1.0, 1.0, s),
    "bernoulli": lambda k, s: fr.bernoulli(k, 0.5, s),
    "randint": lambda k, s: fr.randint(k, s, 0, 10),
    "gumbel": lambda k, s: fr.gumbel(k, s),
    "exponential": lambda k, s: fr.exponential(k, s),
    "laplace": lambda k, s: fr.laplace(k, s),
    "logistic": lambda k, s: fr.logistic(k, s),
    "cauchy": lambda k, s: fr.cauchy(k, s),
    "gamma": lambda k, s: fr.gamma(k, 1.5, s),
    "loggamma": lambda k, s: fr.loggamma(k, 0.5, s),
    "beta": lambda k, s: fr.beta(k, 2.0, 3.0, s),
    "choice": lambda k, s: fr.choice(k, 7, s),
}
DTYPES = {"bits": np.uint32, "bernoulli": np.bool_, "randint": np.int32, "choice": np.int32}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
@pytest.mark.parametrize("shape", [(), (3,), (2, 0, 4), (4, 5)])
def test_shape_dtype_and_determinism(name, shape):
    out = SAMPLERS[name](K, shape)
    assert out.shape == shape
    assert out.dtype == DTYPES.get(name, np.float32)
    np.testing.assert_array_equal(a(out), a(SAMPLERS[name](K, shape)))
    if math.prod(shape) >= 12 and name != "bernoulli":
        other = a(SAMPLERS[name](key_of(1), shape))
        assert not np.array_equal(a(out), other)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_float_dtypes(dtype):
    for fn_ in (fr.uniform, fr.normal, fr.exponential, fr.gumbel, fr.laplace, fr.logistic):
        x = fn_(K, (50,), dtype)
        assert x.dtype == np.dtype(fn.core.dtypes.canonicalize(dtype))
        assert np.isfinite(a(x).astype(np.float64)).all()
    u = a(fr.uniform(K, (5000,), dtype)).astype(np.float64)
    assert u.min() >= 0.0 and u.max() < 1.0


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32", "uint64"])
def test_bits_dtypes(dtype):
    b = fr.bits(K, (2000,), dtype)
    assert b.dtype == np.dtype(dtype)
    x = a(b)
    assert len(np.unique(x)) > (150 if dtype == "uint8" else 1900)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "int32", "uint32", "int64"])
def test_randint_dtypes_and_bounds(dtype):
    info = np.iinfo(dtype)
    lo, hi = max(info.min, -50), min(info.max, 200)
    x = a(fr.randint(K, (5000,), lo, hi, dtype))
    assert x.dtype == np.dtype(dtype)
    assert x.min() == lo and x.max() == hi - 1
    full = a(fr.randint(K, (5000,), info.min, info.max, dtype))
    assert full.min() >= info.min and full.max() < info.max


def test_randint_edge_cases():
    np.testing.assert_array_equal(a(fr.randint(K, (5,), 3, 3)), [3] * 5)  # empty: minval
    np.testing.assert_array_equal(a(fr.randint(K, (5,), 3, 1)), [3] * 5)
    x = a(fr.randint(K, (4000,), 0, 256, "uint8"))  # maxval just past the dtype's range
    assert x.min() == 0 and x.max() == 255
    x = a(fr.randint(K, (4000,), 0, 2 ** 32, "uint32"))  # the whole range
    assert x.max() > 2 ** 31
    maxval = np.arange(1, 9, dtype=np.int32)
    x = a(fr.randint(K, (500, 8), 0, maxval))
    assert ((x >= 0) & (x < maxval)).all()
    with pytest.raises(ValueError, match="broadcast"):
        fr.randint(K, (3,), 0, maxval)


def test_parameter_shapes_must_broadcast_to_shape():
    with pytest.raises(ValueError, match="broadcast"):
        fr.uniform(K, (3,), minval=np.zeros(4, np.float32))
    with pytest.raises(ValueError, match="broadcast"):
        fr.bernoulli(K, np.full(4, 0.5, np.float32), (3,))
    assert fr.bernoulli(K, np.full((4, 1), 0.5, np.float32), (4, 3)).shape == (4, 3)
    assert fr.gamma(K, np.ones(3, np.float32)).shape == (3,)
    assert fr.beta(K, np.ones((2, 1), np.float32), np.ones(3, np.float32)).shape == (2, 3)


def test_bad_dtypes_are_named():
    with pytest.raises(TypeError, match="floating-point"):
        fr.uniform(K, (), np.int32)
    with pytest.raises(TypeError, match="unsigned"):
        fr.bits(K, (), np.int32)
    with pytest.raises(TypeError, match="integer"):
        fr.randint(K, (), 0, 3, np.float32)
    with pytest.raises(TypeError, match="float"):
        fr.bernoulli(K, 1)
