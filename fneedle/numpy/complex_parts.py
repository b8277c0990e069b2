"""Complex parts: conjugate, real, imag, angle and iscomplexobj (real arrays pass through)."""

import math

from fneedle import lax
from fneedle.core import dtypes
from fneedle.lax.complex import conj as _conj
from fneedle.lax.complex import imag as _imag
from fneedle.lax.complex import real as _real
from fneedle.numpy.promotion import aval_of
from fneedle.numpy.ufunc_base import as_array, inexact


def conjugate(x, /):
    """The complex conjugate, elementwise (a real array is its own conjugate).

    Example: fnp.conj(fnp.asarray([1 + 2j])) -> [1 - 2j].
    """
    x = as_array(x)
    return _conj(x) if dtypes.is_complex(x.dtype) else x


conj = conjugate


def real(x, /):
    """The real part (float32 for complex64, float64 for complex128; real arrays unchanged).

    Example: fnp.real(fnp.asarray([1 + 2j])) -> [1.].
    """
    x = as_array(x)
    return _real(x) if dtypes.is_complex(x.dtype) else x


def imag(x, /):
    """The imaginary part (zeros of x's dtype for a real array).

    Example: fnp.imag(fnp.asarray([1 + 2j])) -> [2.].
    """
    x = as_array(x)
    if dtypes.is_complex(x.dtype):
        return _imag(x)
    return lax.full(x.shape, 0, x.dtype)


def angle(z, deg=False):
    """The argument of z in (-pi, pi] (in degrees if deg), as a real float array.

    Example: fnp.angle(fnp.asarray([1j, -1.0])) -> [pi/2, pi].
    """
    z = as_array(z)
    if dtypes.is_complex(z.dtype):
        y, x = _imag(z), _real(z)
    else:
        x = inexact(z, "angle")
        y = lax.full_like(x, 0.0)
    out = lax.atan2(y, x)
    return lax.mul(out, 180.0 / math.pi) if deg else out


def iscomplexobj(x):
    """Whether x has a complex dtype (whatever its values).

    Example: fnp.iscomplexobj(fnp.asarray([1.0 + 0j])) is True.
    """
    return dtypes.is_complex(aval_of(x).dtype)
