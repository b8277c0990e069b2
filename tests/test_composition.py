"""The composition matrix: grad, vmap, jit and jvp nested two and three deep, in every order,
on a small MLP loss, agree with a loop-and-forward-mode reference and with finite
differences."""

import itertools

import numpy as np
import pytest

import fneedle as fn
import fneedle.numpy as fnp

RNG = np.random.default_rng(0)
W1 = RNG.normal(size=(3, 4)) * 0.5
W2 = RNG.normal(size=(4,)) * 0.5
X = RNG.normal(size=(3,))
T1 = RNG.normal(size=(3, 4))  # the direction of the directional derivatives
T2 = RNG.normal(size=(4,))
SCALES = (1.0, 0.5, -1.5)  # vmap batches x * scale


def mlp_loss(w, x):
    """A scalar loss of params w = (w1, w2) at one example x."""
    w1, w2 = w
    h = fnp.tanh(x @ w1)
    return fnp.sum(fnp.sin(h * w2)) + 0.1 * fnp.sum(w1 * w1)


def _tangent():
    return (fnp.asarray(T1), fnp.asarray(T2))


# Each transformation maps a scalar function F(w, x) to another scalar function of (w, x),
# so they nest in any order.
def G(F):
    """The gradient of F projected on the direction t (reverse mode)."""
    def f(w, x):
        g1, g2 = fn.grad(F)(w, x)
        t1, t2 = _tangent()
        return fnp.sum(g1 * t1) + fnp.sum(g2 * t2)
    return f


def D(F):
    """The directional derivative of F along t (forward mode)."""
    def f(w, x):
        return fn.jvp(lambda w_: F(w_, x), (w,), (_tangent(),))[1]
    return f


def V(F):
    """sum over the batch x * SCALES of F, batched by vmap."""
    def f(w, x):
        xs = fnp.stack([x * s for s in SCALES])
        return fnp.sum(fn.vmap(F, in_axes=(None, 0))(w, xs))
    return f


def J(F):
    return fn.jit(F)


# The reference replaces vmap by a loop, jit by nothing, and reverse by forward mode.
REFERENCE = {
    "G": D,
    "D": D,
    "V": lambda F: (lambda w, x: sum(F(w, x * s) for s in SCALES)),
    "J": lambda F: F,
}
TRANSFORMS = {"G": G, "D": D, "V": V, "J": J}


def build(order, table):
    F = mlp_loss
    for name in order:
        F = table[name](F)
    return F


def args():
    return (fnp.asarray(W1), fnp.asarray(W2)), fnp.asarray(X)


def finite_difference(order):
    """The same quantity by central finite differences of the loop-based function along t."""
    k = sum(name in "GD" for name in order)
    base = [n for n in order if n not in "GD"]

    def F(eps):
        w = (fnp.asarray(W1 + eps * T1), fnp.asarray(W2 + eps * T2))
        return float(build(base, REFERENCE)(w, fnp.asarray(X)))
    h = {0: 0.0, 1: 1e-4, 2: 1e-3, 3: 1e-2}[k]
    if k == 0:
        return F(0.0), 1e-12
    if k == 1:
        return (F(h) - F(-h)) / (2 * h), 1e-6
    if k == 2:
        return (F(h) - 2 * F(0.0) + F(-h)) / h ** 2, 1e-4
    return (F(2 * h) - 2 * F(h) + 2 * F(-h) - F(-2 * h)) / (2 * h ** 3), 2e-3


ORDERS = [o for n in (2, 3) for o in itertools.product("GVJD", repeat=n)]


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: "".join(o))
def test_composition_matrix(order):
    w, x = args()
    got = float(build(order, TRANSFORMS)(w, x))
    want = float(build(order, REFERENCE)(w, x))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    fd, tol = finite_difference(order)
    np.testing.assert_allclose(got, fd, rtol=tol, atol=tol)


def test_jit_of_composition_does_not_retrace():
    traces = []

    def loss(w, x):
        traces.append(1)
        return mlp_loss(w, x)
    f = fn.jit(V(G(loss)))
    w, x = args()
    f(w, x)
    n = len(traces)
    f(w, x)
    assert len(traces) == n
