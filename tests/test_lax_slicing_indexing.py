"""Direct tests of fneedle.lax's slicing, indexing and iota primitives.

Every record of tests/ops/rows_slicing.py and rows_indexing.py is checked here without the
op-table harness: the result against its NumPy reference, `jvp` against a central difference
in float64, `vjp` by the inner-product identity <vjp(ct), t> == <ct, jvp(t)>, and `vmap`
against a Python loop with each argument batched alone and all together. Targeted tests
follow for modes, symbolic rules, errors and hashable params.
"""

import numpy as np
import pytest

import fneedle as fn
import fneedle.numpy as fnp
from fneedle import lax
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.lax import GatherDimensionNumbers as GDN
from fneedle.lax import GatherScatterMode
from fneedle.lax import ScatterDimensionNumbers as SDN
from tests.ops import rows_indexing, rows_slicing

RECORDS = rows_slicing.ROWS + rows_indexing.ROWS
CASES = [pytest.param(rec, tuple(shapes), id=f"{rec.name}-{i}")
         for rec in RECORDS for i, shapes in enumerate(rec.shapes)]
GRAD_CASES = [p for p in CASES if p.values[0].diff_argnums]
BATCH = 3


def _draw(rng, kind, shape, dtype):
    if callable(kind):
        return np.asarray(kind(rng, shape, dtype)).astype(dtype)
    assert kind == "normal", kind
    if np.dtype(dtype) == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(np.dtype(dtype), np.integer):
        return rng.integers(0 if np.dtype(dtype).kind == "u" else -5, 6, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _kinds(rec, n):
    return rec.inputs if isinstance(rec.inputs, tuple) else (rec.inputs,) * n


def _dtypes(rec, dtype, n):
    return tuple(rec.arg_dtypes(dtype)) if rec.arg_dtypes else (dtype,) * n


def _args(rec, shapes, dtype=np.float64, seed=0, batch_axes=None):
    rng = np.random.default_rng(seed)
    n = len(shapes)
    axes = batch_axes or (None,) * n
    out = []
    for kind, shape, dt, ax in zip(_kinds(rec, n), shapes, _dtypes(rec, dtype, n), axes):
        if ax is not None:
            shape = shape[:ax] + (BATCH,) + shape[ax:]
        out.append(_draw(rng, kind, shape, dt))
    return out


def _f64(x):
    return np.asarray(x).astype(np.float64)


@pytest.mark.parametrize("rec,shapes", CASES)
def test_matches_numpy(rec, shapes):
    for dtype in rec.dtypes:
        np_args = _args(rec, shapes, dtype)
        out = rec.fn(*[fnp.asarray(a) for a in np_args])
        expected = np.asarray(rec.reference(*[a.copy() for a in np_args]))
        assert out.shape == expected.shape, (rec.name, dtype)
        assert out.dtype == np.dtype(dtype) or rec.name == "gather_rows_default_fill" \
            or out.dtype == expected.dtype, (rec.name, dtype, out.dtype)
        tol = 1e-12 if np.dtype(dtype) == np.float64 else 2e-2
        np.testing.assert_allclose(_f64(out), _f64(expected.astype(out.dtype)), rtol=tol,
                                   atol=tol, err_msg=f"{rec.name} {np.dtype(dtype).name}")
        # abstract evaluation agrees with the impl
        aval = fn.make_jaxpr(rec.fn)(*[fnp.asarray(a) for a in np_args]).out_avals[0]
        assert (aval.shape, aval.dtype) == (out.shape, out.dtype)


def _split(rec, np_args):
    """(function of the float args only, their values as Arrays)."""
    fixed = [fnp.asarray(a) for a in np_args]

    def f(*diff):
        full = list(fixed)
        for i, d in zip(rec.diff_argnums, diff):
            full[i] = d
        return rec.fn(*full)
    return f, [fixed[i] for i in rec.diff_argnums]


@pytest.mark.parametrize("rec,shapes", GRAD_CASES)
def test_jvp_matches_central_difference(rec, shapes):
    f, primals = _split(rec, _args(rec, shapes))
    rng = np.random.default_rng(1)
    tangents = [fnp.asarray(rng.standard_normal(p.shape)) for p in primals]
    _, t_out = fn.jvp(f, tuple(primals), tuple(tangents))
    eps = 1e-6

    def at(scale):
        return _f64(f(*[fnp.asarray(_f64(p) + scale * _f64(t))
                        for p, t in zip(primals, tangents)]))
    numeric = (at(eps) - at(-eps)) / (2 * eps)
    np.testing.assert_allclose(_f64(t_out), numeric, atol=1e-6, rtol=1e-6, err_msg=rec.name)


@pytest.mark.parametrize("rec,shapes", GRAD_CASES)
def test_vjp_is_adjoint_of_jvp(rec, shapes):
    f, primals = _split(rec, _args(rec, shapes))
    rng = np.random.default_rng(2)
    tangents = [fnp.asarray(rng.standard_normal(p.shape)) for p in primals]
    out, t_out = fn.jvp(f, tuple(primals), tuple(tangents))
    ct = fnp.asarray(rng.standard_normal(out.shape))
    _, pullback = fn.vjp(f, *primals)
    cts = pullback(ct)
    lhs = sum(float(np.vdot(_f64(c), _f64(t))) for c, t in zip(cts, tangents))
    rhs = float(np.vdot(_f64(ct), _f64(t_out)))
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-10), rec.name


def _vmap_configs(shapes):
    n = len(shapes)
    configs = [tuple(0 if j == i else None for j in range(n)) for i in range(n)]
    configs += [tuple(len(s) if j == i else None for j in range(n))
                for i, s in enumerate(shapes) if s]  # batch dim last
    if n > 1:
        configs.append((0,) * n)
    return configs


@pytest.mark.parametrize("rec,shapes", CASES)
def test_vmap_matches_loop(rec, shapes):
    if not rec.batch:
        pytest.skip("opted out of vmap")
    dtype = rec.dtypes[0]
    for seed, axes in enumerate(_vmap_configs(shapes)):
        np_args = _args(rec, shapes, dtype, seed=seed, batch_axes=axes)
        got = fn.vmap(rec.fn, in_axes=axes)(*[fnp.asarray(a) for a in np_args])
        expected = np.stack([
            np.asarray(rec.fn(*[fnp.asarray(a if ax is None else np.take(a, b, axis=ax))
                                for a, ax in zip(np_args, axes)]))
            for b in range(BATCH)])
        np.testing.assert_array_equal(np.asarray(got), expected,
                                      err_msg=f"{rec.name} in_axes={axes}")


# ---------------------------------------------------------------------------------------
# Targeted tests.

def _a(x, dtype=None):
    return fnp.asarray(np.asarray(x, dtype))


ROWS_OF = GDN(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,))
ELEMENTS = SDN(update_window_dims=(), inserted_window_dims=(0,),
               scatter_dims_to_operand_dims=(0,))


def test_gather_vjp_accumulates_duplicate_indices():
    x = _a(np.arange(12.0).reshape(4, 3))
    idx = _a([[1], [1], [3]], np.int32)
    _, pullback = fn.vjp(lambda x: lax.gather(x, idx, ROWS_OF, (1, 3)), x)
    (ct,) = pullback(_a(np.ones((3, 3))))
    np.testing.assert_array_equal(np.asarray(ct), [[0] * 3, [2] * 3, [0] * 3, [1] * 3])


def test_gather_transpose_is_scatter_add_in_the_jaxpr():
    x = _a(np.ones((4, 3)))
    idx = _a([[0], [2]], np.int32)
    text = str(fn.make_jaxpr(fn.grad(
        lambda x: lax.reduce_sum(lax.gather(x, idx, ROWS_OF, (1, 3)), (0, 1))))(x))
    assert "scatter_add" in text


def test_gather_fill_tangent_is_zero_and_default_fill_by_dtype():
    idx = _a([[0], [7]], np.int32)
    f = lambda x: lax.gather(x, idx, ROWS_OF, (1, 2))
    x = _a(np.ones((3, 2)))
    out, t = fn.jvp(f, (x,), (x,))
    assert np.isnan(np.asarray(out)[1]).all() and (np.asarray(t)[1] == 0).all()
    for dtype, fill in ((np.int32, np.iinfo(np.int32).min), (np.uint8, 255), (np.bool_, True)):
        got = np.asarray(f(_a(np.zeros((3, 2)), dtype)))
        assert got.dtype == dtype and (got[1] == fill).all()


def test_modes_accept_strings_and_reject_unknown():
    assert GatherScatterMode.from_any("clip") is GatherScatterMode.CLIP
    assert GatherScatterMode.from_any("fill") is GatherScatterMode.FILL_OR_DROP
    assert GatherScatterMode.from_any(None) is GatherScatterMode.FILL_OR_DROP
    assert GatherScatterMode.from_any("promise_in_bounds") is \
        GatherScatterMode.PROMISE_IN_BOUNDS
    with pytest.raises(ValueError, match="Unknown gather/scatter mode"):
        GatherScatterMode.from_any("wrap")


def test_clip_and_drop_modes():
    x = _a(np.zeros(4))
    idx = _a([[-2], [1], [9]], np.int32)
    v = _a([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(np.asarray(lax.scatter_add(x, idx, v, ELEMENTS)),
                                  [0, 2, 0, 0])
    np.testing.assert_array_equal(
        np.asarray(lax.scatter_add(x, idx, v, ELEMENTS, mode="clip")), [1, 2, 0, 3])
    y = _a([10.0, 11.0, 12.0, 13.0])
    got = lax.gather(y, idx, GDN((), (0,), (0,)), (1,), mode="clip")
    np.testing.assert_array_equal(np.asarray(got), [10, 11, 13])


def test_scatter_set_duplicate_tangent_follows_the_winner():
    x = _a(np.zeros(3))
    idx = _a([[1], [1], [2]], np.int32)
    v = _a([5.0, 6.0, 7.0])
    f = lambda x, v: lax.scatter(x, idx, v, ELEMENTS)
    out, t = fn.jvp(f, (x, v), (_a(np.ones(3)), _a([10.0, 20.0, 30.0])))
    out, t = np.asarray(out), np.asarray(t)
    winner = int(np.argmax(np.asarray(v) == out[1]))  # whichever update landed
    np.testing.assert_array_equal(t, [1.0, [10.0, 20.0][winner], 30.0])


def test_scatter_min_max_tangent_averages_ties():
    x = _a([1.0, 5.0])
    idx = _a([[0], [0], [1]], np.int32)
    v = _a([3.0, 3.0, 2.0])
    f = lambda x, v: lax.scatter_max(x, idx, v, ELEMENTS)
    _, t = fn.jvp(f, (x, v), (_a([1.0, 1.0]), _a([2.0, 4.0, 8.0])))
    np.testing.assert_allclose(np.asarray(t), [3.0, 1.0])  # mean of 2 and 4; operand kept
    x_tie = _a([3.0, 5.0])
    _, t = fn.jvp(f, (x_tie, v), (_a([6.0, 1.0]), _a([2.0, 4.0, 8.0])))
    np.testing.assert_allclose(np.asarray(t), [4.0, 1.0])  # mean of 6, 2 and 4


def test_scatter_mul_updates_derivative_needs_unique_indices():
    x = _a(np.ones(3))
    idx = _a([[0], [0]], np.int32)
    f = lambda v: lax.scatter_mul(x, idx, v, ELEMENTS)
    with pytest.raises(NotImplementedError, match="unique_indices=True"):
        fn.jvp(f, (_a([2.0, 3.0]),), (_a([1.0, 1.0]),))


def test_dynamic_slice_clamps_and_wraps():
    x = _a(np.arange(10.0))
    assert np.asarray(lax.dynamic_slice(x, (-3,), (2,))).tolist() == [7.0, 8.0]
    assert np.asarray(lax.dynamic_slice(x, (9,), (4,))).tolist() == [6, 7, 8, 9]
    assert np.asarray(lax.dynamic_slice(x, (_a(-30, np.int32),), (2,))).tolist() == [0, 1]
    assert np.asarray(lax.dynamic_slice(x, _a([4], np.int32), (1,))).tolist() == [4.0]


def test_vmap_of_dynamic_slice_with_batched_starts_is_a_gather():
    x = _a(np.arange(20.0).reshape(4, 5))
    starts = _a([0, 3, -1], np.int32)
    f = lambda x, i: lax.dynamic_slice(x, (i, 1), (2, 3))
    jaxpr = str(fn.make_jaxpr(fn.vmap(f, in_axes=(None, 0)))(x, starts))
    assert "gather" in jaxpr
    got = fn.vmap(f, in_axes=(None, 0))(x, starts)
    expected = np.stack([np.asarray(f(x, s)) for s in (0, 3, -1)])
    np.testing.assert_array_equal(np.asarray(got), expected)


def test_grad_of_dynamic_update_slice_and_pad():
    x, u = _a(np.ones((4, 4))), _a(np.ones((2, 2)))

    def loss(x, u):
        y = lax.dynamic_update_slice(x, u, (1, 3))  # clamped to column 2
        z = lax.pad(y, 0.0, [(-1, 2, 1), (0, -1, 0)])
        return lax.reduce_sum(z, (0, 1))
    gx, gu = fn.grad(loss, argnums=(0, 1))(x, u)
    expected_x = np.ones((4, 4))
    expected_x[0, :] = 0  # cropped by the negative low padding
    expected_x[:, 3] = 0  # cropped by the negative high padding
    expected_x[1:3, 2:4] = 0  # overwritten by the update
    np.testing.assert_array_equal(np.asarray(gx), expected_x)
    np.testing.assert_array_equal(np.asarray(gu), [[1, 0], [1, 0]])


def test_pad_with_a_batched_padding_value():
    x = _a(np.arange(3.0))
    values = _a([-1.0, -2.0])
    got = fn.vmap(lambda v: lax.pad(x, v, [(1, 1, 1)]))(values)
    np.testing.assert_array_equal(np.asarray(got), [[-1, 0, -1, 1, -1, 2, -1],
                                                    [-2, 0, -2, 1, -2, 2, -2]])


def test_iota():
    np.testing.assert_array_equal(np.asarray(lax.iota(np.int32, 4)), [0, 1, 2, 3])
    got = lax.broadcasted_iota("float32", (2, 3), -2)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(got), [[0, 0, 0], [1, 1, 1]])
    with pytest.raises(ShapeError, match="not a dimension"):
        lax.broadcasted_iota(np.int32, (2, 3), 2)


def test_params_are_hashable():
    x = _a(np.ones((4, 3)))
    idx = _a([[0]], np.int32)
    jaxprs = [fn.make_jaxpr(f)(x) for f in (
        lambda x: lax.gather(x, idx, GDN([1], [0], [0]), [1, 3]),  # lists are made tuples
        lambda x: lax.scatter_add(x, idx, lax.slice(x, (0, 0), (1, 3)),
                                  SDN([1], [0], [0])),
        lambda x: lax.pad(x, 0.0, [[1, 1, 0], [0, 0, 1]]),
        lambda x: lax.slice(x, [0, 0], [2, 3], [2, 1]),
        lambda x: lax.dynamic_slice(x, [1, 0], [2, 3]))]
    for jaxpr in jaxprs:
        for eq in jaxpr.jaxpr.equations:
            hash(tuple(sorted(eq.params.items())))


@pytest.mark.parametrize("call,error,match", [
    (lambda x, i: lax.slice(x, (0, 0), (5, 3)), ShapeError, "0 <= start <= limit <= 4"),
    (lambda x, i: lax.dynamic_slice(x, (0,), (1, 1)), ShapeError, "one start index per"),
    (lambda x, i: lax.dynamic_slice(x, (0, 0), (5, 1)), ShapeError, "slice size 5"),
    (lambda x, i: lax.dynamic_slice(x, (0.5, 0), (1, 1)), DtypeError, "integer dtype"),
    (lambda x, i: lax.dynamic_update_slice(x, _a(np.ones((1, 1)), np.float32), (0, 0)),
     DtypeError, "operand's dtype"),
    (lambda x, i: lax.pad(x, 0.0, [(1, 1, -1), (0, 0, 0)]), ShapeError, "interior"),
    (lambda x, i: lax.pad(x, 0.0, [(-5, 0, 0), (0, 0, 0)]), ShapeError, "negative size"),
    (lambda x, i: lax.concatenate([x, _a(np.ones((4, 2)), np.float32)], 0), DtypeError,
     "one dtype"),
    (lambda x, i: lax.concatenate([x, _a(np.ones((3, 2)))], 0), ShapeError, "agree"),
    (lambda x, i: lax.rev(x, (2,)), ShapeError, "distinct dimensions"),
    (lambda x, i: lax.gather(x, _a(i, np.float32), ROWS_OF, (1, 3)), DtypeError,
     "integer indices"),
    (lambda x, i: lax.gather(x, i, ROWS_OF, (2, 3)), ShapeError, "slice size 1"),
    (lambda x, i: lax.gather(x, i, GDN((1,), (0,), (0, 1)), (1, 3)), ShapeError,
     "start_index_map"),
    (lambda x, i: lax.scatter_add(x, i, _a(np.ones((2, 3))), SDN((1,), (0,), (0,))),
     ShapeError, "must match the batch dimensions"),
])
def test_errors_are_full_sentences(call, error, match):
    x = _a(np.ones((4, 3)))
    i = _a([[1]], np.int32)
    with pytest.raises(error, match=match) as info:
        call(x, i)
    message = str(info.value)
    assert message.endswith(".") and len(message.split()) >= 8, message
