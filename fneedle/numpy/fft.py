"""fneedle.numpy.fft: NumPy's discrete Fourier transforms over the `fft` primitive.

`n`/`s` crop or zero-pad the input along the transformed axes, `axis`/`axes` pick them, and
`norm` ("backward" by default, "ortho", "forward") places the 1/n factor, as in numpy.fft.
Real input to the complex transforms becomes complex64 (complex128 from float64); rfft*
takes real input. Everything traces under jit, grad (real losses) and vmap.

    y = fnp.fft.irfft(fnp.fft.rfft(x, 2 * n) * fnp.fft.rfft(k, 2 * n), 2 * n)  # convolution
"""

import math

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.lax.fft import FftType
from fneedle.lax.fft import fft as _fft
from fneedle.numpy import manipulation, ufuncs
from fneedle.numpy.promotion import asarray, canonical_axis, static_int

__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "ifft", "ifft2", "ifftn", "ifftshift",
           "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn"]

_INVERSE = (FftType.IFFT, FftType.IRFFT)


def _as_input(a, fft_type, name):
    """a converted to what the transform takes: float32/64 for rfft, complex for the rest."""
    a = asarray(a)
    dt = a.dtype
    if fft_type == FftType.RFFT:
        if dtypes.is_complex(dt):
            raise TypeError(f"fneedle.numpy.fft.{name} takes real input, got {dt}; use "
                            f"fft / fftn for complex input, or pass the real part.")
        want = dt if dt in (dtypes.float32, dtypes.float64) else dtypes.float32
    else:
        want = dtypes.complex_dtype(dt)
    return lax.convert_element_type(a, want) if dt != want else a


def _norm_factor(norm, fft_type, size, name):
    if norm is None or norm == "backward":
        return None
    if norm == "ortho":
        return math.sqrt(size) if fft_type in _INVERSE else 1.0 / math.sqrt(size)
    if norm == "forward":
        return float(size) if fft_type in _INVERSE else 1.0 / size
    raise ValueError(f"fneedle.numpy.fft.{name}: invalid norm {norm!r}; use 'backward', "
                     f"'ortho' or 'forward'.")


def _resize(x, axis, n):
    """x cropped or zero-padded to n entries along axis."""
    have = x.shape[axis]
    if have == n:
        return x
    config = [(0, 0, 0)] * x.ndim
    config[axis] = (0, n - have, 0)
    return lax.pad(x, 0.0, config)


def _axes_and_lengths(a, s, axes, fft_type, name):
    """Canonical axes and the transform lengths along them (NumPy's defaults)."""
    if axes is None:
        axes = tuple(range(a.ndim)) if s is None else tuple(range(a.ndim - len(s), a.ndim))
    axes = tuple(canonical_axis(ax, a.ndim, "axes") for ax in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"fneedle.numpy.fft.{name}: axes {axes} repeat an axis.")
    if not axes:
        raise ValueError(f"fneedle.numpy.fft.{name} needs at least one axis.")
    if s is None:
        s = [a.shape[ax] for ax in axes]
        if fft_type == FftType.IRFFT:
            s[-1] = 2 * (a.shape[axes[-1]] - 1)
    s = tuple(static_int(n, f"fneedle.numpy.fft.{name}'s length") for n in s)
    if len(s) != len(axes):
        raise ValueError(f"fneedle.numpy.fft.{name}: s {s} and axes {axes} differ in length.")
    if any(n < 1 for n in s):
        raise ValueError(f"fneedle.numpy.fft.{name}: invalid number of data points {s}; "
                         f"each must be at least 1.")
    return axes, s


def _transform(name, fft_type, a, s, axes, norm):
    """The fft_type transform of `a` over `axes` (the last one real for RFFT/IRFFT)."""
    a = _as_input(a, fft_type, name)
    axes, s = _axes_and_lengths(a, s, axes, fft_type, name)
    # Move the transformed axes to the end, in the given order: the primitive works there.
    perm = tuple(i for i in range(a.ndim) if i not in axes) + axes
    x = lax.transpose(a, perm) if perm != tuple(range(a.ndim)) else a
    k = len(axes)
    for i, n in enumerate(s):
        if fft_type == FftType.IRFFT and i == k - 1:
            n = n // 2 + 1
        x = _resize(x, x.ndim - k + i, n)
    y = _fft(x, fft_type, s)
    factor = _norm_factor(norm, fft_type, math.prod(s), name)
    if factor is not None:
        y = lax.mul(y, factor)
    inverse = tuple(int(i) for i in np.argsort(perm))
    return lax.transpose(y, inverse) if inverse != tuple(range(y.ndim)) else y


def _one_axis(n, axis):
    return None if n is None else (n,), (axis,)


def fft(a, n=None, axis=-1, norm=None):
    """The 1-D discrete Fourier transform along `axis` (cropped or zero-padded to n).

    Example: fnp.fft.fft(fnp.asarray([1.0, 0.0, 0.0, 0.0])) -> [1, 1, 1, 1] (complex64).
    """
    return _transform("fft", FftType.FFT, a, *_one_axis(n, axis), norm)


def ifft(a, n=None, axis=-1, norm=None):
    """The inverse of fft along `axis`: ifft(fft(x)) == x.

    Example: fnp.fft.ifft(fnp.fft.fft(x)) recovers x (as complex).
    """
    return _transform("ifft", FftType.IFFT, a, *_one_axis(n, axis), norm)


def rfft(a, n=None, axis=-1, norm=None):
    """The FFT of real input: the n // 2 + 1 non-negative frequency terms along `axis`.

    Example: fnp.fft.rfft(fnp.ones(8)).shape == (5,).
    """
    return _transform("rfft", FftType.RFFT, a, *_one_axis(n, axis), norm)


def irfft(a, n=None, axis=-1, norm=None):
    """The inverse of rfft: n real outputs (default 2 * (a.shape[axis] - 1)) along `axis`.

    Example: fnp.fft.irfft(fnp.fft.rfft(x, 9), 9) recovers a length-9 x.
    """
    return _transform("irfft", FftType.IRFFT, a, *_one_axis(n, axis), norm)


def fftn(a, s=None, axes=None, norm=None):
    """The N-D FFT over `axes` (all by default; the last len(s) if only s is given).

    Example: fnp.fft.fftn(x).shape == x.shape.
    """
    return _transform("fftn", FftType.FFT, a, s, axes, norm)


def ifftn(a, s=None, axes=None, norm=None):
    """The inverse of fftn. Example: fnp.fft.ifftn(fnp.fft.fftn(x)) recovers x."""
    return _transform("ifftn", FftType.IFFT, a, s, axes, norm)


def rfftn(a, s=None, axes=None, norm=None):
    """The N-D FFT of real input; the last of `axes` keeps s[-1] // 2 + 1 frequencies.

    Example: fnp.fft.rfftn(fnp.ones((4, 6))).shape == (4, 4).
    """
    return _transform("rfftn", FftType.RFFT, a, s, axes, norm)


def irfftn(a, s=None, axes=None, norm=None):
    """The inverse of rfftn; s[-1] defaults to 2 * (a.shape[axes[-1]] - 1).

    Example: fnp.fft.irfftn(fnp.fft.rfftn(x), x.shape) recovers x.
    """
    return _transform("irfftn", FftType.IRFFT, a, s, axes, norm)


def fft2(a, s=None, axes=(-2, -1), norm=None):
    """The 2-D FFT over `axes` (the last two). Example: fnp.fft.fft2(x).shape == x.shape."""
    return _transform("fft2", FftType.FFT, a, s, axes, norm)


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    """The inverse of fft2. Example: fnp.fft.ifft2(fnp.fft.fft2(x)) recovers x."""
    return _transform("ifft2", FftType.IFFT, a, s, axes, norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    """The 2-D FFT of real input. Example: fnp.fft.rfft2(fnp.ones((4, 6))).shape == (4, 4)."""
    return _transform("rfft2", FftType.RFFT, a, s, axes, norm)


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    """The inverse of rfft2. Example: fnp.fft.irfft2(fnp.fft.rfft2(x), x.shape) recovers x."""
    return _transform("irfft2", FftType.IRFFT, a, s, axes, norm)


# ---------------------------------------------------------------------------------------
# Frequencies and shifts.

def _frequencies(k, n, d, dtype):
    dtype = dtypes.default_float if dtype is None else dtypes.canonicalize(dtype)
    if isinstance(d, (int, float)):
        return asarray(np.asarray(k / (n * d)), dtype)
    return ufuncs.true_divide(asarray(k, dtype), ufuncs.multiply(d, float(n)))


def fftfreq(n, d=1.0, *, dtype=None):
    """The sample frequencies of an n-point FFT with sample spacing d: [0, 1, ..., -1] / (d n).

    The result is float32 unless `dtype` says otherwise. Example: fnp.fft.fftfreq(4) ->
    [0, 0.25, -0.5, -0.25].
    """
    n = static_int(n, "fftfreq's n")
    k = np.concatenate([np.arange((n - 1) // 2 + 1), np.arange(-(n // 2), 0)]).astype(np.float64)
    return _frequencies(k, n, d, dtype)


def rfftfreq(n, d=1.0, *, dtype=None):
    """The sample frequencies of rfft's output: [0, 1, ..., n // 2] / (d n).

    Example: fnp.fft.rfftfreq(4) -> [0, 0.25, 0.5].
    """
    n = static_int(n, "rfftfreq's n")
    return _frequencies(np.arange(n // 2 + 1, dtype=np.float64), n, d, dtype)


def _shift(x, axes, sign):
    x = asarray(x)
    if axes is None:
        axes = tuple(range(x.ndim))
    elif isinstance(axes, int):
        axes = (axes,)
    axes = tuple(canonical_axis(ax, x.ndim, "axes") for ax in axes)
    if not axes:
        return x
    shifts = tuple(sign * (x.shape[ax] // 2) for ax in axes)
    return manipulation.roll(x, shifts, axes)


def fftshift(x, axes=None):
    """x with the zero frequency moved to the centre of `axes` (all by default).

    Example: fnp.fft.fftshift(fnp.fft.fftfreq(4)) -> [-0.5, -0.25, 0, 0.25].
    """
    return _shift(x, axes, 1)


def ifftshift(x, axes=None):
    """The inverse of fftshift. Example: fnp.fft.ifftshift(fnp.fft.fftshift(x)) == x."""
    return _shift(x, axes, -1)
