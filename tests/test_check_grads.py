"""Tests of fneedle.test_util: check_grads passes correct derivatives, and each kind of wrong
rule (jvp, transpose, second derivative) fails with the mode and order named."""

import functools

import numpy as np
import pytest

import fneedle as fn
from fneedle import lax
from fneedle.core.aval import ShapedArray
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import defjvp, deflinear
from fneedle.test_util import check_grads, check_jvp, check_vjp, numerical_jvp


def arr(x, dtype=np.float64):
    return fn.numpy.asarray(np.asarray(x, dtype))


def _unary(name, impl, jvp=None):
    prim = Primitive(name)
    prim.def_impl(impl)
    prim.def_abstract_eval(lambda x: ShapedArray(x.shape, x.dtype))
    if jvp is not None:
        defjvp(prim, jvp)
    return prim


# exp whose derivative is right, but whose derivative's derivative is twice too big.
_bad_exp_jvp = _unary("bad_exp_jvp", np.exp, lambda g, x: lax.mul(g, lax.mul(2.0, lax.exp(x))))
_exp_ok_once = _unary("exp_ok_once", np.exp, lambda g, x: lax.mul(g, _bad_exp_jvp.bind(x)))
# sin with the derivative of -cos.
_bad_sin = _unary("bad_sin", np.sin, lambda g, x: lax.mul(g, lax.sin(x)))
# x -> 2x with a right jvp but a transpose that scales by 3.
_double = Primitive("double")
_double.def_impl(lambda x: 2 * x)
_double.def_abstract_eval(lambda x: ShapedArray(x.shape, x.dtype))
deflinear(_double, lambda ct, x: [lax.mul(ct, 3.0)])

X = np.array([0.3, -0.7, 1.1])


def test_correct_derivatives_pass():
    check_grads(lax.sin, (arr(X),), order=2)
    check_grads(lambda d, xs: {"p": lax.mul(d["a"], xs[0]), "q": [lax.tanh(xs[1])]},
                ({"a": arr(X)}, [arr(X[::-1].copy()), arr(X)]), order=2)
    check_grads(lax.exp, (0.5,), order=2)  # a Python float: weak float32, loose tolerance
    check_grads(lax.sin, (arr(X, np.float32),), order=1)
    check_grads(lambda x, n: lax.mul(x, lax.convert_element_type(n, np.float64)),
                (arr(X), arr([1, 2, 3], np.int32)), order=2)  # int arguments are held fixed


def test_wrong_jvp_fails_forward_mode_first():
    with pytest.raises(AssertionError, match=r"fwd mode, order 1 \(JVP of bad_sin\).*max abs "
                                             r"error .*max rel error"):
        check_grads(_named(_bad_sin), (arr(X),), order=1)
    with pytest.raises(AssertionError, match=r"rev mode, order 1"):
        check_grads(_named(_bad_sin), (arr(X),), order=1, modes=("rev",))


def test_wrong_transpose_fails_only_reverse_mode():
    f = _named(_double)
    check_grads(f, (arr(X),), order=2, modes=("fwd",))
    with pytest.raises(AssertionError, match=r"rev mode, order 1 .*<J\^T ct, t> \(vjp\) vs "
                                             r"<ct, J t> \(jvp\)"):
        check_grads(f, (arr(X),), order=1)


def test_wrong_second_derivative_fails_at_order_two():
    f = _named(_exp_ok_once)
    check_grads(f, (arr(X),), order=1)
    with pytest.raises(AssertionError, match="order 2"):
        check_grads(f, (arr(X),), order=2)


def test_check_jvp_and_check_vjp():
    check_jvp(lax.tanh, functools.partial(fn.jvp, lax.tanh), (arr(X),))
    check_vjp(lax.tanh, functools.partial(fn.vjp, lax.tanh), (arr(X),))
    with pytest.raises(AssertionError, match="my message"):
        check_jvp(_named(_bad_sin), functools.partial(fn.jvp, _named(_bad_sin)), (arr(X),),
                  err_msg="my message")


def test_tolerances_by_number_and_by_dtype():
    f = _named(_bad_sin)
    check_grads(f, (arr([0.0]),), order=1, atol=1.5, rtol=0.0)  # |cos 0 - sin 0| = 1
    check_grads(f, (arr([0.0]),), order=1, atol={np.float64: 1.5}, rtol={"float64": 0.0})
    with pytest.raises(AssertionError, match=r"atol 0\.001"):
        check_grads(f, (arr([0.0]),), order=1, atol={np.float64: 1e-3}, rtol=0.0)


def test_numerical_jvp():
    t = np.array([1.0, 2.0, -1.0])
    got = numerical_jvp(lax.sin, (arr(X),), (arr(t),))
    np.testing.assert_allclose(got, np.cos(X) * t, rtol=1e-8)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown mode 'bwd'"):
        check_grads(lax.sin, (arr(X),), order=1, modes=("bwd",))
    with pytest.raises(ValueError, match="order must be at least 1"):
        check_grads(lax.sin, (arr(X),), order=0)


def _named(prim):
    def f(x):
        return prim.bind(x)
    f.__name__ = prim.name
    return f
