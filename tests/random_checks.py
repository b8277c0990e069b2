"""Short names and the fixed key that the fneedle.random test files share."""

import numpy as np

import fneedle.random as fr

u32 = np.uint32


def a(x):
    return np.asarray(x)


def key_of(seed):
    return fr.key(seed)


K = key_of(0)  # the fixed key that most draws use
