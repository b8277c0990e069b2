"""Float functions composed from several lax ops, each guarding an overflow or edge case:
hypot, copysign, heaviside, logaddexp, logaddexp2, sinc, modf and ldexp."""

import math

from fneedle import lax
from fneedle.numpy.arithmetic import multiply
from fneedle.numpy.float_predicates import signbit
from fneedle.numpy.promotion import promote, promote_inexact
from fneedle.numpy.rounding import trunc
from fneedle.numpy.ufunc_base import as_array, inexact


def hypot(x, y, /):
    """sqrt(x**2 + y**2) without overflow for large x, y. Example: fnp.hypot(3.0, 4.0) == 5.0.
    """
    x, y = promote_inexact((x, y), "hypot", keep_scalars=False)
    x, y = lax.abs(x), lax.abs(y)
    big, small = lax.max(x, y), lax.min(x, y)
    safe = lax.select_n(lax.eq(big, 0.0), big, lax.full_like(big, 1.0))
    ratio = lax.div(small, safe)
    out = lax.mul(big, lax.sqrt(lax.add(1.0, lax.mul(ratio, ratio))))
    out = lax.select_n(lax.eq(big, 0.0), out, big)
    return lax.select_n(lax.eq(big, math.inf), out, big)  # inf wins over NaN, as in C


def copysign(x, y, /):
    """|x| with the sign of y. Example: fnp.copysign(2.0, -0.0) == -2.0."""
    x, y = promote_inexact((x, y), "copysign", keep_scalars=False)
    ax = lax.abs(x)
    return lax.select_n(signbit(y), ax, lax.neg(ax))


def heaviside(x1, x2, /):
    """0 where x1 < 0, x2 where x1 == 0, 1 where x1 > 0."""
    x1, x2 = promote((x1, x2), "heaviside", keep_scalars=False)
    zero, one = lax.full_like(x1, 0), lax.full_like(x1, 1)
    return lax.select_n(lax.lt(x1, 0), lax.select_n(lax.eq(x1, 0), one, x2), zero)


def logaddexp(x1, x2, /):
    """log(exp(x1) + exp(x2)) without overflow. Example: fnp.logaddexp(0.0, 0.0) == log(2)."""
    x1, x2 = promote_inexact((x1, x2), "logaddexp", keep_scalars=False)
    amax = lax.max(x1, x2)
    delta = lax.sub(x1, x2)
    finite = lax.log1p(lax.exp(lax.neg(lax.abs(delta))))
    out = lax.add(amax, finite)
    # Where delta is NaN, both are infinite of one sign (or one is NaN): x1 + x2 is right.
    return lax.select_n(lax.ne(delta, delta), out, lax.add(x1, x2))


def logaddexp2(x1, x2, /):
    """log2(2**x1 + 2**x2) without overflow."""
    x1, x2 = promote_inexact((x1, x2), "logaddexp2")
    ln2 = math.log(2.0)
    return lax.div(logaddexp(lax.mul(x1, ln2), lax.mul(x2, ln2)), ln2)


def sinc(x, /):
    """sin(pi x) / (pi x), with sinc(0) = 1. Example: fnp.sinc(0.0) == 1.0."""
    x = inexact(x, "sinc")
    pix = lax.mul(x, math.pi)
    zero = lax.eq(x, 0.0)
    safe = lax.select_n(zero, pix, lax.full_like(pix, 1.0))
    return lax.select_n(zero, lax.div(lax.sin(safe), safe), lax.full_like(pix, 1.0))


def modf(x, /):
    """(fractional part, integral part) of x, both with x's sign."""
    x = inexact(x, "modf")
    whole = trunc(x)
    return lax.sub(x, whole), whole


def ldexp(x1, x2, /):
    """x1 * 2**x2 for an integer x2."""
    x1 = inexact(x1, "ldexp")
    return multiply(x1, lax.exp2(lax.convert_element_type(as_array(x2), x1.dtype)))
