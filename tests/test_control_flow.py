"""Structured control flow: cond/switch, while_loop/fori_loop, scan/map, associative_scan.

Each primitive is checked against a Python-loop reference, its derivatives against finite
differences (float64), vmap against a loop over the batch, jit against eager; then nesting,
closed-over values, the printed jaxpr and the error messages.
"""

import numpy as np
import pytest

import fneedle as fn
from fneedle import lax
from fneedle.test_util import check_grads

f64 = np.float64


def arr(x, dtype=f64):
    return fn.Array(np.asarray(x, dtype))


def rand(*shape, seed=0):
    return arr(np.random.default_rng(seed).standard_normal(shape))


def close(a, b, tol=1e-10):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def tree_close(a, b, tol=1e-10):
    la, ta = fn.tree_flatten(a)
    lb, tb = fn.tree_flatten(b)
    assert ta == tb, (ta, tb)
    for x, y in zip(la, lb):
        close(x, y, tol)


def stack(xs):
    return arr(np.stack([np.asarray(x) for x in xs]))


# ---------------------------------------------------------------------------------------
# Functions under test, each with a Python reference.

def scan_fn(w, init, xs):
    """A nonlinear recurrence with a pytree carry, pytree ys, and a closed-over weight."""
    def body(carry, x):
        h, c = carry
        h = lax.tanh(h * w + x["a"]) + c * 0.5
        c = c + lax.sin(x["b"]) * h
        return (h, c), {"h2": h * h, "c": c}
    return lax.scan(body, init, xs)


def scan_ref(w, init, xs):
    h, c = (np.asarray(v) for v in init)
    hs, cs = [], []
    for a, b in zip(np.asarray(xs["a"]), np.asarray(xs["b"])):
        h = np.tanh(h * np.asarray(w) + a) + c * 0.5
        c = c + np.sin(b) * h
        hs.append(h * h)
        cs.append(c)
    return (h, c), {"c": np.stack(cs), "h2": np.stack(hs)}


def scan_args(n=6, d=3, seed=0):
    return (rand(d, seed=seed), (rand(d, seed=seed + 1), rand(d, seed=seed + 2)),
            {"a": rand(n, d, seed=seed + 3), "b": rand(n, d, seed=seed + 4)})


def scan_loss(w, init, xs):
    (h, c), ys = scan_fn(w, init, xs)
    return lax.reduce_sum(h * c, (0,)) + lax.reduce_sum(ys["h2"] * ys["c"], (0, 1))


# ---------------------------------------------------------------------------------------
# scan

def test_scan_matches_python_loop():
    args = scan_args()
    tree_close(scan_fn(*args), scan_ref(*args))


def test_scan_reverse_and_length():
    xs = rand(5)
    carry, ys = lax.scan(lambda c, x: (c * 0.5 + x, c), arr(1.0), xs, reverse=True)
    c, ref = 1.0, [None] * 5
    for i in reversed(range(5)):
        ref[i] = c
        c = c * 0.5 + float(np.asarray(xs)[i])
    close(carry, c)
    close(ys, ref)
    carry, ys = lax.scan(lambda c, _: (c + 1.0, c * 2.0), arr(0.0), None, length=4)
    close(carry, 4.0)
    close(ys, [0.0, 2.0, 4.0, 6.0])


def test_scan_zero_length_and_no_ys():
    carry, ys = lax.scan(lambda c, x: (c + x, None), arr(3.0), arr(np.zeros((0,))))
    close(carry, 3.0)
    assert ys is None


def test_map():
    xs = rand(4, 3)
    close(lax.map(lambda x: lax.sin(x) * 2.0, xs), np.sin(np.asarray(xs)) * 2.0)


def test_scan_grads():
    check_grads(scan_loss, scan_args(n=4, d=2), order=1)


def test_scan_second_order():
    def f(w, x0):
        c, ys = lax.scan(lambda c, x: (lax.sin(c * w) + x, c * c), x0, rand(4, seed=3))
        return c + lax.reduce_sum(ys, (0,))
    check_grads(f, (arr(0.7), arr(0.3)), order=2)


def test_scan_integer_carry_and_reverse_grads():
    def f(x):
        def body(carry, xi):
            i, acc = carry
            acc = acc * lax.convert_element_type(i, f64) + lax.cos(xi)
            return (i + 1, acc), acc * xi
        (_, acc), ys = lax.scan(body, (arr(1, np.int32), arr(0.5)), x, reverse=True)
        return acc + lax.reduce_sum(ys, (0,))
    check_grads(f, (rand(5),), order=1)


def test_scan_residuals_do_not_stack_consts_or_xs():
    # Linearizing stores only what the backward pass needs: a closed-over weight is a
    # loop-invariant residual (a const of the linear scan), not stacked n times.
    w, xs = rand(8, 8), rand(50, 8)

    def f(w):
        c, _ = lax.scan(lambda c, x: (lax.tanh(lax.dot(w, c) + x), None), rand(8), xs)
        return c
    _, f_jvp = fn.linearize(f, w)
    (eq,) = [e for e in f_jvp.jaxpr.equations if e.primitive.name == "scan"]
    shapes = [x.aval.shape for x in eq.inputs]
    assert (50, 8, 8) not in shapes, shapes
    assert (8, 8) in shapes
    assert sum(np.prod(s) for s in shapes) < 50 * 8 * 4, shapes


def test_scan_vmap():
    w, init, xs = scan_args(n=4, d=2)
    ws = rand(3, 2, seed=9)
    xss = {"a": rand(3, 4, 2, seed=10), "b": rand(3, 4, 2, seed=11)}
    # batched consts only; batched xs (batch axis 1) only; batched init only.
    out = fn.vmap(scan_fn, (0, None, None))(ws, init, xs)
    tree_close(out, _stack_trees([scan_ref(ws[i], init, xs) for i in range(3)]))
    xs_b1 = {"a": arr(np.moveaxis(np.asarray(xss["a"]), 0, 1)), "b": xss["b"]}
    out = fn.vmap(scan_fn, (None, None, {"a": 1, "b": 0}))(w, init, xs_b1)
    tree_close(out, _stack_trees([scan_ref(w, init, {"a": xss["a"][i], "b": xss["b"][i]})
                                  for i in range(3)]))
    inits = (rand(3, 2, seed=12), rand(3, 2, seed=13))
    out = fn.vmap(scan_fn, (None, 0, None))(w, inits, xs)
    tree_close(out, _stack_trees([scan_ref(w, (inits[0][i], inits[1][i]), xs)
                                  for i in range(3)]))


def test_scan_vmap_carry_becomes_batched():
    # The carry starts unbatched but the body mixes a batched x into it: a fixpoint.
    xs = rand(3, 5)
    out = fn.vmap(lambda x: lax.scan(lambda c, xi: (c + xi, c), arr(0.0), x), 1)(xs)
    ref = [lax.scan(lambda c, xi: (c + xi, c), arr(0.0), xs[:, i]) for i in range(5)]
    tree_close(out, _stack_trees(ref))


def _stack_trees(trees):
    leaves = [fn.tree_flatten(t)[0] for t in trees]
    tree = fn.tree_flatten(trees[0])[1]
    return fn.tree_unflatten(tree, [stack(ls) for ls in zip(*leaves)])


def test_scan_jit_matches_eager():
    args = scan_args()
    tree_close(fn.jit(scan_fn)(*args), scan_fn(*args))
    g = fn.grad(scan_loss, argnums=(0, 1))
    tree_close(fn.jit(g)(*args), g(*args))


def test_scan_eager_traces_body_once():
    calls = []

    def body(c, x):
        calls.append(1)
        return c * 0.999 + x, None
    carry, _ = lax.scan(body, arr(0.0), rand(1000))
    assert len(calls) == 1
    ref = 0.0
    for x in np.asarray(rand(1000)):
        ref = ref * 0.999 + x
    close(carry, ref, 1e-9)


def test_scan_carry_weak_type_promotion():
    carry, _ = lax.scan(lambda c, x: (c + x, None), 0.0, rand(3))
    assert carry.dtype == np.float64
    close(carry, np.asarray(rand(3)).sum())


# ---------------------------------------------------------------------------------------
# cond and switch

def branch_fns():
    return (lambda x, y: (lax.sin(x) * y, {"s": x + y}),
            lambda x, y: (x * x - y, {"s": lax.cos(y)}))


def test_cond_matches_python():
    t, f = branch_fns()
    x, y = rand(3), rand(3, seed=1)
    for p in (True, False):
        tree_close(lax.cond(p, t, f, x, y), t(x, y) if p else f(x, y))
    tree_close(lax.cond(arr(1, np.int32), t, f, x, y), t(x, y))


def test_cond_grads():
    t, f = branch_fns()
    for p in (True, False):
        def g(x, y, p=p):
            out, d = lax.cond(p, t, f, x, y)
            return lax.reduce_sum(out * d["s"], (0,))
        check_grads(g, (rand(3), rand(3, seed=1)), order=2)


def test_cond_grad_with_traced_predicate():
    def g(x):
        return lax.cond(lax.reduce_sum(x, (0,)) > 0, lambda x: x * x, lambda x: lax.sin(x), x)
    x = rand(4)
    tree_close(fn.jit(fn.grad(lambda x: lax.reduce_sum(g(x), (0,))))(x),
               fn.grad(lambda x: lax.reduce_sum(g(x), (0,)))(x))
    check_grads(g, (x,), order=1)
    check_grads(g, (arr(-np.abs(np.asarray(x))),), order=1)


def test_cond_residuals_from_both_branches():
    # Each branch saves different residuals; the other branch's slots are zero-filled.
    def g(x, w):
        return lax.cond(x[0] > 0, lambda x: lax.exp(x) * w, lambda x: lax.sin(lax.cos(x)), x)
    for x in (rand(3), -rand(3) - 3.0):
        check_grads(lambda x, w: lax.reduce_sum(g(x, w), (0,)), (x, arr(1.3)), order=1)


def test_switch():
    branches = [lambda x: x * 2.0, lambda x: lax.sin(x), lambda x: -x * x]
    x = rand(3)
    for i in (-3, 0, 1, 2, 7):
        close(lax.switch(i, branches, x), branches[min(max(i, 0), 2)](x))
        close(fn.jit(lambda i, x: lax.switch(i, branches, x))(arr(i, np.int32), x),
              branches[min(max(i, 0), 2)](x))
        check_grads(lambda x, i=i: lax.switch(arr(i, np.int32), branches, x), (x,), order=1)


def test_cond_vmap_batched_and_unbatched_predicate():
    t, f = branch_fns()
    xs, ys = rand(5, 3), rand(5, 3, seed=1)
    preds = arr([True, False, True, True, False], np.bool_)
    out = fn.vmap(lambda p, x, y: lax.cond(p, t, f, x, y))(preds, xs, ys)
    ref = [lax.cond(bool(np.asarray(preds)[i]), t, f, xs[i], ys[i]) for i in range(5)]
    tree_close(out, _stack_trees(ref))
    # unbatched predicate, batched operands; unbatched operand y
    for p in (True, False):
        out = fn.vmap(lambda x, y, p=p: lax.cond(p, t, f, x, y), (0, None))(xs, ys[0])
        tree_close(out, _stack_trees([lax.cond(p, t, f, xs[i], ys[0]) for i in range(5)]))
    # a batched predicate computed from batched data
    out = fn.vmap(lambda x: lax.cond(x[0] > 0, lambda x: x * 2.0, lambda x: -x, x))(xs)
    close(out, [np.asarray(x) * 2 if np.asarray(x)[0] > 0 else -np.asarray(x)
                for x in np.asarray(xs)])


def test_switch_vmap_batched_index():
    branches = [lambda x: x * 2.0, lambda x: lax.sin(x), lambda x: -x * x]
    idx = arr([0, 2, 1, 5, -1], np.int32)
    xs = rand(5)
    out = fn.vmap(lambda i, x: lax.switch(i, branches, x))(idx, xs)
    close(out, [branches[min(max(int(i), 0), 2)](xs[k])
                for k, i in enumerate(np.asarray(idx))])


def test_cond_jit_matches_eager():
    t, f = branch_fns()
    x, y = rand(3), rand(3, seed=1)
    g = fn.jit(lambda p, x, y: lax.cond(p, t, f, x, y))
    for p in (True, False):
        tree_close(g(arr(p, np.bool_), x, y), lax.cond(p, t, f, x, y))


# ---------------------------------------------------------------------------------------
# while_loop and fori_loop

def test_while_loop_matches_python():
    out = lax.while_loop(lambda c: c[0] < 10, lambda c: (c[0] + 1, c[1] * 1.5), (0, arr(1.0)))
    assert int(out[0]) == 10
    close(out[1], 1.5 ** 10)
    assert int(lax.while_loop(lambda n: n < 100, lambda n: n * 3, 1)) == 243


def test_while_loop_jvp():
    def f(x):
        return lax.while_loop(lambda c: c[0] < 4, lambda c: (c[0] + 1, lax.sin(c[1]) * x),
                              (0, x))[1]
    check_grads(f, (arr(0.8),), order=2, modes=("fwd",))
    # linearize runs the known part of the loop now and stages the rest
    y, f_jvp = fn.linearize(f, arr(0.8))
    close(y, f(arr(0.8)))
    close(f_jvp(arr(1.0)), fn.jvp(f, (arr(0.8),), (arr(1.0),))[1])


def test_while_loop_reverse_mode_error():
    def f(x):
        return lax.while_loop(lambda c: c < 10.0, lambda c: c * 2.0, x)
    with pytest.raises(ValueError, match="max_steps=N"):
        fn.grad(f)(arr(1.0))
    with pytest.raises(ValueError, match="fori_loop with static"):
        fn.grad(fn.jit(lambda x, n: lax.fori_loop(0, n, lambda i, x: x * x, x)))(
            arr(1.0), arr(3, np.int32))


def test_bounded_while_loop_grads():
    def f(x, w):
        return lax.while_loop(lambda c: c[1] < 5.0, lambda c: (lax.sin(c[0]) * w, c[1] + w),
                              (x, arr(0.0)), max_steps=10)[0]

    def ref(x, w):
        c0, c1 = x, 0.0
        while c1 < 5.0:
            c0, c1 = np.sin(c0) * w, c1 + w
        return c0
    close(f(arr(0.3), arr(1.2)), ref(0.3, 1.2))
    check_grads(f, (arr(0.3), arr(1.2)), order=1)
    # max_steps smaller than the true number of steps stops early
    close(lax.while_loop(lambda c: c < 100.0, lambda c: c * 2.0, arr(1.0), max_steps=3), 8.0)


def test_while_loop_vmap():
    def f(x, n):
        return lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 1.5 + x),
                              (0, x))
    xs = rand(4)
    ns = arr([0, 3, 1, 5], np.int32)
    out = fn.vmap(f)(xs, ns)  # batched predicate: lanes finish at different steps
    tree_close(out, _stack_trees([f(xs[i], ns[i]) for i in range(4)]))
    out = fn.vmap(f, (0, None))(xs, arr(3, np.int32))  # unbatched predicate
    tree_close(out, _stack_trees([f(xs[i], arr(3, np.int32)) for i in range(4)]))
    # bounded while under vmap and grad
    g = fn.vmap(fn.grad(lambda x, n: lax.while_loop(lambda c: c[0] < n, lambda c: (
        c[0] + 1, lax.sin(c[1]) * 1.1), (0, x), max_steps=6)[1]))
    out = g(xs, ns)
    ref = [fn.grad(lambda x, n: lax.while_loop(lambda c: c[0] < n, lambda c: (
        c[0] + 1, lax.sin(c[1]) * 1.1), (0, x), max_steps=6)[1])(xs[i], ns[i])
        for i in range(4)]
    close(out, stack(ref))


def test_while_loop_jit_matches_eager():
    def f(x, n):
        return lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * x), (0, x))
    x, n = arr(1.1), arr(4, np.int32)
    tree_close(fn.jit(f)(x, n), f(x, n))


def test_fori_loop():
    def body(i, x):
        return x * lax.convert_element_type(i, f64) * 0.5 + lax.sin(x)
    x = arr(0.4)
    ref = 0.4
    for i in range(2, 7):
        ref = ref * i * 0.5 + np.sin(ref)
    close(lax.fori_loop(2, 7, body, x), ref)
    check_grads(lambda x: lax.fori_loop(2, 7, body, x), (x,), order=2)
    # traced bounds: a while_loop (under jit), same result, forward mode works
    g = fn.jit(lambda lo, hi, x: lax.fori_loop(lo, hi, body, x))
    close(g(arr(2, np.int32), arr(7, np.int32), x), ref)
    check_grads(lambda x: g(arr(2, np.int32), arr(7, np.int32), x), (x,), order=1,
                modes=("fwd",))
    assert "scan" in str(fn.make_jaxpr(lambda x: lax.fori_loop(0, 3, body, x))(x))
    assert "while" in str(fn.make_jaxpr(
        lambda n, x: lax.fori_loop(0, n, body, x))(arr(3, np.int32), x))


def test_fori_loop_vmap():
    def body(i, x):
        return x * 0.9 + lax.convert_element_type(i, f64)
    xs = rand(3)
    close(fn.vmap(lambda x: lax.fori_loop(0, 4, body, x))(xs),
          [lax.fori_loop(0, 4, body, xs[i]) for i in range(3)])
    ns = arr([1, 4, 2], np.int32)
    close(fn.vmap(lambda n, x: lax.fori_loop(0, n, body, x))(ns, xs),
          [lax.fori_loop(0, int(np.asarray(ns)[i]), body, xs[i]) for i in range(3)])


# ---------------------------------------------------------------------------------------
# associative_scan

def test_associative_scan():
    for n in (1, 2, 7, 16):
        x = rand(n, 3)
        close(lax.associative_scan(lax.add, x), np.cumsum(np.asarray(x), 0))
        close(lax.associative_scan(lax.add, x, reverse=True),
              np.cumsum(np.asarray(x)[::-1], 0)[::-1])
        close(lax.associative_scan(lax.max, x, axis=1),
              np.maximum.accumulate(np.asarray(x), 1))
    # a pytree of elements: composing affine maps a*x + b
    a, b = rand(6), rand(6, seed=1)
    out_a, out_b = lax.associative_scan(
        lambda l, r: (l[0] * r[0], r[0] * l[1] + r[1]), (a, b))
    ref_a, ref_b, ca, cb = [], [], 1.0, 0.0
    for ai, bi in zip(np.asarray(a), np.asarray(b)):
        ca, cb = ca * ai, ai * cb + bi
        ref_a.append(ca)
        ref_b.append(cb)
    close(out_a, ref_a)
    close(out_b, ref_b)
    check_grads(lambda x: lax.associative_scan(lax.mul, x), (rand(5),), order=1)
    close(fn.vmap(lambda x: lax.associative_scan(lax.add, x))(rand(2, 5)),
          np.cumsum(np.asarray(rand(2, 5)), 1))


# ---------------------------------------------------------------------------------------
# Nesting and closed-over values

def test_scan_inside_cond_inside_vmap_inside_grad():
    def inner(x):
        def pos(x):
            c, ys = lax.scan(lambda c, xi: (c * lax.sin(xi) + xi, c), x[0], x)
            return c + lax.reduce_sum(ys, (0,))
        return lax.cond(x[0] > 0, pos, lambda x: lax.reduce_sum(x * x, (0,)), x)

    def loss(xs):
        return lax.reduce_sum(fn.vmap(inner)(xs), (0,))
    xs = rand(4, 3)
    ref = [fn.grad(inner)(xs[i]) for i in range(4)]
    close(fn.grad(loss)(xs), stack(ref))
    close(fn.jit(fn.grad(loss))(xs), stack(ref))
    check_grads(loss, (xs,), order=1)


def test_cond_inside_scan_and_scan_inside_scan():
    def f(x):
        def outer(c, xi):
            inner, _ = lax.scan(lambda d, y: (d * 0.5 + lax.sin(y * c), None), c, xi)
            c = lax.cond(inner > 0, lambda v: v * v, lambda v: -v, inner)
            return c, c
        return lax.scan(outer, arr(0.3), x)
    x = rand(3, 4)
    check_grads(lambda x: lax.reduce_sum(f(x)[1], (0,)), (x,), order=1)
    tree_close(fn.jit(f)(x), f(x))
    tree_close(fn.vmap(f)(rand(2, 3, 4)), _stack_trees([f(rand(2, 3, 4)[i]) for i in range(2)]))


def test_grad_of_jit_of_control_flow():
    # jit's own partial-eval and transpose rules run ours on the jaxpr it carries.
    xs = rand(5)

    def f(w):
        return lax.cond(w > 0, lambda w: lax.scan(lambda c, x: (lax.sin(c * w) + x, None), w,
                                                  xs)[0], lambda w: w * w, w)
    for w in (0.4, -0.4):
        check_grads(fn.jit(f), (arr(w),), order=2)
    check_grads(fn.vmap(fn.jit(f)), (arr([0.4, -0.3]),), order=1)


def test_closed_over_tracers_are_differentiated():
    xs = rand(5)

    def f(w, b):  # the bodies close over w and b, tracers of grad
        c, _ = lax.scan(lambda c, x: (lax.tanh(c * w + x) + b, None), arr(0.1), xs)
        c = lax.cond(c > 0, lambda c: c * w, lambda c: c + b, c)
        return lax.fori_loop(0, 3, lambda i, c: lax.sin(c) * w, c)
    check_grads(f, (arr(0.9), arr(0.2)), order=2)
    check_grads(f, (arr(-0.4), arr(-0.9)), order=1)
    # forward mode of an (unbounded) while closing over a tracer
    g = lambda w: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * w), (0, w))[1]
    check_grads(g, (arr(1.3),), order=1, modes=("fwd",))
    # a closed-over batched value under vmap
    ws = rand(3)
    close(fn.vmap(lambda w: f(w, arr(0.2)))(ws), [f(ws[i], arr(0.2)) for i in range(3)])


def test_closed_over_constants():
    table = rand(4, 2)

    def f(x):
        c, _ = lax.scan(lambda c, t: (c * x + lax.reduce_sum(t * table[0], (0,)), None),
                        arr(0.0), table)
        return c
    check_grads(f, (arr(0.5),), order=1)


def test_python_control_flow_under_grad_and_jit():
    def f(x):
        y = x
        for _ in range(3):
            if y > 0:  # concrete under grad (jvp of concrete values)
                y = lax.sin(y) * 2.0
            else:
                y = y * y
        return y
    close(fn.grad(f)(arr(0.5)), fn.grad(lambda x: lax.sin(lax.sin(lax.sin(x) * 2.0) * 2.0)
                                        * 2.0)(arr(0.5)))
    with pytest.raises(fn.ConcretizationTypeError, match="lax.cond"):
        fn.jit(f)(arr(0.5))


def test_jit_compiler_runs_control_flow():
    # The jit compiler calls each primitive's impl with NumPy buffers.
    def f(x):
        c, ys = lax.scan(lambda c, xi: (c + xi, lax.cond(xi > 0, lambda v: v, lambda v: -v,
                                                          c)), arr(0.0), x)
        return lax.while_loop(lambda v: v < 100.0, lambda v: v * 3.0 + 1.0, c * c + 1.0), ys
    x = rand(6)
    lowered = fn.jit(f).lower(x).as_text()
    assert "scan" in lowered and "while" in lowered
    tree_close(fn.jit(f)(x), f(x))


# ---------------------------------------------------------------------------------------
# Printing and errors

def test_printed_scan_jaxpr():
    def f(xs):
        return lax.scan(lambda c, x: (c + x, lax.sin(c) * x), arr(0.0, np.float32), xs)
    text = str(fn.make_jaxpr(f)(arr(np.ones(10), np.float32)))
    assert text == """\
{ lambda ; a:f32[10]. let
    b:f32[] c:f32[10] = scan[
      jaxpr={ lambda ; a:f32[] b:f32[]. let
          c:f32[] = add a b
          d:f32[] = sin a
          e:f32[] = mul d b
        in (c, e) }
      length=10
      num_carry=1
      num_consts=0
      reverse=False
    ] 0.0:f32[] a
  in (b, c) }""", text


def test_printed_cond_jaxpr():
    text = str(fn.make_jaxpr(lambda p, x: lax.cond(p, lax.sin, lax.cos, x))(
        arr(True, np.bool_), arr(1.0, np.float32)))
    assert "cond[" in text and "branches=(" in text and "cos" in text and "sin" in text


def test_error_mismatched_branch_outputs():
    x = arr(1.0)
    with pytest.raises(TypeError, match=r"false_fun returns f64\[3\] and true_fun returns "
                                        r"f64\[\]"):
        lax.cond(True, lambda x: x, lambda x: lax.broadcast(x, (3,)), x)
    with pytest.raises(TypeError, match=r"must return the same types"):
        lax.cond(True, lambda x: (x, x), lambda x: x, x)
    with pytest.raises(TypeError, match=r"branch 1 returns"):
        lax.switch(0, [lambda x: x, lambda x: lax.convert_element_type(x, np.float32)], x)


def test_error_bad_carry_and_predicate():
    with pytest.raises(TypeError, match=r"input carry has type f64\[\].*returned carry has "
                                        r"type f64\[2\]"):
        lax.scan(lambda c, x: (lax.broadcast(c, (2,)), None), arr(1.0), rand(3))
    with pytest.raises(TypeError, match="pair"):
        lax.scan(lambda c, x: c, arr(1.0), rand(3))
    with pytest.raises(TypeError, match="scalar bool"):
        lax.while_loop(lambda c: c, lambda c: c, arr(1.0))
    with pytest.raises(fn.ShapeError, match="scalar"):
        lax.cond(arr([True, False], np.bool_), lambda x: x, lambda x: x, arr(1.0))
    with pytest.raises(ValueError, match="length"):
        lax.scan(lambda c, x: (c, None), arr(1.0))
    with pytest.raises(fn.ShapeError, match="same leading axis"):
        lax.scan(lambda c, x: (c, None), arr(1.0), (rand(3), rand(4)))


@pytest.mark.parametrize("numpy_impl", [False, True])
def test_numpy_impl_parity(numpy_impl):
    args = scan_args()
    with fn.config.override(numpy_impl=numpy_impl):
        tree_close(scan_fn(*args), scan_ref(*args))

