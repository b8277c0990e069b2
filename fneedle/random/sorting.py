"""Samplers that sort or search: permutation, choice and categorical."""

import math

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.interpreter import get_aval
from fneedle.random.distributions import (
    _check_shape,
    _gumbel,
    _randint,
    _random_bits,
    _shape,
    _uniform,
)
from fneedle.random.keys import as_array, check_key, index0, key_words, split_words


def _shuffle(words, x, axis):
    """x shuffled along `axis` by sorting on fresh random 32-bit keys, in as many rounds as
    make a tie between keys (which would bias the shuffle) unlikely; JAX's rounds exactly."""
    aval = get_aval(x)
    rounds = math.ceil(3 * math.log(max(1, aval.size)) / math.log(np.iinfo(np.uint32).max))
    for _ in range(rounds):
        words, sub = split_words(words, 2)
        _, x = lax.sort_key_val(_random_bits(sub, 32, aval.shape), x, axis)
    return x


def _take(x, indices, axis):
    """x[..., indices, ...] with `indices` (any shape) replacing dimension `axis`."""
    nd = get_aval(x).ndim
    if axis:
        x = lax.transpose(x, (axis,) + tuple(d for d in range(nd) if d != axis))
    out = lax.take_rows(x, indices)
    if axis:
        k = get_aval(indices).ndim
        perm = tuple(range(k, k + axis)) + tuple(range(k)) + tuple(range(k + axis, k + nd - 1))
        out = lax.transpose(out, perm)
    return out


def permutation(key, x, axis=0, independent=False):
    """A random permutation of range(x) (x an int), or x shuffled along `axis`.

    independent=True shuffles every slice along `axis` independently.
    Example:
      fneedle.random.permutation(key, 10)
    """
    words = key_words(check_key("permutation", key))
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return _shuffle(words, lax.iota(dtypes.int32, int(x)), 0)
    x = as_array(x)
    aval = get_aval(x)
    if not aval.shape:
        raise TypeError("permutation needs an integer or an array with at least one axis, "
                        f"got {aval.str_short()}.")
    axis = axis % aval.ndim
    if independent or aval.ndim == 1:
        return _shuffle(words, x, axis)
    return _take(x, _shuffle(words, lax.iota(dtypes.int32, aval.shape[axis]), 0), axis)


def _searchsorted_left(sorted_1d, queries):
    """For each query, the number of entries of the ascending `sorted_1d` below it: a binary
    search run for a fixed number of halvings, elementwise over the queries."""
    n = get_aval(sorted_1d).shape[0]
    shape = get_aval(queries).shape
    lo = lax.full(shape, 0, dtypes.int32)
    hi = lax.full(shape, n, dtypes.int32)
    for _ in range(max(1, n).bit_length()):
        active = lax.lt(lo, hi)
        mid = lax.shift_right_logical(lax.add(lo, hi), 1)
        below = lax.lt(lax.take_rows(sorted_1d, lax.min(mid, n - 1)), queries)
        go_right = lax.bitwise_and(active, below)
        go_left = lax.bitwise_and(active, lax.bitwise_not(below))
        lo = lax.select_n(go_right, lo, lax.add(mid, 1))
        hi = lax.select_n(go_left, hi, mid)
    return lo


def choice(key, a, shape=(), replace=True, p=None, axis=0, mode=None):
    """A random sample of `a`'s entries along `axis` (of range(a) when a is an int).

    Args:
      replace: sample with replacement. p: probabilities of the entries (1-D), or uniform.
      mode: the gumbel mode ('low' or 'high') when sampling with p and without replacement.
    Example:
      fneedle.random.choice(key, 5, (3,), replace=False)
    """
    words = key_words(check_key("choice", key))
    shape = _shape(shape)
    scalar = isinstance(a, (int, np.integer)) and not isinstance(a, bool)
    arr = None if scalar else as_array(a)
    if arr is not None:
        a_shape = get_aval(arr).shape
        if not a_shape:
            raise TypeError("choice needs an int or an array with at least one axis for a.")
        axis = axis % len(a_shape)
        n_inputs = a_shape[axis]
    else:
        n_inputs = int(a)
    n_draws = math.prod(shape)
    if n_draws == 0:
        if scalar:
            return lax.full(shape, 0, dtypes.int32)
        return lax.full(a_shape[:axis] + shape + a_shape[axis + 1:], 0, get_aval(arr).dtype)
    if n_inputs <= 0:
        raise ValueError("choice needs a non-empty population unless no samples are taken.")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"choice cannot take {n_draws} samples without replacement from a "
                         f"population of {n_inputs}.")
    if p is None:
        if replace:
            ind = _randint(words, shape, Array(np.int32(0)), Array(np.int32(n_inputs)),
                           dtypes.int32)
        else:
            perm = _shuffle(words, lax.iota(dtypes.int32, n_inputs), 0)
            ind = lax.reshape(lax.slice_in_dim(perm, 0, n_draws), shape)
    else:
        p = as_array(p)
        if not dtypes.is_float(get_aval(p).dtype):
            p = lax.convert_element_type(p, dtypes.float32)
        p_dtype = get_aval(p).dtype
        if get_aval(p).shape != (n_inputs,):
            raise ValueError(f"choice's p must have shape ({n_inputs},) to match a, got "
                             f"{get_aval(p).shape}.")
        if replace:
            p_cuml = lax.cumsum(p, 0)
            total = index0(p_cuml, n_inputs - 1)
            r = lax.mul(total, lax.sub(1.0, _uniform(words, shape, p_dtype)))
            ind = _searchsorted_left(p_cuml, r)
        else:
            g = lax.add(_gumbel(words, (n_inputs,), p_dtype, mode or "low"), lax.log(p))
            ind = lax.reshape(lax.top_k(g, n_draws)[1], shape)
            ind = lax.convert_element_type(ind, dtypes.int32)
    return ind if scalar else _take(arr, ind, axis)


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None):
    """Random category indices drawn from softmax(logits) along `axis` (the Gumbel-max
    trick; Gumbel top-k without replacement).

    Args:
      shape: the result shape: batch_shape (logits without `axis`), or a prefix + it.
    Example:
      fneedle.random.categorical(key, logits)  # one index per row of logits
    """
    words = key_words(check_key("categorical", key))
    logits = as_array(logits)
    if not dtypes.is_float(get_aval(logits).dtype):
        logits = lax.convert_element_type(logits, dtypes.float32)
    aval = get_aval(logits)
    axis = axis % aval.ndim
    batch_shape = aval.shape[:axis] + aval.shape[axis + 1:]
    shape = batch_shape if shape is None else _shape(shape)
    _check_shape("categorical", shape, batch_shape)
    prefix = shape[:len(shape) - len(batch_shape)]
    mode = mode or "low"
    if replace:
        g_shape = prefix + shape[len(prefix):len(prefix) + axis] + aval.shape[axis:axis + 1] \
            + shape[len(prefix) + axis:]
        g = _gumbel(words, g_shape, aval.dtype, mode)
        expanded = lax.broadcast_in_dim(logits, g_shape,
                                        tuple(range(len(prefix), len(g_shape))))
        return lax.argmax(lax.add(g, expanded), len(prefix) + axis, dtypes.int32)
    k = math.prod(prefix)
    if k > aval.shape[axis]:
        raise ValueError(f"categorical cannot draw {k} samples without replacement from "
                         f"{aval.shape[axis]} categories.")
    perturbed = lax.add(logits, _gumbel(words, aval.shape, aval.dtype, mode))
    last = tuple(d for d in range(aval.ndim) if d != axis) + (axis,)
    _, indices = lax.top_k(lax.transpose(perturbed, last), k)  # batch_shape + (k,)
    nd = len(batch_shape) + 1
    indices = lax.transpose(indices, (nd - 1,) + tuple(range(nd - 1)))
    return lax.convert_element_type(lax.reshape(indices, shape), dtypes.int32)
