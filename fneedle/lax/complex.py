"""Complex-number primitives: real, imag, conj and complex(x, y), with their rules.

All four are linear over the reals. Their transposes follow JAX's convention for a complex
cotangent: for z = x + iy it is ct_x - i*ct_y, so that the gradient of a real loss through
complex intermediates comes out right (docs/design.md, Dtypes).
"""

import numpy as np

from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError
from fneedle.core.linear import is_undefined_primal
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import deflinear
from fneedle.lax.arithmetic import _result_shape, _same_dtype, elementwise_batch_rule
from fneedle.lax.batch_rules import elementwise_batch


def _check_complex(name, x):
    if not dtypes.is_complex(x.dtype):
        raise DtypeError(f"'{name}' requires a complex operand, got {x.str_short()}. For real "
                         f"arrays use fneedle.numpy.{name}, which handles them, or convert "
                         f"first with convert_element_type(x, 'complex64').")


def _complex_to_real(name, impl):
    """A unary primitive from a complex array to a real one of the matching width."""
    prim = Primitive(name)
    prim.def_impl(lambda x: np.array(impl(x), order="C"))  # ascontiguousarray makes 0-d 1-d

    def abstract_eval(x):
        _check_complex(name, x)
        return ShapedArray(x.shape, dtypes.real_dtype(x.dtype))
    prim.def_abstract_eval(abstract_eval)
    elementwise_batch(prim)
    return prim


real_p = _complex_to_real("real", np.real)
imag_p = _complex_to_real("imag", np.imag)

conj_p = Primitive("conj")
conj_p.def_impl(np.conj)


def _conj_abstract_eval(x):
    _check_complex("conj", x)
    return ShapedArray(x.shape, x.dtype)


conj_p.def_abstract_eval(_conj_abstract_eval)
elementwise_batch(conj_p)

complex_p = Primitive("complex")


def _complex_impl(x, y):
    out = np.empty(np.broadcast_shapes(x.shape, y.shape), dtypes.complex_dtype(x.dtype))
    out.real, out.imag = x, y
    return out


def _complex_abstract_eval(x, y):
    shape = _result_shape("complex", (x, y))
    dt = _same_dtype("complex", (x, y))
    if dt not in (dtypes.float32, dtypes.float64):
        raise DtypeError(f"'complex' needs float32 or float64 parts, got {x.str_short()} and "
                         f"{y.str_short()}. Convert 16-bit floats and integers to float32.")
    return ShapedArray(shape, dtypes.complex_dtype(dt))


complex_p.def_impl(_complex_impl)
complex_p.def_abstract_eval(_complex_abstract_eval)
elementwise_batch_rule(complex_p)


def real(x):
    """The real part of a complex array (float32 for complex64, float64 for complex128)."""
    return real_p.bind(x)


def imag(x):
    """The imaginary part of a complex array (float32 for complex64, float64 for complex128)."""
    return imag_p.bind(x)


def conj(x):
    """The complex conjugate x - iy of a complex array x + iy."""
    return conj_p.bind(x)


def complex(x, y):
    """x + iy from real parts x and y of one dtype (float32 -> complex64, float64 ->
    complex128); a rank-0 part broadcasts against the other.

    Example: complex(fneedle.numpy.ones(2), 0.5) -> [1+0.5j, 1+0.5j] (complex64).
    """
    from fneedle.lax.arithmetic import _scalars_like
    return complex_p.bind(*_scalars_like(x, y))


# ---------------------------------------------------------------------------------------
# Transposes (jvps are the primitives themselves: deflinear). With ct = ct_x - i ct_y:
#   real:    z -> x         ct_z = ct                 = complex(ct, 0)
#   imag:    z -> y         ct_z = -i ct              = complex(0, -ct)
#   conj:    z -> x - iy    ct_z = ct_x + i ct_y      = conj(ct)
#   complex: (x, y) -> z    ct_x = real(ct), ct_y = -imag(ct)

def _real_transpose(ct, x):
    from fneedle.lax.arithmetic import convert_element_type
    return [convert_element_type(ct, x.aval.dtype)]


def _imag_transpose(ct, x):
    from fneedle.lax.arithmetic import mul
    from fneedle.lax.elementwise import neg
    return [complex(mul(ct, 0.0), neg(ct))]


def _complex_transpose(ct, x, y):
    from fneedle.lax.arithmetic import _unbroadcast
    from fneedle.lax.elementwise import neg
    return [_unbroadcast(real(ct), x.aval) if is_undefined_primal(x) else None,
            _unbroadcast(neg(imag(ct)), y.aval) if is_undefined_primal(y) else None]


deflinear(real_p, _real_transpose)
deflinear(imag_p, _imag_transpose)
deflinear(conj_p, lambda ct, x: [conj(ct)])
deflinear(complex_p, _complex_transpose)
