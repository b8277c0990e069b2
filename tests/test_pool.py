"""The caching allocator `_C.empty` (csrc/kernels/pool.h): arrays like np.empty's, blocks reused
once every view of an array is gone, the cache limit, any dtype, and a clean interpreter exit.
"""

import subprocess
import sys
import threading

import numpy as np
import pytest

from fneedle.backend import cpu as cpu_backend

C = cpu_backend._C if cpu_backend.available else None
pytestmark = pytest.mark.skipif(C is None or not hasattr(C, "empty"),
                                reason="fneedle._C has no caching allocator")

BIG = (1024, 1024)  # 4 MiB of float32: pooled, and large enough for huge pages


def address(a):
    return a.__array_interface__["data"][0]


@pytest.fixture(autouse=True)
def fresh_pool():
    old = C.pool_stats()["limit_bytes"]
    C.pool_clear()
    yield
    C.pool_set_limit(old)
    C.pool_clear()


@pytest.mark.parametrize("shape", [(), 0, 7, (3, 0, 2), (5, 7), BIG, (2, 3, 40_000)])
@pytest.mark.parametrize("dtype", ["float32", np.float64, np.dtype("int8"), bool, "complex64"])
def test_arrays_look_like_np_empty(shape, dtype):
    a = C.empty(shape, dtype)
    want = np.empty(shape, dtype)
    assert a.shape == want.shape and a.dtype == want.dtype
    assert a.flags.c_contiguous and a.flags.writeable and a.flags.aligned
    a[...] = 1
    assert (a == 1).all()


def test_pooled_blocks_are_64_byte_aligned():
    for n in (65_536, 100_001, 1 << 22):
        assert address(C.empty(n, np.uint8)) % 64 == 0


def test_a_freed_block_is_reused():
    a = C.empty(BIG, np.float32)
    p = address(a)
    del a
    hits = C.pool_stats()["hits"]
    b = C.empty(BIG, np.float32)
    assert address(b) == p
    assert C.pool_stats()["hits"] == hits + 1


def test_a_view_keeps_its_block():
    a = C.empty(BIG, np.float32)
    p = address(a)
    v = a[3:, ::2]
    del a
    b = C.empty(BIG, np.float32)
    assert address(b) != p  # the view still uses the first block
    v[...] = 2.0  # and may still write it
    del v, b
    stats = C.pool_stats()
    assert stats["cached_blocks"] == 2 and stats["live_blocks"] == 0


def test_sizes_share_a_class_within_a_quarter():
    a = C.empty(1_000_000, np.uint8)
    p = address(a)
    del a
    assert address(C.empty(1_040_000, np.uint8)) == p  # same size class


def test_limit_and_clear():
    C.pool_set_limit(0)
    a = C.empty(BIG, np.float32)
    del a
    assert C.pool_stats()["cached_bytes"] == 0
    C.pool_set_limit(1 << 30)
    arrays = [C.empty(BIG, np.float32) for _ in range(3)]
    del arrays
    assert C.pool_stats()["cached_blocks"] == 3
    C.pool_set_limit(5 << 20)  # keeps one 4 MiB block
    assert C.pool_stats()["cached_blocks"] == 1
    C.pool_clear()
    assert C.pool_stats()["cached_bytes"] == 0


def test_any_numpy_dtype_including_bfloat16():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    a = C.empty((300, 300), ml_dtypes.bfloat16)
    assert a.dtype == np.dtype(ml_dtypes.bfloat16)
    a[...] = 1.5
    assert float(a[7, 9]) == 1.5
    rec = C.empty(40_000, np.dtype([("x", np.float32), ("i", np.int16)]))
    rec["x"] = 3
    assert (rec["x"] == 3).all()


def test_object_arrays_are_initialized():
    a = C.empty(100_000, object)
    assert a[0] is None and a[-1] is None


@pytest.mark.parametrize("shape,dtype,error", [
    ((-1, 3), np.float32, ValueError),
    ((2, "a"), np.float32, TypeError),
    (3.5, np.float32, TypeError),
    ((4,), "not a dtype", TypeError),
    ((1 << 62, 1 << 62), np.float32, (ValueError, MemoryError)),
])
def test_bad_arguments_raise(shape, dtype, error):
    with pytest.raises(error):
        C.empty(shape, dtype)


def test_threads_allocate_and_free_concurrently():
    errors = []

    def work(seed):
        rng = np.random.default_rng(seed)
        try:
            for _ in range(200):
                n = int(rng.integers(1 << 16, 1 << 20))
                a = C.empty(n, np.uint8)
                a[::4096] = seed
                assert (a[::4096] == seed).all()
        except (AssertionError, MemoryError, ValueError) as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert C.pool_stats()["live_blocks"] == 0


def test_backend_empty_matches_np_empty():
    a = cpu_backend.empty((3, 4), np.float32)
    assert a.shape == (3, 4) and a.dtype == np.float32 and a.flags.c_contiguous


def test_interpreter_exit_with_live_arrays_is_clean():
    """Arrays alive at exit (in globals, in a reference cycle) are freed after the module's
    statics; the pool must outlive them."""
    code = (
        "import gc, numpy as np\n"
        "from fneedle import _C\n"
        "keep = [_C.empty((1000, 1000), np.float32) for _ in range(3)]\n"
        "class Cycle: pass\n"
        "c = Cycle(); c.me = c; c.a = _C.empty(1 << 21, np.uint8)\n"
        "gc.disable()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr.decode()
