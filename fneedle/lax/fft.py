"""The `fft` primitive: complex and real discrete Fourier transforms over trailing axes, as
jax.lax.fft, with NumPy's pocketfft as the impl and rules for jvp, transpose and vmap.

fft_type is FFT (complex -> complex), IFFT (its inverse, scaled by 1/n), RFFT (real ->
the n//2 + 1 non-negative frequencies of the last axis) or IRFFT (its inverse). Complex
cotangents follow JAX's convention (docs/design.md, Dtypes).
"""

import enum
import math

import numpy as np

from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import deflinear
from fneedle.lax.batch_rules import move_to_front


class FftType(enum.IntEnum):
    """Which transform `fft` computes."""

    FFT = 0
    IFFT = 1
    RFFT = 2
    IRFFT = 3

    def __repr__(self):  # as printed in jaxprs: fft_type=RFFT
        return self.name

    __str__ = __repr__


def fft(x, fft_type, fft_lengths):
    """The `fft_type` transform of x over its last len(fft_lengths) axes.

    Args:
      x: complex64/complex128 for FFT, IFFT and IRFFT; float32/float64 for RFFT.
      fft_type: an FftType or its name ("FFT", "IFFT", "RFFT", "IRFFT").
      fft_lengths: the transform's lengths, one per trailing axis. They equal x's trailing
        shape, except that IRFFT's last length n is that of the real output (x's last axis
        then has n // 2 + 1 entries).
    Returns:
      FFT/IFFT: x's shape and dtype. RFFT: complex, with n // 2 + 1 entries on the last axis.
      IRFFT: real, of trailing shape fft_lengths.
    Example:
      fft(x, "RFFT", (8,)) of a float32[3, 8] array is complex64[3, 5].
    """
    if isinstance(fft_type, str):
        try:
            fft_type = FftType[fft_type.upper()]
        except KeyError:
            raise ValueError(f"Unknown fft_type {fft_type!r}; use FFT, IFFT, RFFT or "
                             f"IRFFT.") from None
    fft_type = FftType(fft_type)
    fft_lengths = tuple(int(n) for n in fft_lengths)
    if not fft_lengths:
        return x
    return fft_p.bind(x, fft_type=fft_type, fft_lengths=fft_lengths)


def _fft_abstract_eval(x, fft_type, fft_lengths):
    k = len(fft_lengths)
    if not 1 <= k <= x.ndim:
        raise ShapeError(f"fft over {k} axes of {x.str_short()}: fft_lengths must name between "
                         f"1 and {x.ndim} trailing axes.")
    if any(n < 1 for n in fft_lengths):
        raise ShapeError(f"fft lengths must be positive, got {fft_lengths}.")
    lead, trail = x.shape[:-k], x.shape[-k:]
    if fft_type == FftType.RFFT:
        if x.dtype not in (dtypes.float32, dtypes.float64):
            raise DtypeError(f"fft {fft_type!r} needs a float32 or float64 operand, got "
                             f"{x.str_short()}.")
        want = fft_lengths
        out = ShapedArray(lead + fft_lengths[:-1] + (fft_lengths[-1] // 2 + 1,),
                          dtypes.complex_dtype(x.dtype))
    else:
        if not dtypes.is_complex(x.dtype):
            raise DtypeError(f"fft {fft_type!r} needs a complex operand, got {x.str_short()}; "
                             f"convert it with convert_element_type(x, 'complex64').")
        if fft_type == FftType.IRFFT:
            want = fft_lengths[:-1] + (fft_lengths[-1] // 2 + 1,)
            out = ShapedArray(lead + fft_lengths, dtypes.real_dtype(x.dtype))
        else:
            want = fft_lengths
            out = ShapedArray(x.shape, x.dtype)
    if trail != want:
        raise ShapeError(f"fft {fft_type!r} with fft_lengths={fft_lengths} needs trailing "
                         f"dimensions {want}, got {x.str_short()}. Pad or crop first "
                         f"(fneedle.numpy.fft does).")
    return out


_NUMPY = {FftType.FFT: np.fft.fftn, FftType.IFFT: np.fft.ifftn, FftType.RFFT: np.fft.rfftn,
          FftType.IRFFT: np.fft.irfftn}


def _fft_impl(x, fft_type, fft_lengths):
    axes = tuple(range(x.ndim - len(fft_lengths), x.ndim))
    out = _NUMPY[fft_type](x, s=fft_lengths, axes=axes)
    if fft_type == FftType.RFFT:
        dt = dtypes.complex_dtype(x.dtype)
    elif fft_type == FftType.IRFFT:
        dt = dtypes.real_dtype(x.dtype)
    else:
        dt = x.dtype
    return np.asarray(out, dt)  # NumPy may compute in double precision


fft_p = Primitive("fft")
fft_p.def_impl(_fft_impl)
fft_p.def_abstract_eval(_fft_abstract_eval)
fft_p.weak_type_rule = lambda in_weak, **params: False


# ---------------------------------------------------------------------------------------
# Transpose (the jvp is fft of the tangent). FFT and IFFT are complex-linear with symmetric
# matrices: each is its own transpose. RFFT is FFT followed by keeping the first n//2 + 1
# entries of the last axis, so its transpose pads the cotangent with zeros, applies FFT and
# keeps the real part (the transpose of real -> complex). IRFFT's transpose is
# conj(RFFT(ct) * mask / prod(n)): the mask doubles the entries that stand for two
# (Hermitian) frequencies.

def _rfft_transpose(ct, fft_lengths):
    from fneedle.lax.complex import real
    from fneedle.lax.slicing import pad
    aval = get_aval(ct)
    n = fft_lengths[-1]
    config = [(0, 0, 0)] * (aval.ndim - 1) + [(0, n - aval.shape[-1], 0)]
    full = pad(ct, 0.0, config)
    return real(fft(full, FftType.FFT, fft_lengths))


def _irfft_transpose(ct, fft_lengths):
    from fneedle.lax.arithmetic import mul
    from fneedle.lax.complex import conj
    from fneedle.lax.shape import broadcast_in_dim
    x = fft(ct, FftType.RFFT, fft_lengths)
    aval = get_aval(x)
    m, n = aval.shape[-1], fft_lengths[-1]
    mask = np.full(m, 2.0)
    mask[0] = 1.0
    if n % 2 == 0:
        mask[-1] = 1.0  # the Nyquist frequency stands for itself
    mask = Array(np.asarray(mask / math.prod(fft_lengths), aval.dtype))
    return conj(mul(x, broadcast_in_dim(mask, aval.shape, (aval.ndim - 1,))))


def _fft_transpose(ct, x, fft_type, fft_lengths):
    if fft_type == FftType.RFFT:
        return [_rfft_transpose(ct, fft_lengths)]
    if fft_type == FftType.IRFFT:
        return [_irfft_transpose(ct, fft_lengths)]
    return [fft(ct, fft_type, fft_lengths)]


deflinear(fft_p, _fft_transpose)


def _fft_batch(args, dims, fft_type, fft_lengths):
    (x,), (d,) = args, dims
    if d < get_aval(x).ndim - len(fft_lengths):  # a leading axis: the transform ignores it
        return fft_p.bind(x, fft_type=fft_type, fft_lengths=fft_lengths), d
    return fft_p.bind(move_to_front(x, d), fft_type=fft_type, fft_lengths=fft_lengths), 0


fft_p.def_batch(_fft_batch)
