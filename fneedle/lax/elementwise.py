"""Elementwise unary primitives (sin, exp, ...): NumPy impls, type rules, jvps, CPU kernels.

Each primitive is one row of a table: its name, NumPy impl, accepted dtypes and jvp. 16-bit
floats are computed in float32 and rounded back, as the C++ kernels do. Complex operands are
accepted where NumPy's ufunc takes them (kind "inexact", and the numeric ones); abs of a
complex value is real.
"""

import math

import numpy as np
import scipy.special

from fneedle.backend import cpu as cpu_backend
from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import Zero, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import defjvp, defjvp_ans, deflinear
from fneedle.lax.batch_rules import elementwise_batch

_FLOAT, _NUMERIC, _INT_OR_BOOL, _ANY = "float", "numeric", "int_or_bool", "any"
_INEXACT = "inexact"  # real or complex floating point
_16BIT = frozenset({dtypes.float16, dtypes.bfloat16})


def _check_dtype(name, dtype, kind):
    ok = {_FLOAT: dtypes.is_float(dtype),
          _INEXACT: dtypes.is_inexact(dtype),
          _NUMERIC: dtype != dtypes.bool_,
          _INT_OR_BOOL: not dtypes.is_inexact(dtype),
          _ANY: True}[kind]
    if not ok:
        want = {_FLOAT: "a real floating-point", _INEXACT: "a floating-point or complex",
                _NUMERIC: "a numeric (non-bool)", _INT_OR_BOOL: "an integer or bool"}[kind]
        fix = " Convert it first, e.g. x.astype('float32')." if kind in (_FLOAT, _INEXACT) \
            else ""
        raise DtypeError(f"'{name}' requires {want} operand, got {dtypes.short_name(dtype)}."
                         + fix)


def _kind_ok(dtype, kind):
    try:
        _check_dtype("", dtype, kind)
        return True
    except DtypeError:
        return False


def _float_impl(fn, out_dtype=None):
    """Runs fn in float32 for 16-bit floats and returns out_dtype (default: the operand's)."""
    def impl(x, **params):
        if x.dtype.itemsize == 2:  # float16, bfloat16
            return np.asarray(fn(x.astype(np.float32), **params)).astype(out_dtype or x.dtype)
        out = fn(x, **params)  # NumPy/SciPy ufuncs keep float32 and float64
        dt = out_dtype or x.dtype
        return out if out.dtype is dt or out.dtype == dt else out.astype(dt)
    impl.__name__ = getattr(fn, "__name__", "impl")
    return impl


def unary_primitive(name, impl, kind, out_dtype=None):
    """Makes a unary elementwise primitive with its impl, type rule, batch rule and kernel."""
    prim = Primitive(name)
    if kind in (_FLOAT, _INEXACT):
        impl = _float_impl(impl, out_dtype)
    prim.def_impl(impl)

    def abstract_eval(x, **params):
        _check_dtype(name, x.dtype, kind)
        return ShapedArray(x.shape, out_dtype or x.dtype)
    prim.def_abstract_eval(abstract_eval)
    allowed = frozenset(d for d in dtypes.SUPPORTED if _kind_ok(d, kind))
    prim.eager_check = lambda x: x.dtype in allowed
    elementwise_batch(prim)
    if cpu_backend.available and name in cpu_backend.UNARY_OPS:
        prim.def_lowering("cpu", cpu_backend.unary_kernel(name, prim.impl))
    return prim


def _zero_jvp(prim):
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        return out, Zero(tangent_aval(get_aval(out)))
    prim.def_jvp(jvp)


def _rsqrt(x):
    return 1.0 / np.sqrt(x)


def _logistic(x):
    with np.errstate(over="ignore"):
        return scipy.special.expit(x)


def _round_impl(x, rounding_method):
    if rounding_method == 1:
        return np.round(x)
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5)).astype(x.dtype)


def _sign_impl(x):
    return np.sign(x).astype(x.dtype) if x.dtype != np.bool_ else x.copy()


def _not_impl(x):
    return np.logical_not(x) if x.dtype == np.bool_ else np.invert(x)


neg_p = unary_primitive("neg", np.negative, _NUMERIC)
sign_p = unary_primitive("sign", _sign_impl, _NUMERIC)
floor_p = unary_primitive("floor", np.floor, _FLOAT)
ceil_p = unary_primitive("ceil", np.ceil, _FLOAT)
round_p = unary_primitive("round", _round_impl, _FLOAT)
abs_p = unary_primitive("abs", np.abs, _NUMERIC)
exp_p = unary_primitive("exp", np.exp, _INEXACT)
exp2_p = unary_primitive("exp2", np.exp2, _FLOAT)
log_p = unary_primitive("log", np.log, _INEXACT)
log1p_p = unary_primitive("log1p", np.log1p, _FLOAT)
expm1_p = unary_primitive("expm1", np.expm1, _FLOAT)
sqrt_p = unary_primitive("sqrt", np.sqrt, _INEXACT)
rsqrt_p = unary_primitive("rsqrt", _rsqrt, _FLOAT)
cbrt_p = unary_primitive("cbrt", np.cbrt, _FLOAT)
sin_p = unary_primitive("sin", np.sin, _INEXACT)
cos_p = unary_primitive("cos", np.cos, _INEXACT)
tan_p = unary_primitive("tan", np.tan, _FLOAT)
asin_p = unary_primitive("asin", np.arcsin, _FLOAT)
acos_p = unary_primitive("acos", np.arccos, _FLOAT)
atan_p = unary_primitive("atan", np.arctan, _FLOAT)
sinh_p = unary_primitive("sinh", np.sinh, _FLOAT)
cosh_p = unary_primitive("cosh", np.cosh, _FLOAT)
tanh_p = unary_primitive("tanh", np.tanh, _INEXACT)
asinh_p = unary_primitive("asinh", np.arcsinh, _FLOAT)
acosh_p = unary_primitive("acosh", np.arccosh, _FLOAT)
atanh_p = unary_primitive("atanh", np.arctanh, _FLOAT)
logistic_p = unary_primitive("logistic", _logistic, _FLOAT)
erf_p = unary_primitive("erf", scipy.special.erf, _FLOAT)
erfc_p = unary_primitive("erfc", scipy.special.erfc, _FLOAT)
erf_inv_p = unary_primitive("erf_inv", scipy.special.erfinv, _FLOAT)
lgamma_p = unary_primitive("lgamma", scipy.special.gammaln, _FLOAT)
digamma_p = unary_primitive("digamma", scipy.special.digamma, _FLOAT)
polygamma_p = unary_primitive("polygamma", lambda x, m: scipy.special.polygamma(m, x), _FLOAT)
square_p = unary_primitive("square", np.square, _NUMERIC)
integer_pow_p = unary_primitive(
    "integer_pow", lambda x, y: np.asarray(np.power(x, y, dtype=x.dtype) if y >= 0 else
                                           np.reciprocal(np.power(x, -y, dtype=x.dtype))),
    _NUMERIC)
is_finite_p = unary_primitive("is_finite", np.isfinite, _FLOAT, out_dtype=dtypes.bool_)
not_p = unary_primitive("not", _not_impl, _INT_OR_BOOL)


def _abs_abstract_eval(x):
    _check_dtype("abs", x.dtype, _NUMERIC)
    return ShapedArray(x.shape, dtypes.real_dtype(x.dtype))  # |complex| is real


abs_p.def_abstract_eval(_abs_abstract_eval)
# round's kernel depends on its rounding method, so it is chosen per call.
if cpu_backend.available and "round" in cpu_backend.UNARY_OPS:
    _round_even = cpu_backend.unary_kernel("round", _float_impl(np.round))
    _round_away = cpu_backend.unary_kernel(
        "round_away", lambda x: round_p.impl(x, rounding_method=0))
    round_p.def_lowering("cpu", lambda x, rounding_method: (
        _round_even(x) if rounding_method == 1 else _round_away(x)))


def neg(x): return neg_p.bind(x)
def sign(x): return sign_p.bind(x)
def floor(x): return floor_p.bind(x)
def ceil(x): return ceil_p.bind(x)
def abs(x): return abs_p.bind(x)  # noqa: A001 (the lax name)
def exp(x): return exp_p.bind(x)
def exp2(x): return exp2_p.bind(x)
def log(x): return log_p.bind(x)
def log1p(x): return log1p_p.bind(x)
def expm1(x): return expm1_p.bind(x)
def sqrt(x): return sqrt_p.bind(x)
def rsqrt(x): return rsqrt_p.bind(x)
def cbrt(x): return cbrt_p.bind(x)
def sin(x): return sin_p.bind(x)
def cos(x): return cos_p.bind(x)
def tan(x): return tan_p.bind(x)
def asin(x): return asin_p.bind(x)
def acos(x): return acos_p.bind(x)
def atan(x): return atan_p.bind(x)
def sinh(x): return sinh_p.bind(x)
def cosh(x): return cosh_p.bind(x)
def tanh(x): return tanh_p.bind(x)
def asinh(x): return asinh_p.bind(x)
def acosh(x): return acosh_p.bind(x)
def atanh(x): return atanh_p.bind(x)
def logistic(x): return logistic_p.bind(x)
def erf(x): return erf_p.bind(x)
def erfc(x): return erfc_p.bind(x)
def erf_inv(x): return erf_inv_p.bind(x)
def lgamma(x): return lgamma_p.bind(x)
def digamma(x): return digamma_p.bind(x)
def square(x): return square_p.bind(x)
def is_finite(x): return is_finite_p.bind(x)
def bitwise_not(x): return not_p.bind(x)


def round(x, rounding_method=0):  # noqa: A001
    """Rounds to the nearest integer: half away from zero (0, default) or to even (1)."""
    return round_p.bind(x, rounding_method=int(rounding_method))


def polygamma(m, x):
    """The m-th derivative of digamma, for a static integer m >= 0."""
    return polygamma_p.bind(x, m=int(m))


def integer_pow(x, y):
    """x ** y for a static Python integer y."""
    return integer_pow_p.bind(x, y=int(y))


# ---------------------------------------------------------------------------------------
# jvp rules: d(out) = rule(tangent, [ans,] x). Written with lax ops so they trace.

def _mul(a, b):
    from fneedle.lax.arithmetic import mul
    return mul(a, b)


def _div(a, b):
    from fneedle.lax.arithmetic import div
    return div(a, b)


def _add(a, b):
    from fneedle.lax.arithmetic import add
    return add(a, b)


def _sub(a, b):
    from fneedle.lax.arithmetic import sub
    return sub(a, b)


deflinear(neg_p, lambda ct, x: [neg(ct)])
for _p in (floor_p, ceil_p, round_p, is_finite_p, not_p):
    _zero_jvp(_p)


def _abs_jvp(g, x):
    if not dtypes.is_complex(get_aval(x).dtype):
        return _mul(g, sign(x))
    # d|z| = Re(conj(z) dz) / |z|, with |z| = 1 put in at z = 0 (where the tangent is 0).
    from fneedle.lax.arithmetic import convert_element_type, eq, select_n
    from fneedle.lax.complex import conj, real
    mag = convert_element_type(abs(x), get_aval(x).dtype)
    safe = select_n(eq(mag, 0.0), mag, _add(_mul(mag, 0.0), 1.0))
    return real(_mul(g, _div(conj(x), safe)))


defjvp(abs_p, _abs_jvp)


def _sign_jvp(g, x):
    if not dtypes.is_complex(get_aval(x).dtype):
        return Zero(tangent_aval(get_aval(x)))  # piecewise constant
    # sign(z) = z / |z|: d sign = (dz - s Re(conj(s) dz)) / |z|, taken as 0 at z = 0.
    from fneedle.lax.arithmetic import convert_element_type, eq, select_n
    from fneedle.lax.complex import conj, real
    s = sign(x)
    dt = get_aval(x).dtype
    mag = convert_element_type(abs(x), dt)
    zero = eq(mag, 0.0)
    safe = select_n(zero, mag, _add(_mul(mag, 0.0), 1.0))
    along = _mul(s, convert_element_type(real(_mul(conj(s), g)), dt))
    out = _div(_sub(g, along), safe)
    return select_n(zero, out, _mul(out, 0.0))


defjvp(sign_p, _sign_jvp)
defjvp_ans(exp_p, lambda g, ans, x: _mul(g, ans))
defjvp_ans(exp2_p, lambda g, ans, x: _mul(g, _mul(ans, math.log(2.0))))
defjvp(log_p, lambda g, x: _div(g, x))
defjvp(log1p_p, lambda g, x: _div(g, _add(x, 1.0)))
defjvp_ans(expm1_p, lambda g, ans, x: _mul(g, _add(ans, 1.0)))
defjvp_ans(sqrt_p, lambda g, ans, x: _div(_mul(g, 0.5), ans))
defjvp_ans(rsqrt_p, lambda g, ans, x: _mul(g, _mul(-0.5, _div(ans, x))))
defjvp_ans(cbrt_p, lambda g, ans, x: _mul(g, _mul(1.0 / 3.0, integer_pow(ans, -2))))
defjvp(sin_p, lambda g, x: _mul(g, cos(x)))
defjvp(cos_p, lambda g, x: neg(_mul(g, sin(x))))
defjvp_ans(tan_p, lambda g, ans, x: _mul(g, _add(1.0, square(ans))))
defjvp(asin_p, lambda g, x: _mul(g, rsqrt(_sub(1.0, square(x)))))
defjvp(acos_p, lambda g, x: neg(_mul(g, rsqrt(_sub(1.0, square(x))))))
defjvp(atan_p, lambda g, x: _div(g, _add(1.0, square(x))))
defjvp(sinh_p, lambda g, x: _mul(g, cosh(x)))
defjvp(cosh_p, lambda g, x: _mul(g, sinh(x)))
defjvp_ans(tanh_p, lambda g, ans, x: _mul(g, _sub(1.0, square(ans))))
defjvp(asinh_p, lambda g, x: _mul(g, rsqrt(_add(square(x), 1.0))))
defjvp(acosh_p, lambda g, x: _mul(g, rsqrt(_mul(_sub(x, 1.0), _add(x, 1.0)))))
defjvp(atanh_p, lambda g, x: _div(g, _sub(1.0, square(x))))
defjvp_ans(logistic_p, lambda g, ans, x: _mul(g, _mul(ans, _sub(1.0, ans))))
defjvp(erf_p, lambda g, x: _mul(g, _mul(2.0 / math.sqrt(math.pi), exp(neg(square(x))))))
defjvp(erfc_p, lambda g, x: _mul(g, _mul(-2.0 / math.sqrt(math.pi), exp(neg(square(x))))))
defjvp_ans(erf_inv_p, lambda g, ans, x: _mul(g, _mul(math.sqrt(math.pi) / 2.0,
                                                     exp(square(ans)))))
defjvp(lgamma_p, lambda g, x: _mul(g, digamma(x)))
defjvp(digamma_p, lambda g, x: _mul(g, polygamma(1, x)))
defjvp(polygamma_p, lambda g, x, m: _mul(g, polygamma(m + 1, x)))
defjvp(square_p, lambda g, x: _mul(g, _mul(2.0, x)))


def _integer_pow_jvp(g, x, y):
    if y == 0:
        return _mul(g, 0.0)
    if y == 1:  # (a product of two Python floats would be a weak f32 array, not a scalar)
        return g
    return _mul(g, _mul(float(y), integer_pow(x, y - 1)))


defjvp(integer_pow_p, _integer_pow_jvp)
