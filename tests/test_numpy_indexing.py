"""fneedle.numpy's indexing against NumPy: basic and advanced __getitem__, traced indices,
errors, `.at` updates and their modes, and a Hypothesis property over random index
expressions."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fneedle as fn
import fneedle.numpy as fnp
from fneedle.core.errors import ConcretizationTypeError
from tests.numpy_checks import A, close

RNG = np.random.default_rng(3)


def _copy_set(a, idx, v):
    a = a.copy()
    a[idx] = v
    return a


INDEXES = [
    1, -1, (1, 2), (-1, -2), slice(None), slice(1, 3), slice(None, None, -1),
    (slice(None, None, 2), slice(3, 0, -2)), (Ellipsis, 1), (None, 1, None),
    (Ellipsis, None), (1, Ellipsis, None, slice(1, 3)), ([0, 2],), ([0, -1], [1, 2]),
    (slice(None), [2, 0, 2]), ([[0], [2]], [1, 3]), (1, [0, 2]), ([0, 1], slice(1, 3)),
    (np.array([True, False, True]),), (A > 0,), (np.array([True, False, True]), 1),
    (Ellipsis, [3, 0]), (None, [0, 1], None, 2), (True,), (False, slice(1, 3)),
    (np.int32(1), np.int64(-1)),
]


@pytest.mark.parametrize("idx", INDEXES, ids=[repr(i)[:40] for i in INDEXES])
def test_getitem(idx):
    close(fnp.asarray(A)[idx], A[idx])


def test_getitem_3d_separated_advanced():
    x = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    X = fnp.asarray(x)
    for idx in [([0, 1], slice(None), [1, 2]), (0, slice(None), [1, 2]),
                (slice(None), [0, 1], slice(None), [[1], [2]]), ([1], None, 2),
                (Ellipsis, [0, 2], slice(1, 3), [1, 4])]:
        close(X[idx], x[idx])


def test_getitem_traced_indices():
    x, X = A, fnp.asarray(A)
    close(fn.jit(lambda v, i: v[i])(X, 2), x[2])
    close(fn.jit(lambda v, i: v[i, ::2])(X, fnp.asarray(-1)), x[-1, ::2])
    close(fn.jit(lambda v, i: v[:, i])(X, fnp.asarray([3, 0, -1])), x[:, [3, 0, -1]])
    close(fn.vmap(lambda v, i: v[i])(X, fnp.asarray([0, 3, 1])), x[[0, 1, 2], [0, 3, 1]])
    close(fnp.asarray(A)[fnp.asarray([5])], A[[2]])  # out-of-range array indices clamp
    close(fnp.asarray(A).at[fnp.asarray([5, 0])].get(mode="fill", fill_value=-1.0),
          np.stack([np.full(4, -1.0), A[0]]))


def test_getitem_errors():
    X = fnp.asarray(A)
    with pytest.raises(IndexError, match="out of bounds"):
        X[3]
    with pytest.raises(IndexError, match="Too many indices"):
        X[0, 0, 0]
    with pytest.raises(IndexError, match="nonzero"):
        fn.jit(lambda v: v[v > 0])(X)
    with pytest.raises(ConcretizationTypeError, match="size="):
        fn.jit(fnp.nonzero)(X)
    with pytest.raises(TypeError, match="at\\[idx\\]"):
        X[0] = 1.0


@pytest.mark.parametrize("idx", [1, (1, 2), slice(1, 3), (slice(None), [0, 2]),
                                 ([0, 0, 2], [1, 1, 3]), (Ellipsis, slice(None, None, -2)),
                                 (None, 0), (A > 0,), ([[0], [1]], slice(1, None))],
                         ids=repr)
def test_at_updates(idx):
    x, X = A.astype(np.float64), fnp.asarray(A.astype(np.float64))
    shape = x[idx].shape
    v = RNG.standard_normal(shape)
    close(X.at[idx].set(fnp.asarray(v)), _copy_set(x, idx, v))
    close(X.at[idx].get(), x[idx])
    add = x.copy()
    np.add.at(add, idx, v)
    close(X.at[idx].add(v), add)
    mul = x.copy()
    np.multiply.at(mul, idx, v)
    close(X.at[idx].multiply(v), mul)
    mn, mx = x.copy(), x.copy()
    np.minimum.at(mn, idx, v)
    np.maximum.at(mx, idx, v)
    close(X.at[idx].min(v), mn)
    close(X.at[idx].max(v), mx)
    close(X.at[idx].set(2.0), _copy_set(x, idx, 2.0))
    close(X.at[idx].apply(fnp.square), _copy_set(x, idx, np.square(x[idx])))


def test_at_duplicates_and_modes():
    close(fnp.zeros(5).at[fnp.asarray([0, 0, 2, 0])].add(1.0), [3, 0, 1, 0, 0])
    close(fnp.ones(3).at[fnp.asarray([1, 1])].multiply(3.0), [1, 9, 1])
    close(fnp.ones(3).at[fnp.asarray([1, 1])].divide(2.0), [1, 0.25, 1])
    close(fnp.zeros(3).at[fnp.asarray([0, 7])].set(1.0), [1, 0, 0])  # out of range: dropped
    close(fnp.zeros(3).at[fnp.asarray([0, 7])].set(1.0, mode="clip"), [1, 0, 1])
    close(fnp.zeros(3, int).at[1].add(2), [0, 2, 0])
    close(fnp.asarray(5.0).at[()].set(1.0), 1.0)


@st.composite
def _index_expr(draw):
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=4)))
    entries, dim = [], 0
    ellipsis_used = False
    while dim < len(shape) and draw(st.booleans()) or not entries:
        if dim >= len(shape):
            entries.append(None)
            break
        n = shape[dim]
        kind = draw(st.sampled_from(["int", "slice", "array", "none", "ellipsis", "bool"]))
        if kind == "int":
            entries.append(draw(st.integers(-n, n - 1)))
            dim += 1
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            step = draw(st.none() | st.sampled_from([1, 2, -1, -2, 3]))
            entries.append(slice(start, stop, step))
            dim += 1
        elif kind == "array":
            k = draw(st.integers(0, 3))
            entries.append(np.asarray(draw(st.lists(st.integers(-n, n - 1), min_size=k,
                                                   max_size=k)), np.int32))
            dim += 1
        elif kind == "none":
            entries.append(None)
        elif kind == "bool":
            entries.append(draw(st.booleans()))
        elif not ellipsis_used:
            entries.append(Ellipsis)
            ellipsis_used = True
            dim = len(shape) - draw(st.integers(0, len(shape) - dim))
    # Broadcast array indices need compatible lengths: make them all one length (or 1).
    lengths = {e.size for e in entries if isinstance(e, np.ndarray)}
    if len(lengths - {1}) > 1:
        keep = max(lengths)
        entries = [e if not isinstance(e, np.ndarray) or e.size in (1, keep)
                   else np.resize(e, keep) for e in entries]
    return shape, tuple(entries)


@settings(max_examples=150, deadline=None)
@given(_index_expr())
def test_indexing_property(case):
    shape, idx = case
    x = np.arange(math.prod(shape), dtype=np.float32).reshape(shape)
    try:
        want = x[idx]
    except IndexError:
        return
    close(fnp.asarray(x)[idx], want)
    # The same expression as a scatter: x.at[idx].set(-x[idx]) negates the selected cells.
    if want.size and not any(isinstance(e, np.ndarray) and e.size > 1 for e in idx):
        close(fnp.asarray(x).at[idx].set(-want), _copy_set(x, idx, -want))
