"""custom_jvp, custom_vjp, stop_gradient, checkpoint, jacobians and linear_transpose, alone
and under jit, vmap and grad."""

import numpy as np
import pytest

import fneedle as fn
import fneedle.numpy as fnp
from fneedle.test_util import check_grads

X = np.array([0.3, -0.7, 1.2])


def arr(x):
    return fnp.asarray(np.asarray(x, np.float64))


# --- custom_jvp -------------------------------------------------------------------------

@fn.custom_jvp
def softplus(x):
    return fnp.log1p(fnp.exp(x))


@softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus(x), t * fn.lax.logistic(x)


def test_custom_jvp_matches_the_true_derivative_everywhere():
    x = arr(X)
    want = 1 / (1 + np.exp(-X))
    np.testing.assert_allclose(fn.grad(lambda x: fnp.sum(softplus(x)))(x), want, rtol=1e-12)
    np.testing.assert_allclose(fn.jit(fn.grad(lambda x: fnp.sum(softplus(x))))(x), want,
                               rtol=1e-12)
    np.testing.assert_allclose(fn.vmap(fn.grad(softplus))(x), want, rtol=1e-12)
    np.testing.assert_allclose(fn.grad(fn.jit(lambda x: fnp.sum(softplus(x))))(x), want,
                               rtol=1e-12)
    check_grads(softplus, (x,), order=2)


def test_custom_jvp_rule_is_used_not_the_function():
    @fn.custom_jvp
    def f(x):
        return fnp.sin(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        return f(primals[0]), 3.0 * tangents[0]  # deliberately not cos
    x = arr(X)
    np.testing.assert_allclose(fn.grad(lambda x: fnp.sum(f(x)))(x), 3.0)
    np.testing.assert_allclose(fn.jvp(f, (x,), (fnp.ones_like(x),))[1], 3.0)
    np.testing.assert_allclose(f(x), np.sin(X))


def test_custom_jvp_nondiff_argnums():
    def f(n, x):
        return x ** n
    f = fn.custom_jvp(f, nondiff_argnums=(0,))

    @f.defjvp
    def f_jvp(n, primals, tangents):
        (x,), (t,) = primals, tangents
        return x ** n, n * x ** (n - 1) * t
    x = arr(X)
    np.testing.assert_allclose(fn.grad(lambda x: fnp.sum(f(3, x)))(x), 3 * X ** 2, rtol=1e-12)
    np.testing.assert_allclose(fn.jit(fn.grad(lambda x: fnp.sum(f(3, x))))(x), 3 * X ** 2,
                               rtol=1e-12)


def test_custom_jvp_defjvps():
    @fn.custom_jvp
    def f(x, y):
        return x * y
    f.defjvps(lambda tx, ans, x, y: tx * y, lambda ty, ans, x, y: x * ty)
    x, y = arr(X), arr(2 * X)
    gx, gy = fn.grad(lambda x, y: fnp.sum(f(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, 2 * X)
    np.testing.assert_allclose(gy, X)


# --- custom_vjp -------------------------------------------------------------------------

@fn.custom_vjp
def clip_gradient(x):
    return x


def _clip_fwd(x):
    return x, None


def _clip_bwd(res, g):
    return (fnp.clip(g, -0.5, 0.5),)


clip_gradient.defvjp(_clip_fwd, _clip_bwd)


def test_custom_vjp_backward_rule_is_used():
    x = arr(X)
    g = fn.grad(lambda x: fnp.sum(3.0 * clip_gradient(x)))(x)
    np.testing.assert_allclose(g, 0.5)
    np.testing.assert_allclose(fn.jit(fn.grad(lambda x: fnp.sum(3.0 * clip_gradient(x))))(x),
                               0.5)
    np.testing.assert_allclose(fn.vmap(fn.grad(lambda x: 3.0 * clip_gradient(x)))(x), 0.5)
    np.testing.assert_allclose(clip_gradient(x), X)


def test_custom_vjp_with_residuals_and_nondiff_argnums():
    def f(scale, x):
        return fnp.sin(x) * scale
    f = fn.custom_vjp(f, nondiff_argnums=(0,))
    f.defvjp(lambda scale, x: (fnp.sin(x) * scale, fnp.cos(x)),
             lambda scale, cos_x, g: (g * cos_x * scale,))
    x = arr(X)
    np.testing.assert_allclose(fn.grad(lambda x: fnp.sum(f(2.0, x)))(x), 2 * np.cos(X),
                               rtol=1e-12)
    np.testing.assert_allclose(fn.jit(fn.grad(lambda x: fnp.sum(f(2.0, x))))(x),
                               2 * np.cos(X), rtol=1e-12)


def test_custom_vjp_forward_mode_is_a_clear_error():
    with pytest.raises(TypeError, match="Forward-mode"):
        fn.jvp(clip_gradient, (arr(X),), (arr(X),))


def test_custom_vjp_none_cotangent_means_zero():
    @fn.custom_vjp
    def f(x, y):
        return x * y
    f.defvjp(lambda x, y: (x * y, y), lambda y, g: (g * y, None))
    gx, gy = fn.grad(lambda x, y: fnp.sum(f(x, y)), argnums=(0, 1))(arr(X), arr(2 * X))
    np.testing.assert_allclose(gx, 2 * X)
    np.testing.assert_allclose(gy, 0.0)


# --- stop_gradient, checkpoint ----------------------------------------------------------

def test_stop_gradient():
    x = arr(X)
    g = fn.grad(lambda x: fnp.sum(x * fn.stop_gradient(x)))(x)
    np.testing.assert_allclose(g, X)
    tree = fn.stop_gradient({"a": x, "b": [x]})
    assert set(tree) == {"a", "b"}


@pytest.mark.parametrize("policy", [None, "everything_saveable", "dots_saveable"])
def test_checkpoint_gives_the_same_gradients(policy):
    pol = None if policy is None else getattr(fn.checkpoint_policies, policy)
    w = arr(np.random.default_rng(1).normal(size=(3, 3)))

    def layer(w, x):
        return fnp.tanh(x @ w) * fnp.sin(x)
    ck = fn.checkpoint(layer, policy=pol)
    loss = lambda w, x: fnp.sum(ck(w, ck(w, x)))  # noqa: E731
    ref = lambda w, x: fnp.sum(layer(w, layer(w, x)))  # noqa: E731
    x = arr(X)
    for transform in (lambda f: f, fn.jit):
        np.testing.assert_allclose(transform(fn.grad(loss))(w, x), fn.grad(ref)(w, x),
                                   rtol=1e-12)
    check_grads(lambda w: loss(w, x), (w,), order=2)
    np.testing.assert_allclose(fn.vmap(fn.grad(loss), in_axes=(None, 0))(w, fnp.stack([x, x])),
                               np.stack([fn.grad(ref)(w, x)] * 2), rtol=1e-12)


def test_checkpoint_recomputes_in_the_backward_pass():
    """With 'nothing saveable', the linear program's residuals are only the inputs."""
    f = fn.checkpoint(lambda x: fnp.sin(fnp.sin(x)))
    jaxpr = str(fn.make_jaxpr(fn.grad(lambda x: fnp.sum(f(x))))(arr(X)))
    # The backward pass recomputes sin(x) (two sins outside the checkpoint call).
    assert jaxpr.count("checkpoint[") == 1
    assert jaxpr.split("] a\n", 1)[1].count("= sin") >= 1


# --- jacobians, linearize, linear_transpose ---------------------------------------------

def f_vec(x):
    return fnp.stack([fnp.sin(x[0]) * x[1], x[2] ** 2, fnp.sum(x)])


def test_jacfwd_jacrev_hessian():
    x = arr(X)
    want = np.array([[np.cos(X[0]) * X[1], np.sin(X[0]), 0], [0, 0, 2 * X[2]], [1, 1, 1]])
    np.testing.assert_allclose(fn.jacfwd(f_vec)(x), want, rtol=1e-12)
    np.testing.assert_allclose(fn.jacrev(f_vec)(x), want, rtol=1e-12)
    np.testing.assert_allclose(fn.jacobian(f_vec)(x), want, rtol=1e-12)
    h = fn.hessian(lambda x: fnp.sum(fnp.sin(x) * x))(x)
    np.testing.assert_allclose(h, np.diag(2 * np.cos(X) - X * np.sin(X)), rtol=1e-12,
                               atol=1e-14)
    # jit and vmap of jacobians
    np.testing.assert_allclose(fn.jit(fn.jacrev(f_vec))(x), want, rtol=1e-12)
    batch = fnp.stack([x, x])
    np.testing.assert_allclose(fn.vmap(fn.jacfwd(f_vec))(batch), np.stack([want, want]),
                               rtol=1e-12)


def test_jacobian_of_pytrees_has_jax_layout():
    x = arr(X)
    jac = fn.jacrev(lambda d: {"a": d["x"] * 2.0, "b": fnp.sum(d["y"])})({"x": x, "y": x})
    assert jac["a"]["x"].shape == (3, 3) and jac["b"]["y"].shape == (3,)
    np.testing.assert_allclose(jac["a"]["x"], 2 * np.eye(3))
    jac_f = fn.jacfwd(lambda d: {"a": d["x"] * 2.0, "b": fnp.sum(d["y"])})({"x": x, "y": x})
    np.testing.assert_allclose(jac_f["b"]["y"], np.ones(3))


def test_linearize_agrees_with_jvp_and_shows_its_jaxpr():
    x, t = arr(X), arr(np.ones(3))
    y, f_jvp = fn.linearize(lambda x: fnp.sin(x) * x, x)
    np.testing.assert_allclose(y, np.sin(X) * X)
    np.testing.assert_allclose(f_jvp(t), fn.jvp(lambda x: fnp.sin(x) * x, (x,), (t,))[1])
    text = str(f_jvp.jaxpr)
    assert "mul" in text and "sin" not in text  # the linear program holds no primal work


def test_linear_transpose():
    x = arr(X)
    t = fn.linear_transpose(lambda x: fnp.cumsum(x) * 2.0, x)
    (ct,) = t(arr(np.ones(3)))
    np.testing.assert_allclose(ct, [6.0, 4.0, 2.0])
    with pytest.raises(TypeError, match="cotangents shaped like"):
        t([arr(np.ones(3))])
