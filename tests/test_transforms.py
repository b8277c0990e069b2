"""Tests of the transformations themselves (not per op): nesting without perturbation
confusion, higher-order derivatives, per-example gradients, vmap's axis specs, linearize,
error classes, printed jaxprs, the jaxpr type checker, and long programs."""

import sys

import numpy as np
import pytest

import fneedle as fn
from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.jaxpr import ClosedJaxpr, Equation, Jaxpr, Var, typecheck_jaxpr
from fneedle.test_util import check_grads


def arr(x, dtype=np.float64):
    return fn.numpy.asarray(np.asarray(x, dtype))


def assert_allclose(actual, expected, rtol=1e-12, atol=1e-12):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=atol)


def total(x):
    return lax.reduce_sum(x, tuple(range(x.ndim)))


# ---------------------------------------------------------------------------------------
# Nesting and higher order.

def test_perturbation_confusion_grad():
    # d/dx (x * d/dy (x + y)) = d/dx (x * 1) = 1; confusing the two perturbations gives 2.
    one = arr(1.0)

    def inner(x):
        return fn.grad(lambda y: lax.add(x, y))(one)
    assert float(fn.grad(lambda x: lax.mul(x, inner(x)))(one)) == 1.0


def test_perturbation_confusion_jvp():
    one = arr(1.0)

    def f(x):
        _, d = fn.jvp(lambda y: lax.add(x, y), (one,), (one,))
        return lax.mul(x, d)
    _, tangent = fn.jvp(f, (one,), (one,))
    assert float(tangent) == 1.0


def test_perturbation_confusion_mixed():
    # The inner derivative is with respect to y only; x stays a constant there.
    x0 = arr(3.0)

    def f(x):
        return lax.mul(x, fn.grad(lambda y: lax.mul(x, y))(x0))  # x * x
    _, tangent = fn.jvp(f, (x0,), (arr(1.0),))
    assert float(tangent) == 6.0
    assert float(fn.grad(f)(x0)) == 6.0


def test_grad_of_grad():
    x = arr(0.7)
    assert_allclose(fn.grad(fn.grad(lax.sin))(x), -np.sin(0.7))
    assert_allclose(fn.grad(fn.grad(fn.grad(lax.sin)))(x), -np.cos(0.7))


def test_jvp_of_grad_is_a_hessian_vector_product():
    def f(x):  # sum(x^3): gradient 3 x^2, Hessian diag(6 x)
        return total(lax.integer_pow(x, 3))
    x, v = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, -1.0])
    g, hv = fn.jvp(fn.grad(f), (arr(x),), (arr(v),))
    assert_allclose(g, 3 * x ** 2)
    assert_allclose(hv, 6 * x * v)


def test_grad_of_jvp():
    def f(x):
        return total(lax.mul(lax.sin(x), x))

    def directional(x):
        return fn.jvp(f, (x,), (arr(np.ones(3)),))[1]
    x = np.array([0.1, 0.2, 0.3])
    # d/dx_i sum_j (cos x_j x_j + sin x_j) = -sin x_i x_i + 2 cos x_i
    assert_allclose(fn.grad(directional)(arr(x)), -np.sin(x) * x + 2 * np.cos(x))


# ---------------------------------------------------------------------------------------
# Per-example gradients of a small MLP built from lax ops.

def _matvec(w, x):
    """w @ x for w of shape (m, n) and x of shape (n,), from elementwise ops and a sum."""
    return lax.reduce_sum(lax.mul(w, lax.broadcast_in_dim(x, w.shape, (1,))), (1,))


def mlp_loss(params, x, y):
    hidden = lax.tanh(lax.add(_matvec(params["w1"], x), params["b1"]))
    pred = lax.add(_matvec(params["w2"], hidden), params["b2"])
    err = lax.sub(pred, y)
    return total(lax.mul(err, err))


def _mlp_data(rng, batch=4, d_in=3, d_hidden=5, d_out=2):
    params = {"w1": arr(rng.standard_normal((d_hidden, d_in))),
              "b1": arr(rng.standard_normal(d_hidden)),
              "w2": arr(rng.standard_normal((d_out, d_hidden))),
              "b2": arr(rng.standard_normal(d_out))}
    return params, rng.standard_normal((batch, d_in)), rng.standard_normal((batch, d_out))


def test_vmap_of_grad_gives_per_example_gradients():
    params, xs, ys = _mlp_data(np.random.default_rng(0))
    per_example = fn.vmap(fn.grad(mlp_loss), in_axes=(None, 0, 0))(params, arr(xs), arr(ys))
    assert set(per_example) == set(params)
    for i in range(len(xs)):
        single = fn.grad(mlp_loss)(params, arr(xs[i]), arr(ys[i]))
        for k in params:
            assert per_example[k].shape == (len(xs),) + params[k].shape
            assert_allclose(np.asarray(per_example[k])[i], single[k])


def test_mlp_gradient_matches_finite_differences():
    params, xs, ys = _mlp_data(np.random.default_rng(1))
    check_grads(lambda p: mlp_loss(p, arr(xs[0]), arr(ys[0])), (params,), order=2)


# ---------------------------------------------------------------------------------------
# vmap's axis specifications.

def test_nested_vmap_with_pytree_prefixes():
    rng = np.random.default_rng(2)
    n_outer, n_inner, size = 2, 3, 4
    a = rng.standard_normal((n_inner, n_outer, size))  # inner axis 0, outer axis 1
    b = rng.standard_normal((n_outer, size))  # outer axis 0, not mapped by the inner vmap
    v = rng.standard_normal((n_inner, size))  # inner axis 0, not mapped by the outer vmap

    def f(d, w):
        return {"sum": lax.add(d["a"], w), "prod": lax.mul(d["b"], w)}
    inner = fn.vmap(f, in_axes=({"a": 0, "b": None}, 0), out_axes={"sum": 0, "prod": 1})
    outer = fn.vmap(inner, in_axes=({"a": 1, "b": 0}, None), out_axes=-1)
    out = outer({"a": arr(a), "b": arr(b)}, arr(v))
    want_sum = np.empty((n_inner, size, n_outer))
    want_prod = np.empty((size, n_inner, n_outer))
    for o in range(n_outer):
        for i in range(n_inner):
            want_sum[i, :, o] = a[i, o] + v[i]
            want_prod[:, i, o] = b[o] * v[i]
    assert_allclose(out["sum"], want_sum)
    assert_allclose(out["prod"], want_prod)


def test_vmap_none_axes_and_unbatched_outputs():
    x, y = np.arange(6.0).reshape(2, 3), np.array([10.0, 20.0, 30.0])
    out, same = fn.vmap(lambda a, b: (lax.add(a, b), b), in_axes=(0, None),
                        out_axes=(0, None))(arr(x), arr(y))
    assert_allclose(out, x + y)
    assert_allclose(same, y)
    # An unbatched output with an out axis is broadcast along it.
    out = fn.vmap(lambda a, b: b, in_axes=(0, None))(arr(x), arr(y))
    assert_allclose(out, np.broadcast_to(y, (2, 3)))


def test_vmap_negative_axes():
    x = np.arange(24.0).reshape(2, 3, 4)
    out = fn.vmap(lambda a: total(a), in_axes=-1)(arr(x))  # maps the last axis
    assert_allclose(out, x.sum(axis=(0, 1)))
    out = fn.vmap(lax.sin, in_axes=-1, out_axes=-2)(arr(x))
    assert_allclose(out, np.moveaxis(np.moveaxis(np.sin(x), -1, 0), 0, -2))


def test_vmap_axis_size():
    x = arr(np.array([1.0, 2.0]))
    out = fn.vmap(lambda a: lax.mul(a, 2.0), in_axes=None, axis_size=3)(x)
    assert_allclose(out, np.tile([2.0, 4.0], (3, 1)))
    with pytest.raises(fn.BatchAxisError, match="no argument is batched"):
        fn.vmap(lax.sin, in_axes=None)(x)
    with pytest.raises(fn.BatchAxisError, match="inconsistent batch sizes"):
        fn.vmap(lax.sin, axis_size=3)(x)


def test_vmap_of_vmap_of_grad():
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    out = fn.vmap(fn.vmap(fn.grad(lambda a: lax.mul(lax.sin(a), a))))(arr(x))
    assert_allclose(out, np.cos(x) * x + np.sin(x))


# ---------------------------------------------------------------------------------------
# Errors.

def test_bad_in_axes_names_the_argument_and_shape():
    x = arr(np.ones((3, 4)))
    with pytest.raises(fn.BatchAxisError, match=r"argument 1 of shape \(3, 4\)"):
        fn.vmap(lax.add, in_axes=(0, 2))(x, x)
    with pytest.raises(fn.BatchAxisError, match=r"argument 1 of shape \(3, 4\)"):
        fn.vmap(lax.add, in_axes=(0, 1))(x, x)  # batch sizes 3 and 4
    with pytest.raises(fn.BatchAxisError, match="one entry per argument"):
        fn.vmap(lax.add, in_axes=(0,))(x, x)
    with pytest.raises(fn.BatchAxisError, match="prefix"):
        fn.vmap(lambda d: d["a"], in_axes=({"b": 0},))({"a": x})
    with pytest.raises(fn.BatchAxisError, match="out_axes=None"):
        fn.vmap(lax.sin, out_axes=None)(x)


def test_grad_of_non_scalar_output_is_a_type_error():
    with pytest.raises(TypeError, match="scalar"):
        fn.grad(lax.sin)(arr(np.ones(3)))


def test_grad_with_respect_to_an_int_is_a_type_error():
    with pytest.raises(TypeError, match="int32"):
        fn.grad(lambda a: lax.convert_element_type(a, np.float32))(arr(3, np.int32))


def _python_if(x):
    if lax.gt(total(x), 0.0):  # Python control flow on a traced value
        return x
    return lax.neg(x)


def test_python_if_on_traced_value_under_vmap_and_make_jaxpr():
    x = arr(np.ones((2, 3)))
    with pytest.raises(fn.ConcretizationTypeError, match="test_transforms.py"):
        fn.vmap(_python_if)(x)
    with pytest.raises(fn.ConcretizationTypeError, match="bool"):
        fn.make_jaxpr(_python_if)(arr(np.ones(3)))


def test_python_if_on_traced_value_works_under_grad_and_jvp():
    x = arr(np.array([1.0, -3.0]))  # sum < 0: the negating branch
    assert_allclose(fn.grad(lambda a: total(_python_if(a)))(x), [-1.0, -1.0])
    _, t = fn.jvp(_python_if, (x,), (arr(np.array([1.0, 2.0])),))
    assert_allclose(t, [-1.0, -2.0])


@pytest.mark.parametrize("transform,name", [
    pytest.param(lambda f, x: fn.vmap(f)(x), "vmap of leaky", id="vmap"),
    pytest.param(lambda f, x: fn.jvp(f, (x,), (x,)), "jvp of leaky", id="jvp"),
    pytest.param(lambda f, x: fn.make_jaxpr(f)(x), "make_jaxpr of leaky", id="make_jaxpr"),
    pytest.param(lambda f, x: fn.vjp(f, x), "vjp of leaky", id="vjp"),
    pytest.param(lambda f, x: fn.grad(lambda a: total(f(a)))(x), "grad of <lambda>",
                 id="grad"),
])
def test_leaked_tracer_names_its_transformation(transform, name):
    leaked = []

    def leaky(a):
        leaked.append(a)
        return lax.sin(a)
    x = arr(np.ones((2, 3)))
    transform(leaky, x)
    with pytest.raises(fn.UnexpectedTracerError, match=name):
        lax.add(leaked[0], 1.0)
    with pytest.raises(fn.UnexpectedTracerError, match=name):
        fn.jvp(lambda a: lax.mul(a, leaked[0]), (x,), (x,))


# ---------------------------------------------------------------------------------------
# linearize.

def test_linearize_jaxpr_is_inspectable_and_agrees_with_jvp():
    def f(x):
        return lax.mul(lax.sin(x), x)
    x, t = np.array([0.3, -1.2, 2.0]), np.array([1.0, 0.5, -2.0])
    y, f_jvp = fn.linearize(f, arr(x))
    assert_allclose(y, np.sin(x) * x)
    jaxpr = f_jvp.jaxpr
    assert isinstance(jaxpr, ClosedJaxpr)
    assert [a.str_short() for a in jaxpr.in_avals] == ["f64[3]"]
    assert [a.str_short() for a in jaxpr.out_avals] == ["f64[3]"]
    names = {eq.primitive.name for eq in jaxpr.equations}
    # sin and cos ran at linearize time; only linear operations on the tangent remain.
    assert names <= {"mul", "add", "neg"}, str(jaxpr)
    assert jaxpr.consts, "the residuals (cos x, sin x, x) are the linear jaxpr's constants"
    text = str(jaxpr)
    assert text.startswith("{ lambda ") and "mul" in text
    want = fn.jvp(f, (arr(x),), (arr(t),))[1]
    assert_allclose(f_jvp(arr(t)), want)
    assert_allclose(f_jvp(arr(2 * t)), 2 * np.asarray(want))  # linear


# ---------------------------------------------------------------------------------------
# Printed jaxprs and the type checker.

def _golden_fn(inputs, extra):
    s = lax.add(inputs["x"], extra[0])
    wide = lax.broadcast_in_dim(s, (2, 3), (1,))
    return {"out": [s, lax.mul(s, 2.0)],
            "sum": lax.reduce_sum(lax.sin(lax.sub(inputs["y"], wide)), (0,)),
            "n": lax.convert_element_type(extra[1], np.float32)}


GOLDEN = """\
{ lambda ; a:f32[3] b:f32[2,3] c:f32[3] d:i32[]. let
    e:f32[3] = add a c
    f:f32[2,3] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(2, 3)] e
    g:f32[3] = mul e 2.0:f32[]
    h:f32[2,3] = sub b f
    i:f32[2,3] = sin h
    j:f32[3] = reduce_sum[axes=(0,)] i
    k:f32[] = convert_element_type[new_dtype=f32 weak_type=False] d
  in (k, e, g, j) }"""


def _golden_args():
    f32 = np.float32
    # Dict leaves are ordered by key: x (a) before y (b); outputs likewise: n, out, sum.
    return ({"y": arr(np.ones((2, 3)), f32), "x": arr(np.ones(3), f32)},
            [arr(np.ones(3), f32), arr(2, np.int32)])


def test_golden_jaxpr_of_nested_inputs_and_outputs():
    assert str(fn.make_jaxpr(_golden_fn)(*_golden_args())) == GOLDEN


def test_golden_jaxpr_with_a_captured_constant():
    scale = arr(np.array([1.0, 2.0, 3.0]), np.float32)
    jaxpr = fn.make_jaxpr(lambda x: lax.mul(lax.add(x, scale), x))(arr(np.ones(3), np.float32))
    assert str(jaxpr) == ("{ lambda a:f32[3]; b:f32[3]. let\n    c:f32[3] = add b a\n"
                          "    d:f32[3] = mul c b\n  in (d,) }")


def test_golden_one_line_jaxpr():
    jaxpr = fn.make_jaxpr(lambda x: lax.mul(lax.sin(x), 2.0))
    assert str(jaxpr(arr(1.0, np.float32))) == (
        "{ lambda ; a:f32[]. let\n    b:f32[] = sin a\n    c:f32[] = mul b 2.0:f32[]\n"
        "  in (c,) }")
    assert str(fn.make_jaxpr(lax.sin)(arr(1.0, np.float32))) == \
        "{ lambda ; a:f32[]. let b:f32[] = sin a in (b,) }"


def _ill_typed_jaxpr():
    a, b = Var(ShapedArray((3,), dtypes.float32)), Var(ShapedArray((3,), dtypes.float32))
    c = Var(ShapedArray((4,), dtypes.float32))  # add of two f32[3] cannot be f32[4]
    return Jaxpr([], [a, b], [Equation(lax.arithmetic.add_p, [a, b], {}, [c])], [c])


def test_typecheck_accepts_a_staged_jaxpr():
    typecheck_jaxpr(fn.make_jaxpr(_golden_fn)(*_golden_args()).jaxpr)


def test_typecheck_rejects_wrong_declared_type():
    with pytest.raises(fn.JaxprTypeError,
                       match=r"output 0 is declared f32\[4\] but 'add' of f32\[3\], f32\[3\] "
                             r"gives f32\[3\]"):
        typecheck_jaxpr(_ill_typed_jaxpr())


def test_typecheck_rejects_bad_operands_and_undefined_variables():
    a = Var(ShapedArray((3,), dtypes.float32))
    b = Var(ShapedArray((3,), dtypes.int32))
    c = Var(ShapedArray((3,), dtypes.float32))
    mixed = Jaxpr([], [a, b], [Equation(lax.arithmetic.add_p, [a, b], {}, [c])], [c])
    with pytest.raises(fn.JaxprTypeError, match=r"f32\[3\], i32\[3\] are invalid for 'add'"):
        typecheck_jaxpr(mixed)
    undefined = Jaxpr([], [a], [Equation(lax.arithmetic.add_p, [a, c], {}, [b])], [b])
    with pytest.raises(fn.JaxprTypeError, match="before it is defined"):
        typecheck_jaxpr(undefined)


# ---------------------------------------------------------------------------------------
# Long programs.

def test_grad_of_a_1000_equation_chain_does_not_recurse():
    n = 1000

    def chain(x):
        for _ in range(n):
            x = lax.sin(x)
        return x
    assert len(fn.make_jaxpr(chain)(arr(0.5)).equations) == n
    # The derivative is the product of cos over the chain's intermediate values.
    x, want = 0.5, 1.0
    for _ in range(n):
        want *= np.cos(x)
        x = np.sin(x)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(n)  # a walk recursing once per equation would overflow this
    try:
        got = fn.grad(chain)(arr(0.5))
        got2 = fn.grad(fn.grad(chain))(arr(0.5))
    finally:
        sys.setrecursionlimit(limit)
    assert_allclose(got, want, rtol=1e-10)
    assert np.isfinite(float(got2))
