"""A primitive defined outside fneedle through `fneedle.extend`, the way `fneedle.nerf` defines
its fused kernels: linear interpolation along a line of feature vectors (TensoRF's line
factors), with a NumPy reference, a CPU kernel, a hand-written backward primitive, jvp,
transpose and batch rules. It must behave as the same function written with lax ops under
eager evaluation, jit, grad, vmap and their compositions.
"""

import numpy as np
import pytest

import fneedle as fn
import fneedle.numpy as fnp
from fneedle import extend as fx
from fneedle import lax
from fneedle.test_util import check_grads

# ---------------------------------------------------------------------------------------
# The primitives: line_interp(grid[N, C], x[M]) -> [M, C] and its backward for the grid,
# line_interp_grid_vjp(ct[M, C], x[M], n=N) -> [N, C]. Cell i0 = clip(floor(x), 0, N - 2),
# weight w = x - i0 (linear extrapolation past the ends).


def _cells(x, n):
    i0 = np.clip(np.floor(x), 0, n - 2).astype(np.int64)
    return i0, (x - i0).astype(x.dtype)


def _interp_ref(grid, x):
    i0, w = _cells(x, grid.shape[0])
    return grid[i0] * (1 - w)[:, None] + grid[i0 + 1] * w[:, None]


def _grid_vjp_ref(ct, x, *, n):
    i0, w = _cells(x, n)
    out = np.zeros((n, ct.shape[1]), ct.dtype)
    np.add.at(out, i0, ct * (1 - w)[:, None])
    np.add.at(out, i0 + 1, ct * w[:, None])
    return out


KERNEL_CALLS = {"line_interp": 0, "line_interp_grid_vjp": 0}


def _counting_kernel(name, ref):
    """Stands in for a C++ kernel: records that dispatch reached it, then computes."""
    def kernel(*args, **params):
        KERNEL_CALLS[name] += 1
        return ref(*args, **params)
    return kernel


def _check(name, rank_of, args):
    for (what, want), a in zip(rank_of, args):
        if a.ndim != want:
            raise TypeError(f"{name}: {what} must have rank {want}, got shape {a.shape}; "
                            f"reshape it first.")
    if args[0].dtype != args[1].dtype:
        raise TypeError(f"{name}: both operands must share a float dtype, got "
                        f"{args[0].dtype} and {args[1].dtype}; cast one of them.")


line_interp_p = fx.Primitive("line_interp")
line_interp_p.def_impl(_interp_ref)
line_interp_p.def_lowering("cpu", _counting_kernel("line_interp", _interp_ref))

line_interp_grid_vjp_p = fx.Primitive("line_interp_grid_vjp")
line_interp_grid_vjp_p.def_impl(_grid_vjp_ref)
line_interp_grid_vjp_p.def_lowering("cpu", _counting_kernel("line_interp_grid_vjp",
                                                              _grid_vjp_ref))


@line_interp_p.def_abstract_eval
def _interp_type(grid, x):
    _check("line_interp", [("grid", 2), ("x", 1)], [grid, x])
    if grid.shape[0] < 2:
        raise TypeError(f"line_interp: the grid needs at least 2 points, got {grid.shape[0]}.")
    return fx.ShapedArray((x.shape[0], grid.shape[1]), grid.dtype)


@line_interp_grid_vjp_p.def_abstract_eval
def _grid_vjp_type(ct, x, *, n):
    _check("line_interp_grid_vjp", [("ct", 2), ("x", 1)], [ct, x])
    return fx.ShapedArray((n, ct.shape[1]), ct.dtype)


def line_interp(grid, x):
    return line_interp_p.bind(grid, x)


def _slope(grid, x):
    """d line_interp / dx: the difference across the cell, written with lax ops."""
    n = fx.get_aval(grid).shape[0]
    i0 = lax.convert_element_type(lax.clamp(0.0, lax.floor(x), float(n - 2)), np.int32)
    return fnp.take(grid, i0 + 1, axis=0) - fnp.take(grid, i0, axis=0)


@line_interp_p.def_jvp
def _interp_jvp(primals, tangents):
    grid, x = primals
    dgrid, dx = tangents
    out = line_interp_p.bind(grid, x)
    t = fx.Zero(fx.tangent_aval(fx.get_aval(out)))
    if type(dgrid) is not fx.Zero:
        t = fx.add_tangents(t, line_interp_p.bind(dgrid, x))
    if type(dx) is not fx.Zero:
        t = fx.add_tangents(t, _slope(grid, x) * dx[:, None])
    return out, t


@line_interp_p.def_transpose
def _interp_transpose(ct, grid, x):
    assert fx.is_undefined_primal(grid) and not fx.is_undefined_primal(x)
    if type(ct) is fx.Zero:
        return [fx.Zero(grid.aval), None]
    return [line_interp_grid_vjp_p.bind(ct, x, n=grid.aval.shape[0]), None]


@line_interp_grid_vjp_p.def_jvp
def _grid_vjp_jvp(primals, tangents, *, n):
    ct, x = primals
    dct, dx = tangents
    out = line_interp_grid_vjp_p.bind(ct, x, n=n)
    t = fx.Zero(fx.tangent_aval(fx.get_aval(out)))
    if type(dct) is not fx.Zero:
        t = fx.add_tangents(t, line_interp_grid_vjp_p.bind(dct, x, n=n))
    if type(dx) is not fx.Zero:  # the weights move: -dx at i0, +dx at i0 + 1
        i0 = lax.convert_element_type(lax.clamp(0.0, lax.floor(x), float(n - 2)), np.int32)
        moved = ct * dx[:, None]
        t = fx.add_tangents(t, fnp.zeros((n, fx.get_aval(ct).shape[1]), fx.get_aval(ct).dtype)
                            .at[i0].add(-moved).at[i0 + 1].add(moved))
    return out, t


@line_interp_grid_vjp_p.def_transpose
def _grid_vjp_transpose(ct, ct_in, x, *, n):
    assert fx.is_undefined_primal(ct_in) and not fx.is_undefined_primal(x)
    if type(ct) is fx.Zero:
        return [fx.Zero(ct_in.aval), None]
    return [line_interp_p.bind(ct, x), None]


def _batch_over_grid_columns(prim, lead, params):
    """The batch rule both primitives share: a batched [.., C] operand with an unbatched x
    folds the batch into the feature columns (one kernel call); a batched x is flattened
    when the other operand is unbatched; both batched fall back to a loop (lax.map)."""
    def rule(args, dims):
        a, x = args
        da, dxx = dims
        size = fx.batch_size(args, dims)
        if dxx is None:
            a = fx.move_to_front(a, da)  # [B, L, C] -> [L, B * C]
            b, length, c = fx.get_aval(a).shape
            flat = lax.reshape(lax.transpose(a, (1, 0, 2)), (length, b * c))
            out = prim.bind(flat, x, **params)
            rows = fx.get_aval(out).shape[0]
            return lax.reshape(out, (rows, b, c)), 1
        if da is None and lead == "grid":  # [B, M] -> [B * M]
            x = fx.move_to_front(x, dxx)
            b, m = fx.get_aval(x).shape
            out = prim.bind(a, lax.reshape(x, (b * m,)), **params)
            return lax.reshape(out, (b, m, fx.get_aval(out).shape[1])), 0
        a, x = fx.bdim_at_front(a, da, size), fx.bdim_at_front(x, dxx, size)
        return lax.map(lambda ax: prim.bind(ax[0], ax[1], **params), (a, x)), 0
    return rule


line_interp_p.def_batch(lambda args, dims: _batch_over_grid_columns(
    line_interp_p, "grid", {})(args, dims))
line_interp_grid_vjp_p.def_batch(lambda args, dims, *, n: _batch_over_grid_columns(
    line_interp_grid_vjp_p, "ct", {"n": n})(args, dims))


def line_interp_lax(grid, x):
    """The same function composed from lax ops: the oracle for every transformation."""
    n = grid.shape[0]
    i0 = lax.convert_element_type(lax.clamp(0.0, lax.floor(x), float(n - 2)), np.int32)
    w = (x - lax.convert_element_type(i0, x.dtype))[:, None]
    return fnp.take(grid, i0, axis=0) * (1 - w) + fnp.take(grid, i0 + 1, axis=0) * w


# ---------------------------------------------------------------------------------------

N, C, M = 7, 3, 11
rng = np.random.default_rng(0)
GRID = rng.standard_normal((N, C))
# off the integer points (where the slope jumps), some past either end
X = np.concatenate([rng.uniform(0.05, N - 1.05, M - 2), [-0.6, N - 0.4]])
X = X + 0.013 * (np.abs(X - np.round(X)) < 0.02)


def loss(grid, x):
    return fnp.sum(fnp.tanh(line_interp(grid, x)) * fnp.arange(1.0, C + 1.0))


def loss_lax(grid, x):
    return fnp.sum(fnp.tanh(line_interp_lax(grid, x)) * fnp.arange(1.0, C + 1.0))


def test_eager_runs_the_kernel_and_matches_the_reference():
    before = KERNEL_CALLS["line_interp"]
    out = line_interp(fnp.asarray(GRID), fnp.asarray(X))
    np.testing.assert_allclose(np.asarray(out), _interp_ref(GRID, X), rtol=1e-14)
    np.testing.assert_allclose(np.asarray(line_interp_lax(fnp.asarray(GRID), fnp.asarray(X))),
                               _interp_ref(GRID, X), rtol=1e-14)
    assert KERNEL_CALLS["line_interp"] == before + 1


def test_jit_calls_the_kernel_and_fuses_around_it():
    f = fn.jit(lambda g, x: fnp.tanh(line_interp(g, x)) * 2.0 + 1.0)
    want = np.tanh(_interp_ref(GRID, X)) * 2 + 1
    np.testing.assert_allclose(np.asarray(f(GRID, X)), want, rtol=1e-13)
    before = KERNEL_CALLS["line_interp"]
    np.testing.assert_allclose(np.asarray(f(GRID, X)), want, rtol=1e-13)
    assert KERNEL_CALLS["line_interp"] == before + 1  # cached: no retrace, the kernel ran
    text = f.lower(GRID, X).as_text()
    assert "line_interp" in text and "fused" in text


def test_grad_matches_the_lax_composition():
    g_prim = fn.grad(loss, argnums=(0, 1))(GRID, X)
    g_lax = fn.grad(loss_lax, argnums=(0, 1))(GRID, X)
    for a, b in zip(g_prim, g_lax):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-12)
    before = KERNEL_CALLS["line_interp_grid_vjp"]
    fn.jit(fn.grad(loss))(GRID, X)
    assert KERNEL_CALLS["line_interp_grid_vjp"] == before + 1  # the hand-written backward


def test_derivatives_against_finite_differences_to_second_order():
    check_grads(line_interp, (GRID, X), order=2, modes=("fwd", "rev"))
    check_grads(lambda ct, x: line_interp_grid_vjp_p.bind(ct, x, n=N),
                (rng.standard_normal((M, C)), X), order=2, modes=("fwd", "rev"))


@pytest.mark.parametrize("axes", [(0, None), (None, 0), (0, 0), (2, 1)])
def test_vmap_matches_a_loop(axes):
    b = 4
    grids = rng.standard_normal((b, N, C))
    xs = np.stack([X[::-1] if k % 2 else X for k in range(b)])
    in_g = grids if axes[0] is not None else GRID
    in_x = xs if axes[1] is not None else X
    if axes == (2, 1):
        in_g, in_x = np.moveaxis(grids, 0, 2), xs.T.copy()
    got = fn.vmap(line_interp, in_axes=axes)(in_g, in_x)
    want = np.stack([_interp_ref(grids[k] if axes[0] is not None else GRID,
                                 xs[k] if axes[1] is not None else X) for k in range(b)])
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-13)


def test_per_example_gradients_compose_with_jit():
    xs = np.stack([X, X[::-1], X * 0.5])
    f = fn.jit(fn.vmap(fn.grad(loss), in_axes=(None, 0)))
    g = fn.jit(fn.vmap(fn.grad(loss_lax), in_axes=(None, 0)))
    np.testing.assert_allclose(np.asarray(f(GRID, xs)), np.asarray(g(GRID, xs)), rtol=1e-12,
                               atol=1e-12)
    h = fn.jacfwd(fn.grad(loss))(GRID, X)  # forward over reverse through both primitives
    h_lax = fn.jacfwd(fn.grad(loss_lax))(GRID, X)
    np.testing.assert_allclose(np.asarray(h), np.asarray(h_lax), rtol=1e-11, atol=1e-11)


def test_bad_input_names_the_primitive_and_the_fix():
    with pytest.raises(TypeError, match=r"line_interp: x must have rank 1.*reshape"):
        line_interp(GRID, X[:, None])
    with pytest.raises(TypeError, match=r"line_interp: both operands.*cast"):
        fn.jit(line_interp)(GRID, X.astype(np.float32))
