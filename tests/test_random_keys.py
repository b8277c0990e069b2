"""fneedle.random keys: seeds, split, fold_in, key data, and named errors for bad keys."""


import numpy as np
import pytest

import fneedle as fn
import fneedle.random as fr
from tests.random_checks import a, key_of, u32


@pytest.mark.parametrize("seed,want", [(0, [0, 0]), (42, [0, 42]), (-1, [0, 2 ** 32 - 1]),
                                       (2 ** 32 + 5, [0, 5]), (np.int64(2 ** 40 + 3), [0, 3]),
                                       (np.uint32(4000000000), [0, 4000000000])])
def test_key_from_seed(seed, want):
    for make in (fr.key, fr.PRNGKey):
        k = make(seed)
        assert k.shape == (2,) and k.dtype == np.uint32
        np.testing.assert_array_equal(a(k), want)


def test_key_rejects_bad_seeds():
    with pytest.raises(TypeError, match="integer"):
        fr.key(1.5)
    with pytest.raises(TypeError, match="scalar"):
        fr.key(fn.Array(np.arange(3, dtype=np.int32)))


def test_key_traced_seed():
    seeds = np.array([0, 7, -1], np.int32)
    keys = fn.vmap(fr.key)(fn.Array(seeds))
    np.testing.assert_array_equal(a(keys), [a(fr.key(int(s))) for s in seeds])
    np.testing.assert_array_equal(a(fn.jit(fr.key)(fn.Array(np.int32(9)))), a(fr.key(9)))


def test_split_shapes_and_distinct_keys():
    k = key_of(1)
    assert fr.split(k).shape == (2, 2)
    assert fr.split(k, 5).shape == (5, 2)
    assert fr.split(k, (2, 3)).shape == (2, 3, 2)
    keys = a(fr.split(k, 1000))
    assert len({tuple(r) for r in keys}) == 1000
    assert not any((r == a(k)).all() for r in keys)
    np.testing.assert_array_equal(a(fr.split(k, (2, 3))).reshape(6, 2), a(fr.split(k, 6)))


def test_fold_in_equals_split_entry_and_differs_by_data():
    k = key_of(5)
    keys = a(fr.split(k, 10))
    for i in range(10):
        np.testing.assert_array_equal(a(fr.fold_in(k, i)), keys[i])
    folded = {tuple(a(fr.fold_in(k, d))) for d in range(100)}
    assert len(folded) == 100
    np.testing.assert_array_equal(a(fr.fold_in(k, fn.Array(np.int32(3)))), keys[3])


def test_split_and_fold_in_trace():
    k = key_of(2)
    np.testing.assert_array_equal(a(fn.jit(lambda k: fr.split(k, 3))(k)), a(fr.split(k, 3)))
    data = fn.Array(np.arange(4, dtype=np.int32))
    out = fn.vmap(lambda d: fr.fold_in(k, d))(data)
    np.testing.assert_array_equal(a(out), [a(fr.fold_in(k, i)) for i in range(4)])
    keys = fr.split(k, 4)
    out = fn.vmap(lambda kk: fr.split(kk, 3))(keys)
    assert out.shape == (4, 3, 2)
    np.testing.assert_array_equal(a(out)[2], a(fr.split(fr.wrap_key_data(a(keys)[2]), 3)))


def test_key_data_and_wrap_key_data():
    keys = fr.split(key_of(0), 3)
    np.testing.assert_array_equal(a(fr.key_data(keys)), a(keys))
    np.testing.assert_array_equal(a(fr.wrap_key_data(a(keys))), a(keys))
    with pytest.raises(TypeError, match="uint32"):
        fr.wrap_key_data(np.zeros((3, 2), np.int32))
    with pytest.raises(ValueError, match="threefry2x32"):
        fr.wrap_key_data(a(keys), impl="rbg")


def test_bad_keys_are_named():
    with pytest.raises(TypeError, match="PRNG key"):
        fr.uniform(np.zeros(3, u32))
    with pytest.raises(TypeError, match="vmap"):
        fr.normal(fr.split(key_of(0), 2))
