"""Bit-for-bit agreement of fneedle.random with jax.random (threefry2x32,
jax_threefry_partitionable=True, the default) where JAX is installed."""


import numpy as np
import pytest

import fneedle.random as fr
from tests.random_checks import a

# ---------------------------------------------------------------------------------------
# Agreement with jax.random (threefry2x32, jax_threefry_partitionable=True, the default).

@pytest.fixture(scope="module")
def jax():
    return pytest.importorskip("jax")

# (name, fneedle call, jax call, exact); fneedle and jax are called with their own key.
AGAINST_JAX = [
    ("split", lambda r, k: r.split(k, 5), True),
    ("split_shape", lambda r, k: r.split(k, (2, 3)), True),
    ("fold_in", lambda r, k: r.fold_in(k, 123456), True),
    ("bits", lambda r, k: r.bits(k, (7, 5)), True),
    ("bits_uint8", lambda r, k: r.bits(k, (33,), "uint8"), True),
    ("bits_uint16", lambda r, k: r.bits(k, (33,), "uint16"), True),
    ("uniform", lambda r, k: r.uniform(k, (1000,)), True),
    ("uniform_f16", lambda r, k: r.uniform(k, (1000,), "float16"), True),
    ("uniform_bf16", lambda r, k: r.uniform(k, (1000,), "bfloat16"), True),
    ("uniform_range", lambda r, k: r.uniform(k, (1000,), minval=-3.0, maxval=5.5), True),
    ("uniform_range_f16", lambda r, k: r.uniform(k, (100,), "float16", -3.0, 5.5), True),
    ("uniform_array_bounds", lambda r, k: r.uniform(
        k, (10, 7), minval=np.linspace(-2, 1, 10, dtype=np.float32)[:, None], maxval=2.0),
     True),
    ("randint", lambda r, k: r.randint(k, (1000,), -3, 17), True),
    ("randint_full", lambda r, k: r.randint(k, (1000,), -2 ** 31, 2 ** 31 - 1), True),
    ("randint_uint8", lambda r, k: r.randint(k, (1000,), 0, 256, "uint8"), True),
    ("randint_int16", lambda r, k: r.randint(k, (1000,), -1000, 1000, "int16"), True),
    ("randint_array", lambda r, k: r.randint(k, (3, 10), 0, np.arange(1, 11, dtype=np.int32)),
     True),
    ("bernoulli", lambda r, k: r.bernoulli(k, 0.3, (1000,)), True),
    ("bernoulli_high", lambda r, k: r.bernoulli(k, 0.3, (1000,), mode="high"), True),
    ("permutation", lambda r, k: r.permutation(k, 100), True),
    ("permutation_axis1", lambda r, k: r.permutation(
        k, np.arange(60, dtype=np.float32).reshape(6, 10), axis=1), True),
    ("permutation_independent", lambda r, k: r.permutation(
        k, np.arange(60, dtype=np.float32).reshape(6, 10), axis=1, independent=True), True),
    ("choice", lambda r, k: r.choice(k, 10, (20,)), True),
    ("choice_no_replace", lambda r, k: r.choice(k, 10, (5,), replace=False), True),
    ("choice_p", lambda r, k: r.choice(
        k, 4, (200,), p=np.array([0.1, 0.2, 0.3, 0.4], np.float32)), True),
    ("choice_p_no_replace", lambda r, k: r.choice(
        k, 4, (3,), replace=False, p=np.array([0.1, 0.2, 0.3, 0.4], np.float32)), True),
    ("categorical", lambda r, k: r.categorical(
        k, np.log(np.linspace(0.1, 1, 35, dtype=np.float32)).reshape(7, 5)), True),
    ("categorical_no_replace", lambda r, k: r.categorical(
        k, np.zeros((7, 5), np.float32), shape=(3, 7), replace=False), True),
    # Float functions of the bits agree to rounding: XLA's erf_inv is a polynomial
    # approximation (~5e-6 relative in the tails) and its log/log1p round differently.
    # (loggamma and dirichlet share gamma's and beta's code; JAX compiles each for ~10 s.)
    ("normal", lambda r, k: r.normal(k, (1000,)), 1e-5),
    ("truncated_normal", lambda r, k: r.truncated_normal(k, -1.5, 2.0, (1000,)), 1e-5),
    ("exponential", lambda r, k: r.exponential(k, (1000,)), 1e-6),
    ("laplace", lambda r, k: r.laplace(k, (1000,)), 1e-6),
    ("logistic", lambda r, k: r.logistic(k, (1000,)), 1e-6),
    ("cauchy", lambda r, k: r.cauchy(k, (1000,)), 1e-5),
    ("gumbel", lambda r, k: r.gumbel(k, (1000,)), 1e-6),
    ("gumbel_high", lambda r, k: r.gumbel(k, (1000,), mode="high"), 1e-6),
    ("gamma", lambda r, k: r.gamma(k, np.array([0.3, 1.0, 2.5, 7.0], np.float32), (250, 4)),
     5e-5),
    ("beta", lambda r, k: r.beta(k, 0.5, 2.0, (300,)), 5e-5),
    ("multivariate_normal", lambda r, k: r.multivariate_normal(
        k, np.array([1.0, -1.0], np.float32),
        np.array([[2.0, 0.5], [0.5, 1.0]], np.float32), (100,)), 1e-5),
]


@pytest.mark.parametrize("name,call,exact", AGAINST_JAX, ids=[r[0] for r in AGAINST_JAX])
@pytest.mark.parametrize("seed", [0, 42])
def test_matches_jax(jax, name, call, exact, seed):
    ours = a(call(fr, fr.key(seed)))
    theirs = np.asarray(call(jax.random, jax.random.PRNGKey(seed)))
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    if exact is True:
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(ours.astype(np.float64), theirs, rtol=exact, atol=exact)


def test_keys_match_jax(jax):
    for seed in (0, 1, 42, -1, 2 ** 31, 2 ** 40 + 3):
        np.testing.assert_array_equal(a(fr.key(seed)), np.asarray(jax.random.PRNGKey(seed)))
        np.testing.assert_array_equal(a(fr.key(seed)),
                                      np.asarray(jax.random.key_data(jax.random.key(seed))))


def test_64_bit_samplers_match_jax_x64(jax):
    with jax.enable_x64(True):
        jk = jax.random.PRNGKey(7)
        k = fr.key(7)
        np.testing.assert_array_equal(a(fr.bits(k, (9,), "uint64")),
                                      np.asarray(jax.random.bits(jk, (9,), "uint64")))
        np.testing.assert_array_equal(a(fr.uniform(k, (500,), "float64")),
                                      np.asarray(jax.random.uniform(jk, (500,), "float64")))
        np.testing.assert_array_equal(
            a(fr.randint(k, (500,), -7, 2 ** 40, "int64")),
            np.asarray(jax.random.randint(jk, (500,), -7, 2 ** 40, "int64")))
        np.testing.assert_allclose(a(fr.normal(k, (500,), "float64")),
                                   np.asarray(jax.random.normal(jk, (500,), "float64")),
                                   rtol=1e-13, atol=1e-13)
