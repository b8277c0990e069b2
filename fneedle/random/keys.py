"""PRNG keys: making them from seeds, and deriving new ones with `split` and `fold_in`.

A key is a uint32 array of shape (2,), the two words of a Threefry-2x32 key (JAX's "raw"
keys). Derivation follows JAX with `jax_threefry_partitionable=True` (its default), so the
same seed gives the same keys, bit for bit: split(key, n)[i] encrypts the counter (0, i)
under `key`, and fold_in(key, d) encrypts (0, d), which makes fold_in(key, i) == split(key, n)[i].
"""

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.interpreter import Tracer, get_aval
from fneedle.random.threefry import iota_2x32_shape, threefry2x32

_U32 = dtypes.uint32


def key(seed):
    """A PRNG key made from an integer seed (the same uint32[2] array as `PRNGKey(seed)`).

    Args:
      seed: a Python or NumPy integer, or a rank-0 integer array (traced ones too).
    Returns:
      A uint32 array of shape (2,).
    Example:
      k = fneedle.random.key(0); x = fneedle.random.normal(k, (3,))
    """
    return PRNGKey(seed)


def PRNGKey(seed):
    """A PRNG key made from an integer seed: the uint32 array [0, seed mod 2**32].

    Like JAX's default (32-bit) mode, only the low 32 bits of the seed count, so keys equal
    jax.random.PRNGKey(seed) for every seed.
    """
    if isinstance(seed, (Array, Tracer, np.ndarray)):
        aval = get_aval(seed)
        if aval.shape:
            raise TypeError(f"PRNGKey takes a scalar seed, but got an array of shape "
                            f"{aval.shape}. Use fneedle.vmap to make a batch of keys.")
        if not (dtypes.is_integer(aval.dtype) or aval.dtype == dtypes.bool_):
            raise TypeError(f"PRNGKey takes an integer seed, got {aval.str_short()}.")
        low = lax.convert_element_type(seed, _U32)
        return stack_words(lax.full((), 0, _U32), low)
    if isinstance(seed, (bool, int, np.integer)):
        return Array(np.array([0, int(seed) & 0xFFFFFFFF], np.uint32))
    raise TypeError(f"PRNGKey takes an integer seed, got {seed!r} of type "
                    f"{type(seed).__name__}.")


def split(key, num=2):
    """New keys derived from `key`, along new leading axes.

    Args:
      key: a PRNG key (uint32[2]).
      num: the number of keys, or a tuple giving the shape of the key array.
    Returns:
      A uint32 array of shape (num, 2) (or num + (2,)).
    Example:
      key, sub = fneedle.random.split(key)
    """
    key = check_key("split", key)
    shape = tuple(num) if isinstance(num, (tuple, list)) else (int(num),)
    hi, lo = iota_2x32_shape(shape)
    k1, k2 = key_words(key)
    return stack_words(*threefry2x32(k1, k2, hi, lo))


def fold_in(key, data):
    """A new key derived from `key` and an integer `data` (e.g. a step or a device index).

    Args:
      key: a PRNG key (uint32[2]).
      data: a 32-bit integer (Python int or rank-0 integer array; only its low 32 bits count).
    Returns:
      A PRNG key (uint32[2]).
    Example:
      step_key = fneedle.random.fold_in(key, step)
    """
    key = check_key("fold_in", key)
    return stack_words(*fold_in_words(key_words(key), _data_word(data)))


def key_data(keys):
    """The uint32 data of a key array: keys are raw uint32 arrays already, so itself."""
    keys = as_array(keys)
    _check_key_shape("key_data", keys, batched=True)
    return keys


def wrap_key_data(key_bits_array, *, impl=None):
    """A key array from its uint32 data of shape (..., 2): the data itself, checked."""
    if impl not in (None, "threefry2x32"):
        raise ValueError(f"fneedle.random only implements the 'threefry2x32' PRNG, got "
                         f"impl={impl!r}.")
    keys = as_array(key_bits_array)
    _check_key_shape("wrap_key_data", keys, batched=True)
    return keys


# ---------------------------------------------------------------------------------------
# Helpers shared with the samplers. Inside them a key is a pair of words (k1, k2): uint32
# arrays of any one shape, which lets one call derive a whole array of keys elementwise.

def check_key(name, key):
    """`key` as a fneedle array, after checking it is a single uint32[2] key."""
    key = as_array(key)
    _check_key_shape(name, key, batched=False)
    return key


def key_words(key):
    """The two words of a uint32[2] key, as rank-0 uint32 arrays."""
    return index0(key, 0), index0(key, 1)


def stack_words(w1, w2):
    """Two word arrays of shape S stacked into keys of shape S + (2,)."""
    nd = get_aval(w1).ndim
    return lax.concatenate([lax.expand_dims(w1, (nd,)), lax.expand_dims(w2, (nd,))], nd)


def fold_in_words(words, data):
    """The keys (as words) got by folding the uint32 `data` into each key of `words`."""
    k1, k2 = words
    return tuple(threefry2x32(k1, k2, _zero_u32(), data))


def split_words(words, num):
    """`num` keys (as word pairs) derived from each key of `words`, like split(key, num)."""
    return [fold_in_words(words, _const_u32(i)) for i in range(num)]


def _zero_u32():
    return Array(np.zeros((), np.uint32))


def _const_u32(value):
    return Array(np.asarray(value, np.uint32))


def _data_word(data):
    if isinstance(data, (bool, int, np.integer)):
        return _const_u32(int(data) & 0xFFFFFFFF)
    data = as_array(data)
    aval = get_aval(data)
    if aval.shape:
        raise TypeError(f"fold_in takes scalar data, but got an array of shape {aval.shape}. "
                        f"Use fneedle.vmap to fold in a batch of values.")
    if not (dtypes.is_integer(aval.dtype) or aval.dtype == dtypes.bool_):
        raise TypeError(f"fold_in takes integer data, got {aval.str_short()}.")
    return lax.convert_element_type(data, _U32)


def as_array(x):
    """x as a fneedle array (arrays and tracers pass through)."""
    if isinstance(x, (Array, Tracer)):
        return x
    import fneedle.numpy as fnp
    return fnp.asarray(x)


def _check_key_shape(name, key, batched):
    aval = get_aval(key)
    if aval.dtype != _U32 or not aval.shape or aval.shape[-1] != 2:
        raise TypeError(f"{name} needs a PRNG key: a uint32 array of shape (2,) from "
                        f"fneedle.random.key(seed), but got {aval.str_short()}.")
    if not batched and aval.shape != (2,):
        raise TypeError(f"{name} takes a single key of shape (2,), but got a batch of keys "
                        f"{aval.str_short()}. Use fneedle.vmap over the keys.")


def index0(x, i):
    """x[i] along axis 0, without that axis."""
    return lax.index_in_dim(x, i, 0, keepdims=False)
