"""jit: caching, static and donated arguments, cache-miss explanations, lowering, debugging."""

import logging

import numpy as np
import pytest

import fneedle as fn
import fneedle.numpy as fnp
from fneedle import lax


def arr(x, dtype=np.float32):
    return fnp.asarray(np.asarray(x, dtype))


def counting(fun):
    calls = []

    def wrapped(*args, **kwargs):
        calls.append(1)
        return fun(*args, **kwargs)
    wrapped.calls = calls
    return wrapped


def test_caches_per_signature():
    f = counting(lambda x, y: x * y + 1.0)
    jf = fn.jit(f)
    x = arr(np.arange(3.0))
    np.testing.assert_allclose(jf(x, 2.0), np.arange(3.0) * 2 + 1)
    jf(x, 3.0)  # a new Python scalar value: no new trace
    jf(arr(np.ones(3)), 4.0)
    assert len(f.calls) == 1
    jf(arr(np.ones(4)), 4.0)  # a new shape traces again
    assert len(f.calls) == 2
    jf(arr(np.ones(4), np.float64), 4.0)  # and a new dtype
    assert len(f.calls) == 3


def test_pytrees_and_kwargs():
    jf = fn.jit(lambda d, scale=1.0: {"s": d["a"] * scale, "t": [d["b"] + 1.0]})
    out = jf({"a": arr([1.0, 2.0]), "b": arr(3.0)}, scale=2.0)
    np.testing.assert_allclose(out["s"], [2.0, 4.0])
    np.testing.assert_allclose(out["t"][0], 4.0)


def test_static_argnums_and_argnames():
    f = counting(lambda x, n: x ** n)
    jf = fn.jit(f, static_argnums=1)
    x = arr([1.0, 2.0])
    np.testing.assert_allclose(jf(x, 3), [1.0, 8.0])
    jf(x, 3)
    assert len(f.calls) == 1
    np.testing.assert_allclose(jf(x, 2), [1.0, 4.0])
    assert len(f.calls) == 2
    g = fn.jit(lambda x, *, axis: fnp.sum(x, axis=axis), static_argnames="axis")
    np.testing.assert_allclose(g(arr(np.ones((2, 3))), axis=1), [3.0, 3.0])


def test_unhashable_static_argument_is_a_clear_error():
    jf = fn.jit(lambda x, shape: fnp.reshape(x, shape), static_argnums=1)
    with pytest.raises(TypeError, match="unhashable type list.*tuple"):
        jf(arr(np.ones(4)), [2, 2])


def test_python_control_flow_on_traced_values_is_a_concretization_error():
    def f(x):
        if fnp.sum(x) > 0:
            return x
        return -x
    with pytest.raises(fn.ConcretizationTypeError, match="cond"):
        fn.jit(f)(arr([1.0]))
    np.testing.assert_allclose(fn.grad(lambda x: fnp.sum(f(x)))(arr([1.0])), [1.0])


def test_explain_cache_misses_and_recompile_warning(caplog):
    jf = fn.jit(lambda x: x + 1.0)
    with fn.config.override(explain_cache_misses=True), caplog.at_level(logging.WARNING):
        jf(arr(np.ones(2)))
        jf(arr(np.ones(3)))
    assert "input leaf 0 changed from f32[2] to f32[3]" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        for n in range(4, 14):
            jf(arr(np.ones(n)))
    assert "has been compiled" in caplog.text


def test_donated_arguments_cannot_be_reused():
    jf = fn.jit(lambda x: x * 2.0, donate_argnums=0)
    x = arr(np.ones(3))
    np.testing.assert_allclose(jf(x), 2.0)
    with pytest.raises(RuntimeError, match="donated"):
        np.asarray(x + 1.0)


def test_disable_jit_runs_eagerly():
    seen = []
    jf = fn.jit(lambda x: (seen.append(type(x).__name__), x * 2.0)[1])
    with fn.disable_jit():
        jf(arr(1.0))
    assert seen == ["Array"]
    jf(arr(1.0))
    assert seen[-1] != "Array"


CHAIN = lambda x: fnp.tanh(x * 0.5 + 0.1) * fnp.exp(-x * x) + fnp.sqrt(fnp.abs(x)) + 1.0  # noqa: E731


def test_lower_shows_the_chain_as_one_kernel():
    x = arr(np.linspace(-2, 2, 1000))
    lowered = fn.jit(CHAIN).lower(x)
    optimized = lowered.optimized_jaxpr
    assert [eq.primitive.name for eq in optimized.jaxpr.equations] == ["fused"]
    text = lowered.as_text()
    assert "fused program" in text and "one kernel" in text
    np.testing.assert_allclose(fn.jit(CHAIN)(x), CHAIN(x), rtol=2e-6, atol=1e-6)


def test_passes_fold_constants_cse_and_dce():
    c = arr(np.arange(4.0))

    def f(x):
        unused = fnp.exp(x) * 3.0  # noqa: F841  (dead code)
        k = fnp.sum(c * 2.0)  # constant: folded
        return fnp.sin(x) * k + fnp.sin(x)  # sin(x) computed once
    lowered = fn.jit(f).lower(arr(np.ones(4)))
    prims = [eq.primitive.name for eq in lowered.optimized_jaxpr.jaxpr.equations]
    fused = lowered.optimized_jaxpr.jaxpr.equations[0].params["program"].body.jaxpr
    body = [eq.primitive.name for eq in fused.equations]
    assert prims == ["fused"]
    assert body.count("sin") == 1 and "exp" not in body and "reduce_sum" not in body
    np.testing.assert_allclose(fn.jit(f)(arr(np.ones(4))), f(arr(np.ones(4))), rtol=1e-6)


def test_algebraic_simplification():
    def f(x):
        y = lax.transpose(lax.transpose(x, (1, 0)), (1, 0))
        return lax.reshape(lax.reshape(y * 1.0 + 0.0, (6,)), (3, 2))
    lowered = fn.jit(f).lower(arr(np.ones((2, 3))))
    names = [eq.primitive.name for eq in lowered.optimized_jaxpr.jaxpr.equations]
    assert names == ["reshape"]


def test_debug_print_inside_jit(capsys):
    jf = fn.jit(lambda x: (fn.debug.print("x is {}", x), x + 1.0)[1])
    jf(arr([1.0, 2.0]))
    assert "x is [1. 2.]" in capsys.readouterr().out


def test_debug_nans_names_the_primitive():
    jf = fn.jit(lambda x: fnp.log(x - 2.0) * 3.0)
    with fn.config.override(debug_nans=True):
        with pytest.raises(FloatingPointError, match="'log'"):
            jf(arr([1.0, 3.0]))


def test_jit_composes_with_transforms_and_caches_derived_programs():
    f = fn.jit(lambda x: fnp.sum(fnp.sin(x) * x))
    x = arr(np.linspace(0, 1, 5), np.float64)
    want = np.cos(x) * x + np.sin(x)
    np.testing.assert_allclose(fn.grad(f)(x), want, rtol=1e-12)
    np.testing.assert_allclose(fn.jit(fn.grad(f))(x), want, rtol=1e-12)
    np.testing.assert_allclose(fn.vmap(fn.grad(f))(fnp.stack([x, x])), [want, want],
                               rtol=1e-12)
    np.testing.assert_allclose(fn.jvp(f, (x,), (fnp.ones_like(x),))[1], np.sum(want),
                               rtol=1e-12)


def test_jit_closing_over_a_tracer():
    def outer(y):
        return fnp.sum(fn.jit(lambda x: x * y)(arr(np.ones(3), np.float64)))
    np.testing.assert_allclose(fn.grad(outer)(arr(2.0, np.float64)), 3.0)


def test_numpy_arguments_are_read_in_place_but_outputs_never_alias_them():
    a = np.ones(3, np.float32)
    same = fn.jit(lambda x: fnp.reshape(x, (3,)))(a)
    doubled = fn.jit(lambda x: x * 2.0)(a)
    a[0] = 5.0  # the caller mutates its array afterwards: the immutable results do not change
    np.testing.assert_allclose(same, [1.0, 1.0, 1.0])
    np.testing.assert_allclose(doubled, [2.0, 2.0, 2.0])


def test_cached_calls_with_numpy_arguments_never_alias_them():
    # The second call takes the cached fast path, which must copy aliasing outputs too.
    traces = []
    ident = fn.jit(lambda x, y: (traces.append(1), x, y * 2.0)[1:])
    a, b = np.ones(3, np.float32), np.arange(3.0, dtype=np.float32)
    for _ in range(3):
        same, doubled = ident(a, b)
        a[0], b[0] = 5.0, 7.0
        np.testing.assert_allclose(same, [1.0, 1.0, 1.0])
        np.testing.assert_allclose(doubled, [0.0, 2.0, 4.0])
        a[0], b[0] = 1.0, 0.0
    single = fn.jit(lambda x: x)
    for _ in range(3):
        out = single(a)
        a[1] = 9.0
        np.testing.assert_allclose(out, [1.0, 1.0, 1.0])
        a[1] = 1.0
    assert len(traces) == 1
    ident(fn.device_put(a), b)  # an Array of the same type hits the same compiled program
    assert len(traces) == 1


def test_cached_calls_with_scalar_arguments_use_their_values():
    traces = []
    f = fn.jit(lambda x, a, b, n, flag: (traces.append(1), x * a + b * n + flag)[1])
    x = np.arange(3.0, dtype=np.float32)
    for k in range(4):  # NumPy scalars, Python floats, ints and bools change value, not trace
        out = f(x, np.float32(k), 0.5 * k, k, k % 2 == 1)
        assert out.dtype == np.float32 and not out.weak_type
        np.testing.assert_allclose(out, x * k + 0.5 * k * k + (k % 2))
    assert len(traces) == 1
    f(x, np.float64(1.0), 0.5, 1, True)  # a float64 NumPy scalar is a new signature
    assert len(traces) == 2


def test_eager_ops_copy_numpy_arguments():
    a = np.ones(3, np.float32)
    x, s = fnp.asarray(a), fnp.sin(a)
    a[0] = 2.0
    np.testing.assert_allclose(x, [1.0, 1.0, 1.0])
    np.testing.assert_allclose(s, np.sin(np.ones(3, np.float32)))
