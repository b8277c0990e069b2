"""fneedle.random under jit (equal to eager), vmap over keys (equal to a loop), make_jaxpr
and grad."""


import numpy as np
import pytest

import fneedle as fn
import fneedle.random as fr
from tests.random_checks import K, a, key_of

TRACED = [
    lambda k: fr.uniform(k, (5,), minval=-1.0, maxval=2.0),
    lambda k: fr.normal(k, (2, 3)),
    lambda k: fr.randint(k, (4,), 0, 9),
    lambda k: fr.bernoulli(k, 0.4, (6,)),
    lambda k: fr.gamma(k, 0.8, (3,)),
    lambda k: fr.beta(k, 2.0, 2.0, (3,)),
    lambda k: fr.permutation(k, 8),
    lambda k: fr.choice(k, 5, (3,), replace=False),
    lambda k: fr.categorical(k, np.zeros(4, np.float32), shape=(3,)),
    lambda k: fr.truncated_normal(k, -1.0, 1.0, (4,)),
]


def _same_draws(x, y):
    """Integer draws must match exactly; float draws may differ by the last ulp, since jit
    fuses the arithmetic after the (identical) random bits differently from eager."""
    if x.dtype.kind == "f":
        np.testing.assert_allclose(x, y, rtol=4 * np.finfo(x.dtype).eps, atol=0)
    else:
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("i", range(len(TRACED)))
def test_jit_equals_eager(i):
    f = TRACED[i]
    k = key_of(33)
    _same_draws(a(fn.jit(f)(k)), a(f(k)))


@pytest.mark.parametrize("i", range(len(TRACED)))
def test_vmap_over_keys_equals_loop(i):
    f = TRACED[i]
    keys = fr.split(key_of(34), 3)
    out = a(fn.vmap(f)(keys))
    for j in range(3):
        _same_draws(out[j], a(f(fr.wrap_key_data(a(keys)[j]))))


def test_make_jaxpr_of_uniform():
    text = str(fn.make_jaxpr(lambda k: fr.uniform(k, (3,)))(K))
    assert "threefry2x32" in text and "iota_2x32_shape" in text
    assert "bitcast_convert_type" in text


def test_grad_through_samplers():
    k = key_of(35)
    u = a(fr.uniform(k, (6,)))
    g_lo, g_hi = fn.grad(lambda lo, hi: fr.uniform(k, (6,), minval=lo, maxval=hi).sum(),
                         argnums=(0, 1))(1.0, 3.0)
    np.testing.assert_allclose(a(g_hi), u.sum(), rtol=1e-5)
    np.testing.assert_allclose(a(g_lo), (1 - u).sum(), rtol=1e-5)
    z = a(fr.normal(k, (6,)))
    g = fn.grad(lambda s: (s * fr.normal(k, (6,))).sum())(2.0)  # reparameterization
    np.testing.assert_allclose(a(g), z.sum(), rtol=1e-5)
