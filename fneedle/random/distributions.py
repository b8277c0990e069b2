"""Samplers (bits, uniform, normal, randint, ...) built from lax ops on Threefry random bits.

Each follows jax.random's algorithm step by step, so a key gives JAX's numbers: bit for bit
where only integer ops are involved, and to within the rounding of log/erf_inv otherwise.
"""

import math

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.interpreter import Tracer, get_aval
from fneedle.random.keys import as_array, check_key, index0, key_words, split_words
from fneedle.random.threefry import iota_2x32_shape, threefry2x32

_UINT = {8: dtypes.uint8, 16: dtypes.uint16, 32: dtypes.uint32, 64: dtypes.uint64}
_SQRT2 = math.sqrt(2.0)
# XLA fuses float32 multiply-adds (one rounding); float64 holds float32 products exactly.
_WIDER = {dtypes.float32: dtypes.float64}

# ---------------------------------------------------------------------------------------
# Random bits. Inside this module a key is a pair of uint32 words (k1, k2).


def _combine(b1, b2, bit_width):
    """The two encrypted words of each element turned into `bit_width` random bits."""
    if bit_width == 64:
        hi = lax.convert_element_type(b1, dtypes.uint64)
        lo = lax.convert_element_type(b2, dtypes.uint64)
        return lax.bitwise_or(lax.shift_left(hi, 32), lo)
    bits = lax.bitwise_xor(b1, b2)
    return bits if bit_width == 32 else lax.convert_element_type(bits, _UINT[bit_width])


def _random_bits(words, bit_width, shape):
    """An array of `shape` of random bits from one key: element i encrypts the counter i."""
    hi, lo = iota_2x32_shape(shape)
    return _combine(*threefry2x32(*words, hi, lo), bit_width)


def _bits_per_key(words, bit_width):
    """One draw of random bits from each key of an array of keys, like bits(key_i, ())."""
    zero = Array(np.zeros((), np.uint32))
    return _combine(*threefry2x32(*words, zero, zero), bit_width)


def bits(key, shape=(), dtype=None):
    """Uniform random bits as unsigned integers.

    Args:
      key: a PRNG key. shape: the result shape. dtype: an unsigned dtype (default uint32).
    Returns:
      An array of `shape` and `dtype`.
    Example:
      fneedle.random.bits(key, (4,))  # uint32[4]
    """
    words = key_words(check_key("bits", key))
    dtype = dtypes.canonicalize(dtypes.uint32 if dtype is None else dtype)
    if not dtypes.is_unsigned(dtype):
        raise TypeError(f"bits needs an unsigned integer dtype, got {dtype}.")
    return _random_bits(words, dtype.itemsize * 8, _shape(shape))


# ---------------------------------------------------------------------------------------
# Checks and conversions of arguments.

def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _float_dtype(name, dtype):
    dtype = dtypes.canonicalize(float if dtype is None else dtype)
    if not dtypes.is_float(dtype):
        raise TypeError(f"{name} needs a floating-point dtype, got {dtype}.")
    return dtype


def _param_shape(x):
    if isinstance(x, (Array, Tracer)):
        return get_aval(x).shape
    return np.shape(x)  # Python numbers, lists, NumPy arrays


def _check_shape(name, shape, *param_shapes):
    """The shape argument must equal its broadcast with the parameters' shapes."""
    if param_shapes:
        joined = np.broadcast_shapes(shape, *param_shapes)
        if joined != tuple(shape):
            raise ValueError(f"{name}: parameter shapes {list(param_shapes)} must broadcast "
                             f"to the requested shape {tuple(shape)}, but they broadcast to "
                             f"{joined}. Pass a shape that contains them, or shape=None.")


def _param(x, dtype):
    """A parameter (Python number or array) as an array of `dtype`."""
    if isinstance(x, (bool, int, float, np.number)):
        return Array(np.asarray(x, dtype))
    return lax.convert_element_type(as_array(x), dtype)


def _broadcast_to(x, shape):
    aval = get_aval(x)
    if aval.shape == tuple(shape) or not aval.shape:
        return x  # rank-0 operands broadcast inside the elementwise primitives
    nd = len(shape)
    return lax.broadcast_in_dim(x, tuple(shape), tuple(range(nd - aval.ndim, nd)))


# ---------------------------------------------------------------------------------------
# Uniform floats: random mantissa bits under the exponent of 1.0 give [1, 2); minus 1.

def _rng_bits(dtype):
    info = dtypes.finfo(dtype)
    return 8 if info.nmant < 8 else info.bits


def _floats_from_bits(bits, dtype):
    """Uniform floats in [0, 1) of `dtype` from `_rng_bits(dtype)`-wide random bits."""
    info = dtypes.finfo(dtype)
    uint = _UINT[info.bits]
    rng_bits = _rng_bits(dtype)
    if rng_bits != info.bits:
        bits = lax.convert_element_type(bits, uint)
    mantissa = lax.shift_right_logical(bits, rng_bits - info.nmant)
    one_bits = int(np.array(1.0, dtype).view(uint))
    float_bits = lax.bitwise_or(mantissa, one_bits)
    shape = get_aval(float_bits).shape
    if not shape:  # bitcast_convert_type's impl turns rank 0 into (1,); keep the rank
        return lax.sub(lax.reshape(lax.bitcast_convert_type(
            lax.reshape(float_bits, (1,)), dtype), ()), 1.0)
    return lax.sub(lax.bitcast_convert_type(float_bits, dtype), 1.0)


def _is_number(x, value):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == value


def _exact_power_of_two_span(minval, maxval, dtype):
    """Whether maxval - minval are Python numbers whose span in dtype is a power of two, so
    floats * span is exact and a fused multiply-add rounds like a separate add."""
    if not all(isinstance(v, (int, float)) for v in (minval, maxval)):
        return False
    span = np.asarray(maxval, dtype) - np.asarray(minval, dtype)
    return bool(np.isfinite(span)) and span > 0 and np.frexp(float(span))[0] == 0.5


def _scale(floats, dtype, shape, minval, maxval):
    """Floats in [0, 1) mapped to [minval, maxval), as jax.random.uniform does."""
    if _is_number(minval, 0) and _is_number(maxval, 1):
        return floats  # floats * 1 + 0, then max(0, .): the same bits, three passes fewer
    lo = _broadcast_to(_param(minval, dtype), shape)
    hi = _broadcast_to(_param(maxval, dtype), shape)
    span = lax.sub(hi, lo)
    wide = _WIDER.get(dtype)
    if wide is None or _exact_power_of_two_span(minval, maxval, dtype):
        return lax.max(lo, lax.add(lax.mul(floats, span), lo))
    # floats * span + lo rounded once, like the fused multiply-add XLA emits on CPU and GPU:
    # the product is exact in the wider dtype, so only the sum rounds there (and then to
    # dtype, which differs from one rounding with probability ~2**-29).
    out = lax.add(lax.mul(lax.convert_element_type(floats, wide),
                          lax.convert_element_type(span, wide)),
                  lax.convert_element_type(lo, wide))
    return lax.max(lo, lax.convert_element_type(out, dtype))


def _uniform(words, shape, dtype, minval=0.0, maxval=1.0):
    bits = _random_bits(words, _rng_bits(dtype), shape)
    return _scale(_floats_from_bits(bits, dtype), dtype, shape, minval, maxval)


def _uniform_per_key(words, dtype):
    """One uniform float in [0, 1) from each key of an array of keys."""
    return _floats_from_bits(_bits_per_key(words, _rng_bits(dtype)), dtype)


def uniform(key, shape=(), dtype=dtypes.float32, minval=0.0, maxval=1.0):
    """Uniform random floats in [minval, maxval).

    Args:
      key: a PRNG key. shape: the result shape. dtype: a float dtype.
      minval, maxval: bounds, scalars or arrays that broadcast to `shape`.
    Returns:
      An array of `shape` and `dtype`.
    Example:
      fneedle.random.uniform(key, (2, 3), minval=-1.0, maxval=1.0)
    """
    words = key_words(check_key("uniform", key))
    dtype, shape = _float_dtype("uniform", dtype), _shape(shape)
    _check_shape("uniform", shape, _param_shape(minval), _param_shape(maxval))
    return _uniform(words, shape, dtype, minval, maxval)


# ---------------------------------------------------------------------------------------
# Normal and relatives: the inverse error function applied to uniforms in (-1, 1).

def _normal_from_floats(floats, dtype, shape):
    lo = float(np.nextafter(np.array(-1.0, dtype), np.array(0.0, dtype)))
    u = _scale(floats, dtype, shape, lo, 1.0)
    return lax.mul(lax.erf_inv(u), _param(_SQRT2, dtype))


def normal(key, shape=(), dtype=dtypes.float32):
    """Standard normal random floats.

    Example:
      fneedle.random.normal(key, (3,), dtype='float64')
    """
    words = key_words(check_key("normal", key))
    return _normal(words, _shape(shape), _float_dtype("normal", dtype))


def _normal(words, shape, dtype):
    bits = _random_bits(words, _rng_bits(dtype), shape)
    return _normal_from_floats(_floats_from_bits(bits, dtype), dtype, shape)


def _normal_per_key(words, dtype):
    return _normal_from_floats(_uniform_per_key(words, dtype), dtype, ())


def truncated_normal(key, lower, upper, shape=None, dtype=dtypes.float32):
    """Standard normal floats conditioned on lower < x < upper (bounds broadcast to shape).

    Example:
      fneedle.random.truncated_normal(key, -2.0, 2.0, (100,))
    """
    words = key_words(check_key("truncated_normal", key))
    dtype = _float_dtype("truncated_normal", dtype)
    bounds = (_param_shape(lower), _param_shape(upper))
    shape = np.broadcast_shapes(*bounds) if shape is None else _shape(shape)
    _check_shape("truncated_normal", shape, *bounds)
    sqrt2 = _param(_SQRT2, dtype)
    lower, upper = _param(lower, dtype), _param(upper, dtype)
    a = lax.erf(lax.div(lower, sqrt2))
    b = lax.erf(lax.div(upper, sqrt2))
    u = _uniform(words, shape, dtype, a, b)
    out = lax.mul(sqrt2, lax.erf_inv(u))
    # Keep rounding (or u == a) from leaving the open interval (lower, upper).
    lo = _broadcast_to(lax.nextafter(lower, _param(np.inf, dtype)), shape)
    hi = _broadcast_to(lax.nextafter(upper, _param(-np.inf, dtype)), shape)
    return lax.clamp(lo, out, hi)


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Normal vectors with mean `mean` (..., n) and covariance `cov` (..., n, n).

    Uses the Cholesky factor of `cov` ('cholesky', the only method implemented so far).
    """
    words = key_words(check_key("multivariate_normal", key))
    if method != "cholesky":
        raise NotImplementedError(f"multivariate_normal implements method='cholesky' only, "
                                  f"got {method!r}.")
    mean, cov = as_array(mean), as_array(cov)
    dtype = _float_dtype("multivariate_normal", get_aval(mean).dtype if dtype is None
                         else dtype)
    m_shape, c_shape = _param_shape(mean), _param_shape(cov)
    if len(m_shape) < 1 or len(c_shape) < 2 or c_shape[-2:] != (m_shape[-1],) * 2:
        raise ValueError(f"multivariate_normal needs mean of shape (..., n) and cov of shape "
                         f"(..., n, n), got {m_shape} and {c_shape}.")
    n = m_shape[-1]
    batch = np.broadcast_shapes(m_shape[:-1], c_shape[:-2])
    shape = batch if shape is None else _shape(shape)
    _check_shape("multivariate_normal", shape, m_shape[:-1], c_shape[:-2])
    factor = lax.cholesky(lax.convert_element_type(cov, dtype))  # (..., n, n), lower
    z = _normal(words, shape + (n,), dtype)
    nb = len(shape)
    factor = lax.broadcast_in_dim(factor, shape + (n, n),
                                  tuple(range(nb + 2 - len(c_shape), nb + 2)))
    batch = tuple(range(nb))
    out = lax.dot_general(factor, z, (((nb + 1,), (nb,)), (batch, batch)))  # factor @ z
    return lax.add(_broadcast_to(lax.convert_element_type(mean, dtype), shape + (n,)), out)


# ---------------------------------------------------------------------------------------
# Discrete samplers.

def bernoulli(key, p=0.5, shape=None, mode="low"):
    """Booleans that are True with probability p (a float or float array).

    mode='high' uses two uniforms per draw, which keeps p < 1e-7 (float32) accurate.
    Example:
      fneedle.random.bernoulli(key, 0.3, (10,))
    """
    words = key_words(check_key("bernoulli", key))
    if mode not in ("low", "high"):
        raise ValueError(f"bernoulli's mode must be 'low' or 'high', got {mode!r}.")
    p = as_array(p) if not isinstance(p, (int, float)) else p
    p_dtype = dtypes.float32 if isinstance(p, (int, float)) else get_aval(p).dtype
    if not dtypes.is_float(p_dtype) or isinstance(p, (bool, int)):
        raise TypeError(f"bernoulli's probability p must be a float, got {p_dtype}.")
    shape = _param_shape(p) if shape is None else _shape(shape)
    _check_shape("bernoulli", shape, _param_shape(p))
    p = _broadcast_to(_param(p, p_dtype), shape)
    if mode == "low":
        return lax.lt(_uniform(words, shape, p_dtype), p)
    both = _uniform(words, (2,) + shape, p_dtype)
    u1, u2 = index0(both, 0), index0(both, 1)
    u2 = lax.mul(u2, 2.0 ** -dtypes.finfo(p_dtype).nmant)
    return lax.lt(u2, lax.sub(p, u1))


def _int_param(x):
    """An integer parameter as an integer array (Python ints: int32, or int64 when large)."""
    if isinstance(x, (bool, int)):
        x = int(x)
        fits = -2 ** 31 <= x < 2 ** 31
        return Array(np.asarray(x, dtypes.int32 if fits else dtypes.int64))
    x = as_array(x)
    if not dtypes.is_integer(get_aval(x).dtype):
        x = lax.convert_element_type(x, dtypes.int32)
    return x


def _convert_and_clip(x, dtype):
    """x converted to integer `dtype`, clipped to its range instead of wrapping."""
    src = get_aval(x).dtype
    s, d = dtypes.iinfo(src), dtypes.iinfo(dtype)
    lo, hi = max(s.min, d.min), min(s.max, d.max)
    x = lax.clamp(Array(np.asarray(lo, src)), x, Array(np.asarray(hi, src)))
    return lax.convert_element_type(x, dtype)


def randint(key, shape, minval, maxval, dtype=dtypes.int32):
    """Uniform random integers in [minval, maxval) (bounds broadcast to shape).

    Like JAX it draws 2 * nbits random bits per value and reduces them modulo the span, so
    the bias for spans that are not powers of two is about span / 2**nbits.
    Example:
      fneedle.random.randint(key, (5,), 0, 10)
    """
    words = key_words(check_key("randint", key))
    dtype, shape = dtypes.canonicalize(dtype), _shape(shape)
    if not dtypes.is_integer(dtype):
        raise TypeError(f"randint needs an integer dtype, got {dtype}.")
    minval, maxval = _int_param(minval), _int_param(maxval)
    _check_shape("randint", shape, _param_shape(minval), _param_shape(maxval))
    info = dtypes.iinfo(dtype)
    if info.bits < 32:  # sample 8- and 16-bit values in 32 bits to keep the bias small
        i32 = dtypes.int32
        minval = lax.clamp(Array(np.int32(info.min)), lax.convert_element_type(minval, i32),
                           Array(np.int32(info.max)))
        maxval = lax.clamp(Array(np.int32(info.min)), lax.convert_element_type(maxval, i32),
                           Array(np.int32(info.max + 1)))
        return lax.convert_element_type(_randint(words, shape, minval, maxval, i32), dtype)
    return _randint(words, shape, minval, maxval, dtype)


def _randint(words, shape, minval, maxval, dtype):
    nbits = dtypes.iinfo(dtype).bits
    unsigned = _UINT[nbits]
    # Flag maxval above dtype's range, as in randint(key, shape, 0, 2**32, 'uint32').
    top = _convert_and_clip(Array(np.asarray(dtypes.iinfo(dtype).max, dtype)),
                            get_aval(maxval).dtype)
    maxval_out_of_range = _broadcast_to(lax.gt(maxval, top), shape)
    minval = _broadcast_to(_convert_and_clip(minval, dtype), shape)
    maxval = _broadcast_to(_convert_and_clip(maxval, dtype), shape)

    k1, k2 = split_words(words, 2)
    higher_bits = _random_bits(k1, nbits, shape)
    lower_bits = _random_bits(k2, nbits, shape)

    span = lax.convert_element_type(lax.sub(maxval, minval), unsigned)
    one = Array(np.ones((), unsigned))
    span = _broadcast_to(lax.select_n(lax.le(maxval, minval), span, one), shape)
    # One more when maxval is out of range; the full range wraps to span 0 (see below).
    grow = lax.bitwise_and(maxval_out_of_range, lax.gt(maxval, minval))
    span = _broadcast_to(lax.select_n(grow, span, lax.add(span, one)), shape)
    full_range = lax.eq(span, Array(np.zeros((), unsigned)))
    safe = lax.select_n(full_range, span, _broadcast_to(one, shape))

    # (hi * 2**nbits + lo) mod span, with 2**nbits mod span = (2**(nbits/2) mod span)**2 mod
    # span so nothing overflows.
    multiplier = lax.rem(Array(np.asarray(2 ** (nbits // 2), unsigned)), safe)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), safe)
    offset = lax.add(lax.mul(lax.rem(higher_bits, safe), multiplier),
                     lax.rem(lower_bits, safe))
    offset = lax.rem(offset, safe)
    # Span 0 (the whole range): XLA's x rem 0 == x leaves offset == lower_bits.
    offset = lax.select_n(full_range, offset, lower_bits)
    return lax.add(minval, lax.convert_element_type(offset, dtype))


# ---------------------------------------------------------------------------------------
# Samplers that are functions of one uniform.

def exponential(key, shape=(), dtype=dtypes.float32):
    """Exponential(1) random floats: -log(1 - u)."""
    words = key_words(check_key("exponential", key))
    dtype, shape = _float_dtype("exponential", dtype), _shape(shape)
    return lax.neg(lax.log1p(lax.neg(_uniform(words, shape, dtype))))


def laplace(key, shape=(), dtype=dtypes.float32):
    """Laplace(0, 1) random floats: sign(u) * log(1 - |u|), u uniform in (-1, 1)."""
    words = key_words(check_key("laplace", key))
    dtype, shape = _float_dtype("laplace", dtype), _shape(shape)
    lo = -1.0 + float(dtypes.finfo(dtype).epsneg)
    u = _uniform(words, shape, dtype, lo, 1.0)
    return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


def logistic(key, shape=(), dtype=dtypes.float32):
    """Standard logistic random floats: log(u / (1 - u))."""
    words = key_words(check_key("logistic", key))
    dtype, shape = _float_dtype("logistic", dtype), _shape(shape)
    x = _uniform(words, shape, dtype, float(dtypes.finfo(dtype).tiny), 1.0)
    return lax.sub(lax.log(x), lax.log1p(lax.neg(x)))


def cauchy(key, shape=(), dtype=dtypes.float32):
    """Standard Cauchy random floats: tan(pi * (u - 1/2))."""
    words = key_words(check_key("cauchy", key))
    dtype, shape = _float_dtype("cauchy", dtype), _shape(shape)
    u = _uniform(words, shape, dtype, float(dtypes.finfo(dtype).eps), 1.0)
    return lax.tan(lax.mul(_param(np.pi, dtype), lax.sub(u, 0.5)))


def gumbel(key, shape=(), dtype=dtypes.float32, mode="low"):
    """Standard Gumbel random floats: -log(-log(u)).

    mode='high' builds u from two uniforms, so the largest value reaches ~32 instead of ~16
    (float32).
    """
    words = key_words(check_key("gumbel", key))
    dtype, shape = _float_dtype("gumbel", dtype), _shape(shape)
    if mode not in ("low", "high"):
        raise ValueError(f"gumbel's mode must be 'low' or 'high', got {mode!r}.")
    return _gumbel(words, shape, dtype, mode)


def _gumbel(words, shape, dtype, mode):
    info = dtypes.finfo(dtype)
    if mode == "low":
        u = _uniform(words, shape, dtype, float(info.tiny), 1.0)
        return lax.neg(lax.log(lax.neg(lax.log(u))))
    both = _uniform(words, (2,) + shape, dtype)
    high, low = index0(both, 0), index0(both, 1)
    filled = lax.add(lax.add(high, lax.mul(low, 2.0 ** -info.nmant)), float(info.tiny))
    x = lax.select_n(lax.ge(high, 0.5), filled, high)
    return lax.neg(lax.log(lax.neg(lax.log1p(lax.neg(x)))))
