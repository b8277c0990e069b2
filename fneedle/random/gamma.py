"""Gamma random variables, and beta and Dirichlet ones built from them.

The sampler is Marsaglia and Tsang's ("A simple method for generating gamma variables",
2000), run as JAX runs it: each element has its own key, split(key, size)[i], and a rejection
loop. We run that key sequence for a fixed number of rounds, elementwise and without a loop:
with an acceptance rate of at least 95% per round, all rounds fail with probability below
2e-8, in which case the last candidate is kept.
"""

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.interpreter import get_aval
from fneedle.random.distributions import (
    _broadcast_to,
    _check_shape,
    _float_dtype,
    _normal_per_key,
    _param,
    _param_shape,
    _shape,
    _uniform_per_key,
)
from fneedle.random.keys import check_key, key_words, split_words
from fneedle.random.threefry import iota_2x32_shape, threefry2x32
from fneedle.transforms.custom_derivatives import custom_jvp

_GAMMA_ROUNDS = 6
_GAMMA_NORMAL_TRIES = 2  # normals drawn per round to find one with v = 1 + c x > 0


def _gamma_per_key(words, alpha, dtype, log_space):
    one = _param(1.0, dtype)
    boost_mask = lax.ge(alpha, one)
    alpha_orig = alpha
    alpha = lax.select_n(boost_mask, lax.add(alpha, one), alpha)
    d = lax.sub(alpha, _param(1.0 / 3.0, dtype))
    c = lax.div(_param(1.0 / 3.0, dtype), lax.sqrt(d))

    key, subkey = split_words(words, 2)
    done = None
    for _ in range(_GAMMA_ROUNDS):
        key, x_key, u_key = split_words(key, 3)
        x = v = found = None
        for _ in range(_GAMMA_NORMAL_TRIES):
            x_key, sub = split_words(x_key, 2)
            x_try = _normal_per_key(sub, dtype)
            v_try = lax.add(one, lax.mul(x_try, c))
            if found is None:
                x, v, found = x_try, v_try, lax.gt(v_try, _param(0.0, dtype))
            else:
                x, v = lax.select_n(found, x_try, x), lax.select_n(found, v_try, v)
                found = lax.gt(v, _param(0.0, dtype))
        v = lax.select_n(found, one, v)  # a round without v > 0 is rejected; keep log(V) finite
        X = lax.mul(x, x)
        V = lax.mul(lax.mul(v, v), v)
        U = _uniform_per_key(u_key, dtype)
        squeeze = lax.ge(U, lax.sub(one, lax.mul(_param(0.0331, dtype), lax.mul(X, X))))
        log_test = lax.ge(lax.log(U), lax.add(lax.mul(X, _param(0.5, dtype)),
                                              lax.mul(d, lax.add(lax.sub(one, V), lax.log(V)))))
        accepted = lax.bitwise_and(found, lax.bitwise_not(lax.bitwise_and(squeeze, log_test)))
        if done is None:
            result, done = V, accepted
        else:
            result = lax.select_n(done, V, result)
            done = lax.bitwise_or(done, accepted)

    if log_space:
        # log(1 - u) = -Exponential: the log of the boost u**(1/alpha) for alpha < 1.
        log_samples = lax.log1p(lax.neg(_uniform_per_key(subkey, dtype)))
        no_boost = lax.bitwise_or(boost_mask, lax.eq(log_samples, _param(0.0, dtype)))
        log_boost = lax.select_n(no_boost, lax.mul(log_samples, lax.div(one, alpha_orig)),
                                 _param(0.0, dtype))
        return lax.add(lax.add(lax.log(d), lax.log(result)), log_boost)
    samples = lax.sub(one, _uniform_per_key(subkey, dtype))
    boost = lax.select_n(boost_mask, lax.pow(samples, lax.div(one, alpha_orig)), one)
    return lax.mul(lax.mul(d, result), boost)


def _gamma(words, a, shape, dtype, log_space):
    a = _broadcast_to(_param(a, dtype), shape)
    if not get_aval(a).shape and shape:
        a = lax.broadcast_in_dim(a, shape, ())
    hi, lo = iota_2x32_shape(shape)
    k1, k2 = threefry2x32(*words, hi, lo)  # split(key, size)[i], one key per element

    def sample(k1, k2, a):
        return _gamma_per_key((k1, k2), a, dtype, log_space)
    sample = custom_jvp(sample)
    sample.defjvp(_gamma_jvp)
    return sample(k1, k2, a)


def _gamma_jvp(primals, tangents):
    # Differentiating the rejection loop would silently give a biased gradient.
    raise NotImplementedError(
        "fneedle.random cannot yet differentiate gamma, loggamma, beta or dirichlet samples "
        "with respect to their parameters (JAX's implicit reparameterization gradient). "
        "Pass the parameters through fneedle.stop_gradient if no gradient is needed there.")


def _gamma_args(name, key, a, shape, dtype):
    words = key_words(check_key(name, key))
    dtype = _float_dtype(name, dtype)
    shape = _param_shape(a) if shape is None else _shape(shape)
    _check_shape(name, shape, _param_shape(a))
    return words, shape, dtype


def gamma(key, a, shape=None, dtype=dtypes.float32):
    """Gamma(a, 1) random floats (divide by a rate or multiply by a scale for others).

    Example:
      fneedle.random.gamma(key, 2.5, (1000,))
    """
    words, shape, dtype = _gamma_args("gamma", key, a, shape, dtype)
    return _gamma(words, a, shape, dtype, log_space=False)


def loggamma(key, a, shape=None, dtype=dtypes.float32):
    """log of Gamma(a, 1) random floats, accurate for small a where gamma underflows."""
    words, shape, dtype = _gamma_args("loggamma", key, a, shape, dtype)
    return _gamma(words, a, shape, dtype, log_space=True)


def beta(key, a, b, shape=None, dtype=dtypes.float32):
    """Beta(a, b) random floats, as Ga / (Ga + Gb) computed from log-gamma samples."""
    words = key_words(check_key("beta", key))
    dtype = _float_dtype("beta", dtype)
    params = (_param_shape(a), _param_shape(b))
    shape = np.broadcast_shapes(*params) if shape is None else _shape(shape)
    _check_shape("beta", shape, *params)
    key_a, key_b = split_words(words, 2)
    log_a = _gamma(key_a, a, shape, dtype, log_space=True)
    log_b = _gamma(key_b, b, shape, dtype, log_space=True)
    log_max = lax.max(log_a, log_b)
    gamma_a = lax.exp(lax.sub(log_a, log_max))
    gamma_b = lax.exp(lax.sub(log_b, log_max))
    return lax.div(gamma_a, lax.add(gamma_a, gamma_b))


def dirichlet(key, alpha, shape=None, dtype=dtypes.float32):
    """Dirichlet(alpha) random vectors: normalized log-gamma samples over alpha's last axis.

    Returns an array of shape `shape + alpha.shape[-1:]` (shape defaults to alpha.shape[:-1]).
    """
    words = key_words(check_key("dirichlet", key))
    dtype = _float_dtype("dirichlet", dtype)
    a_shape = _param_shape(alpha)
    if not a_shape:
        raise ValueError("dirichlet needs alpha with at least one axis (the categories).")
    shape = a_shape[:-1] if shape is None else _shape(shape)
    _check_shape("dirichlet", shape, a_shape[:-1])
    out_shape = shape + a_shape[-1:]
    log_gamma = _gamma(words, _broadcast_to(_param(alpha, dtype), out_shape), out_shape,
                       dtype, log_space=True)
    # softmax over the last axis
    last = len(out_shape) - 1
    kept = tuple(range(last))
    top = lax.broadcast_in_dim(lax.reduce_max(log_gamma, (last,)), out_shape, kept)
    unnormalized = lax.exp(lax.sub(log_gamma, top))
    total = lax.broadcast_in_dim(lax.reduce_sum(unnormalized, (last,)), out_shape, kept)
    return lax.div(unnormalized, total)
