"""The threefry2x32 primitive: known answers from Random123 for the NumPy impl, the
primitive and the C++ kernel, kernel against impl, bad operands, and its vmap and jvp rules."""


import numpy as np
import pytest

import fneedle as fn
import fneedle.random as fr
from fneedle.core.errors import DtypeError
from fneedle.random import threefry
from tests.random_checks import a, key_of, u32

# ---------------------------------------------------------------------------------------
# threefry2x32: known answers from Random123 (kat_vectors, threefry2x32_20).

KATS = [  # (key0, key1), (x0, x1) -> (y0, y1)
    ((0x00000000, 0x00000000), (0x00000000, 0x00000000), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
]


def _kat_args():
    k0, k1, x0, x1 = (np.array([kat[i][j] for kat in KATS], u32) for i in (0, 1) for j in (0, 1))
    want = [np.array([kat[2][j] for kat in KATS], u32) for j in (0, 1)]
    return (k0, k1, x0, x1), want


def test_threefry_known_answers_numpy_impl():
    args, want = _kat_args()
    got = threefry._threefry2x32_impl(*args)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


def test_threefry_known_answers_primitive():
    args, want = _kat_args()
    got = fr.threefry2x32(*(fn.Array(x) for x in args))
    for g, w in zip(got, want, strict=True):
        assert g.dtype == np.uint32
        np.testing.assert_array_equal(a(g), w)


kernel = pytest.mark.skipif(threefry._C is None or not hasattr(threefry._C, "threefry2x32"),
                            reason="fneedle._C has no threefry2x32 kernel")


@kernel
def test_threefry_kernel_known_answers():
    args, want = _kat_args()
    got = threefry._C.threefry2x32(*args)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@kernel
@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 5, 2), (40000,)])
def test_threefry_kernel_matches_numpy_impl(shape):
    rng = np.random.default_rng(1)
    for mask in range(16):  # every pattern of array / rank-0 operands
        args = [np.asarray(rng.integers(0, 2 ** 32, size=shape if mask >> j & 1 else (),
                                        dtype=u32)) for j in range(4)]
        want = threefry._threefry2x32_impl(*args)
        got = threefry._C.threefry2x32(*args)
        for g, w in zip(got, want, strict=True):
            assert g.shape == w.shape and g.dtype == np.uint32
            np.testing.assert_array_equal(g, w)


@kernel
def test_threefry_kernel_rejects_bad_operands():
    ok = np.zeros(4, u32)
    with pytest.raises(TypeError, match="uint32"):
        threefry._C.threefry2x32(ok, ok, ok, np.zeros(4, np.int32))
    with pytest.raises(ValueError, match="one shape"):
        threefry._C.threefry2x32(ok, ok, ok, np.zeros(5, u32))
    with pytest.raises(ValueError, match="contiguous"):
        threefry._C.threefry2x32(ok, ok, ok, np.zeros(8, u32)[::2])
    with pytest.raises(TypeError, match="ndarray"):
        threefry._C.threefry2x32(ok, ok, ok, [0, 0, 0, 0])


def test_threefry_cpu_lowering_handles_views():
    # Broadcast and strided views (what shape primitives hand over) reach the kernel safely.
    x = np.arange(12, dtype=u32)
    args = (np.asarray(u32(7)), np.broadcast_to(u32(9), (6,)), x[::2], x[1::2].copy())
    want = threefry._threefry2x32_impl(*args)
    got = threefry.threefry2x32_p.cpu_kernel(*args)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


def test_threefry_numpy_impl_switch_gives_the_same_bits():
    k = key_of(3)
    fast = a(fr.uniform(k, (1000,)))
    with fn.config.override(numpy_impl=True):
        slow = a(fr.uniform(k, (1000,)))
    np.testing.assert_array_equal(fast, slow)


def test_threefry_abstract_eval_errors():
    x = fn.Array(np.zeros(3, u32))
    with pytest.raises(DtypeError, match="uint32"):
        fr.threefry2x32(x, x, x, fn.Array(np.zeros(3, np.int32)))
    with pytest.raises(ValueError, match="equal shapes"):
        fr.threefry2x32(x, x, x, fn.Array(np.zeros(4, u32)))


@pytest.mark.parametrize("batched", [(0, None, None, 0), (None, None, 1, 1), (0, 0, 0, 0),
                                     (None, 0, None, None), (1, None, 0, None)])
def test_threefry_vmap_matches_loop(batched):
    rng = np.random.default_rng(2)
    size, inner = 3, (4,)
    args, in_axes = [], []
    for d in batched:
        if d is None:
            args.append(rng.integers(0, 2 ** 32, size=inner, dtype=u32))
        else:
            full = rng.integers(0, 2 ** 32, size=(size,) + inner, dtype=u32)
            args.append(np.moveaxis(full, 0, d))
        in_axes.append(d)
    out = fn.vmap(lambda *xs: fr.threefry2x32(*xs), in_axes=tuple(in_axes))(
        *(fn.Array(x) for x in args))
    for i in range(size):
        row = [x if d is None else np.take(x, i, axis=d) for x, d in zip(args, batched)]
        want = threefry._threefry2x32_impl(*row)
        for o, w in zip(out, want, strict=True):
            np.testing.assert_array_equal(a(o)[i], w)


def test_threefry_has_no_tangents():
    # A float function of random bits differentiates with zero tangent through the bits.
    k = key_of(0)
    grad = fn.grad(lambda s: (fr.uniform(k, (4,)) * s).sum())(2.0)
    np.testing.assert_allclose(a(grad), a(fr.uniform(k, (4,))).sum(), rtol=1e-6)
