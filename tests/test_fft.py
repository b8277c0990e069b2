"""fneedle.numpy.fft against numpy.fft (every function, n/s, axis/axes, norm, dtypes), FFT
convolution and its gradients under grad, jit and vmap, complex promotion, and the complex
helpers of fneedle.numpy."""

import warnings

import ml_dtypes
import numpy as np
import pytest

import fneedle as fn
import fneedle.numpy as fnp
from fneedle import lax
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.test_util import check_grads

RNG = np.random.default_rng(0)
X64 = RNG.standard_normal((4, 6, 5))
Z128 = X64 + 1j * RNG.standard_normal((4, 6, 5))


def close(got, want, dtype=None, tol=None):
    got = np.asarray(got)
    assert got.shape == np.shape(want), f"shape {got.shape}, expected {np.shape(want)}"
    if dtype is not None:
        assert got.dtype == np.dtype(dtype), f"dtype {got.dtype}, expected {np.dtype(dtype)}"
    if tol is None:
        tol = 1e-4 if got.dtype in (np.float32, np.complex64) else 1e-10
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


# ---------------------------------------------------------------------------------------
# Values against numpy.fft.

_ONE_AXIS = ["fft", "ifft", "rfft", "irfft"]
_ONE_AXIS_KW = [{}, {"n": 4}, {"n": 9}, {"axis": 0}, {"axis": 1, "n": 3}, {"norm": "ortho"},
                {"norm": "forward", "axis": -2}, {"norm": "backward", "n": 8, "axis": 0}]


@pytest.mark.parametrize("kw", _ONE_AXIS_KW, ids=str)
@pytest.mark.parametrize("name", _ONE_AXIS)
def test_one_axis_transforms(name, kw):
    f, g = getattr(fnp.fft, name), getattr(np.fft, name)
    x = Z128 if name == "irfft" else X64
    close(f(fnp.asarray(x), **kw), g(x, **kw), np.float64 if name == "irfft" else np.complex128)
    if name != "rfft":  # complex input to the complex-input transforms
        close(f(fnp.asarray(Z128), **kw), g(Z128, **kw))


_N_AXES = ["fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn"]
_N_AXES_KW = [{}, {"s": (3, 4)}, {"axes": (0, 2)}, {"axes": (2, 0), "s": (7, 3)},
              {"axes": (1,)}, {"norm": "ortho", "axes": (-1, -3)}, {"norm": "forward"}]


@pytest.mark.parametrize("kw", _N_AXES_KW, ids=str)
@pytest.mark.parametrize("name", _N_AXES)
def test_n_axes_transforms(name, kw):
    f, g = getattr(fnp.fft, name), getattr(np.fft, name)
    if name.endswith("2") and "axes" in kw and len(kw["axes"]) != 2:
        pytest.skip("the 2-D transforms take two axes")
    x = Z128 if name.startswith("irfft") else X64
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # NumPy: s without axes
        want = g(x, **kw)
    close(f(fnp.asarray(x), **kw), want)


@pytest.mark.parametrize("name,in_dtype,out_dtype", [
    ("fft", np.float32, np.complex64), ("fft", np.float64, np.complex128),
    ("fft", np.int32, np.complex64), ("fft", np.float16, np.complex64),
    ("fft", ml_dtypes.bfloat16, np.complex64), ("fft", np.complex64, np.complex64),
    ("ifft", np.complex128, np.complex128), ("rfft", np.float32, np.complex64),
    ("rfft", np.float64, np.complex128), ("rfft", np.int32, np.complex64),
    ("rfft", np.float16, np.complex64), ("irfft", np.complex64, np.float32),
    ("irfft", np.complex128, np.float64), ("irfft", np.float32, np.float32),
    ("irfft", np.float64, np.float64),
])
def test_dtypes(name, in_dtype, out_dtype):
    x = np.arange(8).astype(in_dtype)
    got = getattr(fnp.fft, name)(fnp.asarray(x))
    assert got.dtype == np.dtype(out_dtype)
    want = getattr(np.fft, name)(x.astype(np.float64) if in_dtype == ml_dtypes.bfloat16 else x)
    close(got, want, tol=1e-2 if in_dtype in (np.float16, ml_dtypes.bfloat16) else None)


def test_lists_and_round_trips():
    close(fnp.fft.fft([1.0, 0.0, 0.0, 0.0]), np.ones(4), np.complex64)
    x = fnp.asarray(X64)
    close(fnp.fft.ifftn(fnp.fft.fftn(x)), X64)
    close(fnp.fft.irfftn(fnp.fft.rfftn(x), x.shape), X64)
    close(fnp.fft.irfft(fnp.fft.rfft(x, 7), 7)[..., :5], X64)


def test_frequencies_and_shifts():
    for n, d in [(1, 1.0), (6, 0.5), (7, 2.0)]:
        close(fnp.fft.fftfreq(n, d), np.fft.fftfreq(n, d), np.float32)
        close(fnp.fft.rfftfreq(n, d), np.fft.rfftfreq(n, d), np.float32)
    close(fnp.fft.fftfreq(5, dtype="float64"), np.fft.fftfreq(5), np.float64)
    close(fnp.fft.fftfreq(4, fnp.asarray(0.25)), np.fft.fftfreq(4, 0.25))
    for axes in [None, 0, (1, 2), (-1,)]:
        close(fnp.fft.fftshift(fnp.asarray(X64), axes), np.fft.fftshift(X64, axes))
        close(fnp.fft.ifftshift(fnp.asarray(X64), axes), np.fft.ifftshift(X64, axes))


def test_errors():
    x = fnp.asarray(X64)
    with pytest.raises(TypeError, match="real input"):
        fnp.fft.rfft(fnp.asarray(Z128))
    with pytest.raises(ValueError, match="norm"):
        fnp.fft.fft(x, norm="both")
    with pytest.raises(ValueError, match="repeat"):
        fnp.fft.fftn(x, axes=(0, 0))
    with pytest.raises(ValueError, match="data points"):
        fnp.fft.fft(x, n=0)
    with pytest.raises(TypeError, match="static Python int"):
        fn.jit(lambda x, n: fnp.fft.fft(x, n))(x, 3)
    with pytest.raises(ShapeError, match="trailing dimensions"):
        lax.fft(fnp.asarray(Z128), "FFT", (3,))
    with pytest.raises(DtypeError, match="complex operand"):
        lax.fft(x, "FFT", (5,))
    with pytest.raises(ValueError, match="Unknown fft_type"):
        lax.fft(x, "DCT", (5,))


def test_jaxpr_prints_the_fft_type():
    text = str(fn.make_jaxpr(lambda x: fnp.fft.irfft(fnp.fft.rfft(x)))(fnp.ones(8)))
    assert "fft[fft_lengths=(8,) fft_type=RFFT]" in text
    assert "fft[fft_lengths=(8,) fft_type=IRFFT]" in text


# ---------------------------------------------------------------------------------------
# FFT convolution (the seed's use) under grad, jit and vmap.

def fft_convolve(x, k):
    n = x.shape[-1] + k.shape[-1] - 1
    return fnp.fft.irfft(fnp.fft.rfft(x, n) * fnp.fft.rfft(k, n), n)


X = RNG.standard_normal(9)
K = RNG.standard_normal(4)
W = RNG.standard_normal(12)


def loss(x, k):
    return fnp.sum(fft_convolve(x, k) * W)


def _fd_grad(f, args, i, eps=1e-6):
    args = [np.array(a, np.float64) for a in args]
    out = np.zeros_like(args[i])
    for j in np.ndindex(args[i].shape):
        up = [a.copy() for a in args]
        down = [a.copy() for a in args]
        up[i][j] += eps
        down[i][j] -= eps
        out[j] = (float(f(*map(fnp.asarray, up))) - float(f(*map(fnp.asarray, down)))) / (2 * eps)
    return out


def test_convolution_matches_numpy():
    close(fft_convolve(fnp.asarray(X), fnp.asarray(K)), np.convolve(X, K), np.float64)
    got32 = fft_convolve(fnp.asarray(X, "float32"), fnp.asarray(K, "float32"))
    close(got32, np.convolve(X, K), np.float32)


def test_convolution_grads_match_finite_differences():
    gx, gk = fn.grad(loss, argnums=(0, 1))(fnp.asarray(X), fnp.asarray(K))
    close(gx, _fd_grad(loss, (X, K), 0), tol=1e-7)
    close(gk, _fd_grad(loss, (X, K), 1), tol=1e-7)
    # The exact gradients: correlations of W with k and with x.
    close(gx, np.correlate(W, K, "valid"), tol=1e-10)
    close(gk, np.correlate(W, X, "valid"), tol=1e-10)
    check_grads(fft_convolve, (fnp.asarray(X), fnp.asarray(K)), order=2, modes=("fwd", "rev"))


def test_convolution_under_jit_and_vmap():
    xs, ks = RNG.standard_normal((3, 9)), RNG.standard_normal((3, 4))
    grad = fn.grad(loss, argnums=(0, 1))
    eager = [grad(fnp.asarray(x), fnp.asarray(k)) for x, k in zip(xs, ks)]
    for f in (fn.jit(fn.vmap(grad)), fn.vmap(fn.jit(grad)), fn.vmap(grad)):
        gx, gk = f(fnp.asarray(xs), fnp.asarray(ks))
        close(gx, np.stack([np.asarray(e[0]) for e in eager]))
        close(gk, np.stack([np.asarray(e[1]) for e in eager]))
    conv = fn.jit(fn.vmap(fft_convolve, in_axes=(0, None)))(fnp.asarray(xs), fnp.asarray(K))
    close(conv, np.stack([np.convolve(x, K) for x in xs]))
    # vmap over a transformed axis moves it out of the way: in_axes=-1 of a (9, 3) batch.
    conv = fn.vmap(fft_convolve, in_axes=(-1, None))(fnp.asarray(xs.T), fnp.asarray(K))
    close(conv, np.stack([np.convolve(x, K) for x in xs]))
    hess = fn.jit(fn.hessian(lambda x: loss(x, fnp.asarray(K)) ** 2))(fnp.asarray(X))
    assert hess.shape == (9, 9)


def test_grads_of_every_transform_under_jit():
    x = fnp.asarray(X64[0])

    def spectrum_loss(x):
        total = 0.0
        for name in ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "rfft2",
                     "rfftn"]:
            z = getattr(fnp.fft, name)(x, norm="ortho")
            total = total + fnp.sum(fnp.abs(z) ** 2 * 0.5 + fnp.real(z) * fnp.imag(z))
        z = fnp.fft.rfftn(x)
        return total + fnp.sum(fnp.fft.irfftn(z * (1 + 0.5j), x.shape) ** 2)
    check_grads(spectrum_loss, (x,), order=1, modes=("fwd", "rev"))
    close(fn.jit(fn.grad(spectrum_loss))(x), fn.grad(spectrum_loss)(x))


# ---------------------------------------------------------------------------------------
# Complex dtypes: promotion, helpers, conversions.

@pytest.mark.parametrize("a,b,want", [
    (np.float32, 1j, np.complex64),           # a Python complex is weakly typed
    (np.float64, 1j, np.complex128),
    (np.float16, 1j, np.complex64),
    (ml_dtypes.bfloat16, 1j, np.complex64),
    (np.int32, 1j, np.complex64),
    (np.float64, np.complex64, np.complex128),
    (np.float32, np.complex64, np.complex64),
    (np.float32, np.complex128, np.complex128),
    (np.complex64, np.complex128, np.complex128),
    (np.float16, np.complex64, np.complex64),
    (np.int64, np.complex64, np.complex64),
    (np.complex64, 2.5, np.complex64),
    (np.complex128, 1j, np.complex128),
])
def test_promotion(a, b, want):
    x = fnp.ones(3, a)
    y = fnp.ones(3, b) if isinstance(b, type) else b
    assert (x * y).dtype == np.dtype(want)
    assert (y + x).dtype == np.dtype(want)
    other = b if not isinstance(b, type) else np.dtype(b)
    assert fnp.result_type(x, other) == np.dtype(want)


def test_weak_complex_scalars_and_asarray():
    z = fnp.asarray(1 + 2j)
    assert z.dtype == np.complex64 and z.weak_type
    assert (z * 2.0).dtype == np.complex64 and (z * 2.0).weak_type
    assert fnp.asarray([1j, 2]).dtype == np.complex64
    assert fnp.asarray(np.array([1j])).dtype == np.complex128
    assert fnp.array([[1 + 1j, 0], [2, 3]]).shape == (2, 2)
    assert fnp.complex64(3).dtype == np.complex64
    assert fnp.zeros(2, fnp.complex128).dtype == np.complex128
    assert fnp.issubdtype(fnp.complex64, fnp.complexfloating)
    assert fnp.isdtype(fnp.complex128, "complex floating")
    assert not fnp.isdtype(fnp.complex128, "real floating")
    assert fnp.promote_types(fnp.float64, fnp.complex64) == np.complex128
    assert fnp.result_type(complex) == np.complex64
    assert complex(fnp.asarray(1 + 2j)) == 1 + 2j


def test_complex_helpers():
    z = Z128[0]
    zz = fnp.asarray(z)
    close(fnp.real(zz), z.real, np.float64)
    close(fnp.imag(zz), z.imag, np.float64)
    close(fnp.conj(zz), z.conj(), np.complex128)
    close(fnp.conjugate(zz), z.conj())
    close(fnp.angle(zz), np.angle(z), np.float64)
    close(fnp.angle(zz, deg=True), np.angle(z, deg=True))
    close(fnp.angle(fnp.asarray([-1.0, 2.0])), np.angle([-1.0, 2.0]), np.float32)
    close(zz.real, z.real)
    close(zz.imag, z.imag)
    close(zz.conj(), z.conj())
    x = fnp.asarray(X64[0])
    assert fnp.real(x) is x and fnp.conj(x) is x
    close(fnp.imag(x), np.zeros_like(X64[0]))
    assert fnp.iscomplexobj(zz) and not fnp.iscomplexobj(x) and fnp.iscomplexobj(1j)
    z64 = fnp.asarray(z, "complex64")
    assert fnp.real(z64).dtype == np.float32 and fnp.abs(z64).dtype == np.float32
    assert lax.complex(fnp.real(z64), fnp.imag(z64)).dtype == np.complex64


def test_complex_elementwise_math():
    z, w = Z128[0], Z128[1] + 3
    zz, ww = fnp.asarray(z), fnp.asarray(w)
    for name in ["add", "subtract", "multiply", "divide", "power", "equal", "not_equal"]:
        close(getattr(fnp, name)(zz, ww), getattr(np, name)(z, w))
    for name in ["negative", "exp", "log", "sqrt", "sin", "cos", "tanh", "abs", "sign",
                 "square"]:
        close(getattr(fnp, name)(ww), getattr(np, name)(w))
    close(zz ** 3, z ** 3)
    close(zz @ ww.T, z @ w.T)
    close(fnp.sum(zz, axis=0), np.sum(z, axis=0))
    close(fnp.mean(zz), np.mean(z))
    close(fnp.var(zz, axis=0), np.var(z, axis=0), np.float64)
    close(fnp.std(zz), np.std(z), np.float64)
    close(fnp.vdot(zz, ww), np.vdot(z, w))
    close(fnp.linalg.norm(zz), np.linalg.norm(z), np.float64)
    close(fnp.linalg.norm(zz, axis=1), np.linalg.norm(z, axis=1))
    close(fnp.linalg.norm(zz, 1), np.linalg.norm(z, 1))
    close(fnp.where(fnp.real(zz) > 0, zz, ww), np.where(z.real > 0, z, w))
    close(fnp.concatenate([zz, ww]), np.concatenate([z, w]))
    close(zz[1:3, ::2].T.reshape(-1), z[1:3, ::2].T.reshape(-1))
    want = z.copy()
    want[0] += 1j
    close(zz.at[0].add(1j), want)


def test_complex_nonfinite_and_isclose():
    z = np.array([1 + 1j, np.nan + 0j, complex(0, np.inf), 2 + 0j, complex(1, np.nan)])
    for name in ["isnan", "isinf", "isfinite"]:
        close(getattr(fnp, name)(fnp.asarray(z)), getattr(np, name)(z))
    w = fnp.asarray(Z128[0])
    assert fnp.allclose(w, Z128[0] + 1e-12j) and not fnp.allclose(w, Z128[0] + 1e-3j)


def test_complex_to_real_conversion_has_no_warning():
    z = fnp.asarray(Z128[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        close(z.astype("float32"), Z128[0].real.astype(np.float32), np.float32)
        close(z.astype("int32"), np.trunc(Z128[0].real).astype(np.int32))
        close(z.astype("bool"), Z128[0] != 0)
        close(fnp.asarray(X64[0]).astype("complex64"), X64[0].astype(np.complex64))


def test_real_only_ops_reject_complex():
    z = fnp.asarray(Z128[0])
    for f in (lax.floor, lax.tan, lambda z: lax.lt(z, z), lambda z: lax.max(z, z),
              lambda z: lax.rem(z, z), lax.bitwise_not, lambda z: lax.real(fnp.real(z))):
        with pytest.raises(DtypeError):
            f(z)
    with pytest.raises(TypeError, match="floating-point"):
        fn.grad(lambda z: fnp.real(z).sum())(z)
    with pytest.raises(TypeError, match="floating-point output"):
        fn.grad(lambda x: (x * 1j).sum())(fnp.asarray(X64[0]))


def test_jit_does_not_fuse_complex():
    def f(x):
        z = fnp.fft.rfft(x)
        return fnp.abs(z) ** 2 + fnp.real(z * 2j + 1) * 3.0 - fnp.sqrt(fnp.abs(z))
    x = fnp.asarray(RNG.standard_normal((64, 128)))
    close(fn.jit(f)(x), f(x))
    close(fn.jit(fn.grad(lambda x: f(x).sum()))(x), fn.grad(lambda x: f(x).sum())(x))


@pytest.mark.parametrize("name", ["real", "imag", "conj", "complex"])
def test_complex_primitive_transposes(name):
    # grad through each primitive of a real loss, against finite differences.
    fns = {"real": lambda x: fnp.sum(fnp.real(x * (1 + 2j)) ** 2),
           "imag": lambda x: fnp.sum(fnp.imag(fnp.exp(x * (0.3 - 1j))) ** 2),
           "conj": lambda x: fnp.sum(fnp.abs(fnp.conj(x * (1 + 2j)) * (2 - 1j) + x) ** 2),
           "complex": lambda x: fnp.sum(fnp.abs(lax.complex(x, x ** 2) + 1) ** 3)}
    f = fns[name]
    x = X64[0, 0]
    close(fn.grad(f)(fnp.asarray(x)), _fd_grad(f, (x,), 0), tol=1e-6)
    close(fn.vmap(fn.grad(f))(fnp.asarray(X64[0])),
          np.stack([np.asarray(fn.grad(f)(fnp.asarray(r))) for r in X64[0]]))
