"""Input generators for op records (`OpRecord.inputs` callables: (rng, shape, dtype) ->
np.ndarray). Each keeps finite differences valid for the op it is meant for: values stay away
from the op's singular points and jumps."""

import numpy as np

from fneedle.core import dtypes


def _signs(rng, shape, dtype):
    if dtypes.is_unsigned(dtype):
        return np.ones(shape, np.int64)
    return rng.choice(np.array([-1, 1]), size=shape)


def nonzero(rng, shape, dtype):
    """Values with 0.25 <= |x| <= 2 (ints: 1..5 in magnitude): for abs, sign, cbrt, divisors."""
    if dtype == np.bool_:
        return np.ones(shape, np.bool_)
    if dtypes.is_integer(dtype):
        mag = rng.integers(1, 6, size=shape)
    else:
        mag = rng.uniform(0.25, 2.0, size=shape)
    return np.asarray(_signs(rng, shape, dtype) * mag).astype(dtype)


def off_integers(rng, shape, dtype):
    """k + f with k in -3..3 and 0.1 <= f <= 0.9: for floor and ceil."""
    x = rng.integers(-3, 4, size=shape) + rng.uniform(0.1, 0.9, size=shape)
    return np.asarray(x).astype(dtype)


def off_halves(rng, shape, dtype):
    """k + f with f 0.1..0.4 or 0.6..0.9: away from the jumps of round."""
    f = rng.uniform(0.1, 0.4, size=shape) + 0.5 * (rng.random(size=shape) < 0.5)
    return np.asarray(rng.integers(-3, 4, size=shape) + f).astype(dtype)


def halves(rng, shape, dtype):
    """Multiples of 0.5 in -4.5..4.5: exact ties, to tell rounding methods apart."""
    return np.asarray(rng.integers(-9, 10, size=shape) / 2).astype(dtype)


def above_one(rng, shape, dtype):
    """1.2..3: inside the domain of acosh, away from its branch point at 1."""
    return np.asarray(rng.uniform(1.2, 3.0, size=shape)).astype(dtype)


def with_nonfinite(rng, shape, dtype):
    """Normal values with about a third of them replaced by inf, -inf or nan."""
    x = rng.standard_normal(size=shape)
    special = np.array([np.inf, -np.inf, np.nan])[rng.integers(0, 3, size=shape)]
    return np.asarray(np.where(rng.random(size=shape) < 0.35, special, x)).astype(dtype)


def full_range(rng, shape, dtype):
    """Integers over the dtype's whole range (every bit pattern can occur)."""
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


def shift_amounts(rng, shape, dtype):
    """Shift amounts -2..bits+2, so out-of-range shifts are covered too."""
    bits = np.dtype(dtype).itemsize * 8
    lo = 0 if dtypes.is_unsigned(dtype) else -2
    return rng.integers(lo, bits + 3, size=shape).astype(dtype)


def choice3(rng, shape, dtype):
    """0, 1 or 2: an int32 selector of three cases."""
    return rng.integers(0, 3, size=shape).astype(dtype)


def lower_bound(rng, shape, dtype):
    """-1..-0.3 (ints: -3..-1): the low end of a clamp."""
    if dtypes.is_integer(dtype):
        return rng.integers(-3, 0, size=shape).astype(dtype)
    return np.asarray(rng.uniform(-1.0, -0.3, size=shape)).astype(dtype)


def upper_bound(rng, shape, dtype):
    """0.3..1 (ints: 1..3): the high end of a clamp."""
    if dtypes.is_integer(dtype):
        return rng.integers(1, 4, size=shape).astype(dtype)
    return np.asarray(rng.uniform(0.3, 1.0, size=shape)).astype(dtype)


def convertible_to(targets):
    """Values that convert to every dtype in `targets` without overflow. Floats: -100..100
    (0..200 if a target is unsigned) with some exact zeros (for bool); ints: -1000..1000
    within their own range, so conversions to narrower ints wrap."""
    targets = [np.dtype(t) for t in targets]
    to_unsigned = any(dtypes.is_unsigned(t) for t in targets)

    def draw(rng, shape, dtype):
        dtype = np.dtype(dtype)
        if dtype == np.bool_:
            return rng.random(size=shape) < 0.5
        if dtypes.is_inexact(dtype):  # complex: the imaginary part is dropped or kept
            x = rng.uniform(0.0, 200.0, size=shape) if to_unsigned else \
                rng.uniform(-100.0, 100.0, size=shape)
            if dtypes.is_complex(dtype):
                x = x + 1j * rng.uniform(-100.0, 100.0, size=shape)
            return np.where(rng.random(size=shape) < 0.25, 0.0, x).astype(dtype)
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -1000), min(info.max, 1000), size=shape,
                            endpoint=True).astype(dtype)
    draw.__name__ = "convertible_to_" + "_".join(t.name for t in targets)
    return draw
