"""fneedle.numpy's take, nonzero and friends, sorting and searching, histograms, bincount and
interp against NumPy."""


import numpy as np
import pytest

import fneedle as fn
import fneedle.numpy as fnp
from fneedle.core.errors import ConcretizationTypeError
from tests.numpy_checks import A, C, close

RNG = np.random.default_rng(4)


def test_take_nonzero_and_friends():
    x, X = A, fnp.asarray(A)
    close(fnp.take(X, fnp.asarray([[0, 2], [-1, 1]]), axis=1), np.take(x, [[0, 2], [-1, 1]], 1))
    close(fnp.take(X, [0, 5]), np.take(x, [0, 5]))
    close(fnp.take(X, fnp.asarray([0, 9]), axis=1, mode="clip"), np.take(x, [0, 9], 1,
                                                                       mode="clip"))
    close(fnp.take(X, fnp.asarray([0, 9]), axis=1, mode="wrap"), np.take(x, [0, 9], 1,
                                                                       mode="wrap"))
    close(fnp.take(X, fnp.asarray([9]), axis=0), np.full((1, 4), np.nan))
    idx = np.argsort(x, axis=0)
    close(fnp.take_along_axis(X, fnp.asarray(idx), 0), np.take_along_axis(x, idx, 0))
    close(fnp.take_along_axis(X, fnp.asarray(idx[:1]), 0), np.take_along_axis(x, idx[:1], 0))
    close(fnp.nonzero(X > 0), np.nonzero(x > 0))
    close(fnp.nonzero(fnp.asarray([0, 3, 0, 4]), size=3), (np.array([1, 3, 0]),))
    close(fnp.nonzero(fnp.asarray([0, 3, 0, 4]), size=1, fill_value=9), (np.array([1]),))
    close(fn.jit(lambda v: fnp.nonzero(v > 0, size=20, fill_value=-1))(X),
          tuple(np.pad(i, (0, 20 - i.size), constant_values=-1) for i in np.nonzero(x > 0)))
    close(fnp.argwhere(X > 0), np.argwhere(x > 0))
    close(fnp.flatnonzero(X > 0), np.flatnonzero(x > 0))
    close(fnp.where(X > 0), np.where(x > 0))
    close(fnp.unravel_index(fnp.asarray([0, 5, 11]), (3, 4)), np.unravel_index([0, 5, 11], (3, 4)))
    close(fnp.ravel_multi_index((fnp.asarray([0, 2]), fnp.asarray([1, 3])), (3, 4)),
          np.ravel_multi_index(([0, 2], [1, 3]), (3, 4)))
    close(fnp.select([X > 0.5, X < -0.5], [X, -X], 0.0), np.select([x > .5, x < -.5], [x, -x]))
    close(fnp.choose(fnp.asarray([0, 1, 0, 1]), [X, -X]), np.choose([0, 1, 0, 1], [x, -x]))
    close(fnp.compress(fnp.asarray([True, False, True]), X, axis=0),
          np.compress([True, False, True], x, axis=0))
    close(fnp.extract(X > 0, X), np.extract(x > 0, x))
    close(fnp.diagonal(C, 1, 0, 2), np.diagonal(C, 1, 0, 2))
    close(fnp.trace(C, -1, 2, 1), np.trace(C, -1, 2, 1))


def test_sorting_and_searching():
    x = np.array([[3.0, np.nan, 1.0, 3.0, -2.0], [0.5, 0.5, -1.0, 2.0, np.nan]])
    X = fnp.asarray(x)
    close(fnp.sort(X), np.sort(x))
    close(fnp.sort(X, axis=0), np.sort(x, axis=0))
    close(fnp.sort(X, axis=None), np.sort(x, axis=None))
    close(fnp.argsort(X), np.argsort(x, kind="stable"))
    close(fnp.argsort(X, descending=True, axis=None),
          np.argsort(-np.nan_to_num(x.ravel(), nan=np.inf), kind="stable"))
    close(fnp.lexsort((fnp.asarray([1, 2, 1]), fnp.asarray([0, 0, 1]))),
          np.lexsort(([1, 2, 1], [0, 0, 1])))
    a = np.array([1.0, 2.0, 2.0, 3.0, np.nan])
    v = np.array([[2.0, 0.0], [5.0, np.nan], [3.0, 1.5]])
    for side in ("left", "right"):
        for method in ("compare_all", "sort"):
            close(fnp.searchsorted(fnp.asarray(a), fnp.asarray(v), side=side, method=method),
                  np.searchsorted(a, v, side=side))
    close(fnp.searchsorted(fnp.asarray([3, 1, 2]), 2, sorter=fnp.asarray([1, 2, 0])),
          np.searchsorted([3, 1, 2], 2, sorter=[1, 2, 0]))
    u = np.array([3, 1, 3, 2, 1, 7])
    close(fnp.unique(fnp.asarray(u), return_index=True, return_inverse=True, return_counts=True),
          np.unique(u, return_index=True, return_inverse=True, return_counts=True))
    close(fnp.unique(fnp.asarray(u), size=6, fill_value=-1), [1, 2, 3, 7, -1, -1])
    close(fnp.unique(fnp.asarray([np.nan, 1.0, np.nan])), np.unique([np.nan, 1.0, np.nan]))
    close(fn.jit(lambda w: fnp.unique(w, size=3))(fnp.asarray(u)), [1, 2, 3])
    with pytest.raises(ConcretizationTypeError, match="size="):
        fn.jit(fnp.unique)(fnp.asarray(u))


def test_histogram_bincount_interp():
    x = RNG.standard_normal(50)
    for bins in (5, [-1.0, 0.0, 0.5, 2.0]):
        close(fnp.histogram(fnp.asarray(x), bins=bins), np.histogram(x, bins=bins), 1e-10)
    close(fnp.histogram(fnp.asarray(x), bins=4, range=(-1, 1), density=True),
          np.histogram(x, bins=4, range=(-1, 1), density=True), 1e-10)
    w = RNG.random(50)
    close(fnp.histogram(fnp.asarray(x), 3, weights=fnp.asarray(w)),
          np.histogram(x, 3, weights=w), 1e-10)
    close(fnp.bincount(fnp.asarray([0, 1, 1, 3])), np.bincount([0, 1, 1, 3]))
    close(fnp.bincount(fnp.asarray([0, 1, 1]), weights=fnp.asarray([0.5, 1.0, 2.0]),
                       minlength=4), np.bincount([0, 1, 1], [0.5, 1.0, 2.0], minlength=4))
    close(fn.jit(lambda i: fnp.bincount(i, length=3))(fnp.asarray([0, 2, 2, 5])), [1, 0, 2])
    xp, fp = np.array([0.0, 1.0, 2.0, 4.0]), np.array([1.0, 3.0, 2.0, 0.0])
    q = np.linspace(-1, 5, 13)
    close(fnp.interp(fnp.asarray(q), fnp.asarray(xp), fnp.asarray(fp)), np.interp(q, xp, fp))
    close(fnp.interp(fnp.asarray(q), fnp.asarray(xp), fnp.asarray(fp), left=-1, right=9),
          np.interp(q, xp, fp, left=-1, right=9))
    close(fnp.interp(fnp.asarray(q), fnp.asarray(xp), fnp.asarray(fp), period=3.0),
          np.interp(q, xp, fp, period=3.0), 1e-12)
    for right in (False, True):
        close(fnp.digitize(fnp.asarray(q), fnp.asarray(xp), right),
              np.digitize(q, xp, right))
        close(fnp.digitize(fnp.asarray(q), fnp.asarray(xp[::-1]), right),
              np.digitize(q, xp[::-1], right))
