"""Direct tests of the reduction, cumulative, sort, dot, linalg and segment primitives: the
semantics the op table (tests/ops/rows_*.py) does not pin down on random inputs — ties, zeros,
NaNs, empty axes, integer wrapping, error messages, and nested transformations."""

import numpy as np
import pytest

import fneedle as fn
from fneedle import lax
from fneedle.core.errors import DtypeError, ShapeError


def A(x, dtype=None):
    return fn.numpy.asarray(np.asarray(x, dtype))


def npa(x):
    return np.asarray(x)


def jacobian_fwd(f, x):
    """The Jacobian of f at x, column by column with jvp (f: R^n -> R^m, flat)."""
    x = np.asarray(x, np.float64)
    cols = []
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = 1.0
        cols.append(npa(fn.jvp(f, (A(x),), (A(e.reshape(x.shape)),))[1]).ravel())
    return np.stack(cols, axis=-1)


# ---------------------------------------------------------------------------------------
# Reductions.

def test_reduce_max_min_grads_average_over_ties():
    x = A([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], np.float64)
    g = fn.grad(lambda x: lax.reduce_sum(lax.reduce_max(x, (1,)), (0,)))(x)
    np.testing.assert_allclose(npa(g), [[0, 0.5, 0.5], [0.5, 0, 0.5]])
    g = fn.grad(lambda x: lax.reduce_min(x, (0, 1)))(x)
    np.testing.assert_allclose(npa(g), [[0, 0, 0], [0, 1, 0]])


@pytest.mark.parametrize("x, grad", [
    ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
    ([0.0, 3.0, 4.0], [12.0, 0.0, 0.0]),
    ([0.0, 3.0, 0.0], [0.0, 0.0, 0.0]),
    ([5.0], [1.0]),
])
def test_reduce_prod_grad_is_exact_at_zeros(x, grad):
    g = fn.grad(lambda x: lax.reduce_prod(x, (0,)))(A(x, np.float64))
    np.testing.assert_allclose(npa(g), grad)


def test_reduce_prod_hessian_at_a_zero():
    x = np.array([0.0, 2.0, 3.0, 0.5])
    hess = jacobian_fwd(fn.grad(lambda x: lax.reduce_prod(x, (0,))), x)
    expected = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            if i != j:
                expected[i, j] = np.prod(np.delete(x, [i, j]))
    np.testing.assert_allclose(hess, expected, atol=1e-12)


def test_reduce_prod_jvp_over_odd_axis_subsets():
    x = np.random.default_rng(0).uniform(0.5, 1.5, (3, 5, 2))
    t = np.random.default_rng(1).standard_normal(x.shape)
    _, dy = fn.jvp(lambda x: lax.reduce_prod(x, (0, 1)), (A(x),), (A(t),))
    expected = sum(np.prod(x, (0, 1)) / x[i, j] * t[i, j] for i in range(3) for j in range(5))
    np.testing.assert_allclose(npa(dy), expected, rtol=1e-12)


def test_empty_reductions_give_the_identity():
    f32 = A(np.zeros((0, 3), np.float32))
    i8 = A(np.zeros((0, 3), np.int8))
    np.testing.assert_array_equal(npa(lax.reduce_max(f32, (0,))), [-np.inf] * 3)
    np.testing.assert_array_equal(npa(lax.reduce_min(f32, (0,))), [np.inf] * 3)
    np.testing.assert_array_equal(npa(lax.reduce_max(i8, (0,))), [-128] * 3)
    np.testing.assert_array_equal(npa(lax.reduce_prod(f32, (0,))), [1.0] * 3)
    np.testing.assert_array_equal(npa(lax.reduce_and(A(np.zeros((0,), bool)), (0,))), True)
    np.testing.assert_array_equal(npa(lax.reduce_or(A(np.zeros((0,), bool)), (0,))), False)
    np.testing.assert_array_equal(npa(lax.reduce_and(i8, (0,))), [-1] * 3)


def test_reductions_keep_dtypes_and_propagate_nan():
    import ml_dtypes
    x = A(np.array([[1.0, np.nan], [3.0, 2.0]], ml_dtypes.bfloat16))
    for f in (lax.reduce_max, lax.reduce_min, lax.reduce_prod):
        out = f(x, (1,))
        assert out.dtype == x.dtype
        assert np.isnan(npa(out).astype(np.float32)[0])
    assert lax.reduce_or(A([3, 4], np.uint8), (0,)).dtype == np.uint8
    assert int(lax.reduce_or(A([3, 4], np.uint8), (0,))) == 7
    assert int(lax.reduce_and(A([7, 5], np.int32), (0,))) == 5


def test_argmax_argmin_first_index_nan_and_dtype():
    x = A([[1.0, 5.0, 5.0, np.nan, np.nan], [2.0, 2.0, 0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(npa(lax.argmax(x, 1, np.int32)), [3, 0])
    np.testing.assert_array_equal(npa(lax.argmin(x, -1, np.int32)), [3, 2])
    out = lax.argmax(x, 0, np.int64)
    assert out.dtype == np.int64 and not out.weak_type
    with pytest.raises(ShapeError, match="empty"):
        lax.argmax(A(np.zeros((0, 2))), 0, np.int32)
    with pytest.raises(DtypeError, match="index_dtype"):
        lax.argmax(x, 0, np.float32)


def test_reduction_errors_are_sentences():
    with pytest.raises(DtypeError, match="bool"):
        lax.reduce_prod(A([True, False]), (0,))
    with pytest.raises(DtypeError, match="bool or integer"):
        lax.reduce_and(A([1.0]), (0,))
    with pytest.raises(ShapeError, match="out of bounds"):
        lax.reduce_max(A([[1.0]]), (2,))
    with pytest.raises(ShapeError, match="Repeated axis"):
        lax.reduce_max(A([[1.0]]), (0, -2))


def test_reductions_under_vmap_at_inner_axes():
    x = np.random.default_rng(0).standard_normal((3, 4, 5))
    out = fn.vmap(lambda v: lax.reduce_max(v, (1,)), in_axes=1)(A(x))
    np.testing.assert_allclose(npa(out), np.max(x, axis=2).T)
    out = fn.vmap(lambda v: lax.argmin(v, 0, np.int32), in_axes=2)(A(x))
    np.testing.assert_array_equal(npa(out), np.argmin(x, axis=0).T)


# ---------------------------------------------------------------------------------------
# Cumulative.

def test_cumsum_transpose_is_reverse_cumsum():
    x = A(np.arange(4.0))
    _, pull = fn.vjp(lambda x: lax.cumsum(x, 0), x)
    np.testing.assert_allclose(npa(pull(A([1.0, 0.0, 0.0, 1.0]))[0]), [2, 1, 1, 1])
    _, pull = fn.vjp(lambda x: lax.cumsum(x, 0, reverse=True), x)
    np.testing.assert_allclose(npa(pull(A([1.0, 0.0, 0.0, 1.0]))[0]), [1, 1, 1, 2])


def test_cumprod_derivatives_through_zeros():
    x = np.array([2.0, 0.0, 3.0, 0.0, 0.5])
    f = lambda x: lax.reduce_sum(lax.cumprod(x, 0), (0,))
    jac = jacobian_fwd(lambda x: lax.cumprod(x, 0), x)
    expected = np.zeros((5, 5))
    for i in range(5):
        for k in range(i + 1):
            expected[i, k] = np.prod(np.delete(x[:i + 1], k))
    np.testing.assert_allclose(jac, expected, atol=1e-12)
    g = npa(fn.grad(f)(A(x)))
    np.testing.assert_allclose(g, expected.sum(0), atol=1e-12)
    hess = jacobian_fwd(fn.grad(f), x)
    eps = 1e-6
    fd = np.stack([(npa(fn.grad(f)(A(x + eps * e))) - npa(fn.grad(f)(A(x - eps * e)))) / (2 * eps)
                   for e in np.eye(5)], axis=-1)
    np.testing.assert_allclose(hess, fd, atol=1e-6)


def test_cummax_grad_splits_ties_like_reduce_max():
    g = fn.grad(lambda x: lax.reduce_sum(lax.cummax(x, 0), (0,)))(A([1.0, 3.0, 3.0]))
    # out = [1, 3, 3]: out[0] picks x0; out[1] x1; out[2] ties x1 and x2.
    np.testing.assert_allclose(npa(g), [1.0, 1.5, 0.5])


def test_cumlogsumexp_is_stable():
    x = A([-np.inf, 0.0, 1000.0, -1000.0])
    out = npa(lax.cumlogsumexp(x, 0))
    np.testing.assert_allclose(out, [-np.inf, 0.0, 1000.0, 1000.0])
    g = npa(fn.grad(lambda x: lax.reduce_sum(lax.cumlogsumexp(x, 0), (0,)))(
        A([0.0, 1000.0, -1000.0], np.float64)))
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, [1.0, 2.0, 0.0], atol=1e-12)


def test_cumulative_errors():
    with pytest.raises(DtypeError, match="bool"):
        lax.cumsum(A([True]), 0)
    with pytest.raises(DtypeError, match="floating-point"):
        lax.cumlogsumexp(A([1, 2], np.int32), 0)
    with pytest.raises(ShapeError, match="out of bounds"):
        lax.cummax(A([1.0]), 1)
    with pytest.raises(ShapeError, match="rank-0"):
        lax.cumsum(A(1.0), 0)


# ---------------------------------------------------------------------------------------
# Sorting.

def test_sort_nans_last_and_stable_multi_operand():
    x = A([3.0, np.nan, 1.0, -np.inf, 1.0])
    np.testing.assert_array_equal(npa(lax.sort(x)), [-np.inf, 1.0, 1.0, 3.0, np.nan])
    keys = A([2, 1, 2, 1, 0], np.int32)
    vals = A([0.0, 1.0, 2.0, 3.0, 4.0])
    k, v = lax.sort_key_val(keys, vals)
    np.testing.assert_array_equal(npa(k), [0, 1, 1, 2, 2])
    np.testing.assert_array_equal(npa(v), [4.0, 1.0, 3.0, 0.0, 2.0])
    _, _, v = lax.sort((keys, A([5, 4, 3, 2, 1], np.int32), vals), num_keys=2)
    np.testing.assert_array_equal(npa(v), [4.0, 3.0, 1.0, 2.0, 0.0])
    out = lax.sort((keys, vals))
    assert isinstance(out, tuple) and len(out) == 2


def test_sort_grad_goes_back_to_the_original_positions():
    x = A([3.0, 1.0, 2.0], np.float64)
    g = fn.grad(lambda x: lax.reduce_sum(lax.mul(lax.sort(x), A([1.0, 10.0, 100.0])), (0,)))(x)
    np.testing.assert_allclose(npa(g), [100.0, 1.0, 10.0])


def test_top_k_ties_nan_and_grad():
    vals, idx = lax.top_k(A([1.0, 5.0, 5.0, np.nan, 2.0]), 3)
    np.testing.assert_array_equal(npa(idx), [3, 1, 2])
    assert idx.dtype == np.int32
    vals, idx = lax.top_k(A([[4, 9, 9, 1]], np.int32), 2)
    np.testing.assert_array_equal(npa(vals), [[9, 9]])
    np.testing.assert_array_equal(npa(idx), [[1, 2]])
    g = fn.grad(lambda x: lax.reduce_sum(lax.top_k(x, 2)[0], (0,)))(A([1.0, 4.0, 3.0, 0.0],
                                                                    np.float64))
    np.testing.assert_allclose(npa(g), [0, 1, 1, 0])
    with pytest.raises(ShapeError, match="k=5"):
        lax.top_k(A([1.0, 2.0]), 5)


def test_sort_errors():
    with pytest.raises(ShapeError, match="one shape"):
        lax.sort((A([1.0, 2.0]), A([1.0])))
    with pytest.raises(ValueError, match="num_keys"):
        lax.sort((A([1.0]), A([1.0])), num_keys=3)
    with pytest.raises(ShapeError, match="rank"):
        lax.sort(A(1.0))


def test_sort_vmap_of_grad_and_grad_of_vmap():
    x = np.random.default_rng(0).standard_normal((3, 5))
    w = np.arange(5.0)
    f = lambda v: lax.reduce_sum(lax.mul(lax.sort(v), A(w)), (0,))
    per_row = fn.vmap(fn.grad(f))(A(x))
    for i in range(3):
        np.testing.assert_allclose(npa(per_row)[i], npa(fn.grad(f)(A(x[i]))))
    total = fn.grad(lambda m: lax.reduce_sum(fn.vmap(f)(m), (0,)))(A(x))
    np.testing.assert_allclose(npa(total), npa(per_row))


# ---------------------------------------------------------------------------------------
# dot_general.

def test_dot_integer_wrapping_and_preferred_types():
    a = np.full((2, 40), 100, np.int8)
    b = np.ones((40, 1), np.int8)
    out = lax.dot(A(a), A(b))
    assert out.dtype == np.int8
    np.testing.assert_array_equal(npa(out), (a.astype(np.int64) @ b).astype(np.int8))
    out = lax.dot(A(a), A(b), preferred_element_type=np.int32)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(npa(out), [[4000], [4000]])
    out = lax.dot(A([[True, False]]), A([[False], [True]]))
    assert out.dtype == np.bool_ and not npa(out).any()


def test_dot_preferred_f32_grads_return_input_dtype():
    import ml_dtypes
    a = A(np.ones((2, 3), ml_dtypes.bfloat16))
    b = A(np.ones((3, 4), ml_dtypes.bfloat16))
    f = lambda a, b: lax.reduce_sum(lax.dot(a, b, precision="highest",
                                            preferred_element_type=np.float32), (0, 1))
    assert f(a, b).dtype == np.float32
    ga, gb = fn.grad(f, argnums=(0, 1))(a, b)
    assert ga.dtype == a.dtype and gb.dtype == b.dtype
    np.testing.assert_allclose(npa(ga).astype(np.float32), 4.0)


def test_dot_general_errors():
    x, y = A(np.ones((2, 3))), A(np.ones((4, 5)))
    with pytest.raises(ShapeError, match="size 3 .* size 4"):
        lax.dot_general(x, y, (((1,), (0,)), ((), ())))
    with pytest.raises(DtypeError, match="one dtype"):
        lax.dot(A(np.ones((2, 3), np.float32)), A(np.ones((3, 2), np.float64)))
    with pytest.raises(DtypeError, match="narrower"):
        lax.dot(A(np.ones((2, 3), np.float64)), A(np.ones((3, 2))),
                preferred_element_type=np.float32)
    with pytest.raises(DtypeError, match="integer"):
        lax.dot(x, A(np.ones((3, 2))), preferred_element_type=np.int32)
    with pytest.raises(ShapeError, match="rank 1 or 2"):
        lax.dot(A(np.ones((2, 2, 2))), x)
    with pytest.raises(ShapeError, match="must all be different"):
        lax.dot_general(x, x, (((1,), (1,)), ((1,), (1,))))


def test_dot_hessian_of_bilinear_form():
    m = np.random.default_rng(0).standard_normal((3, 3))
    f = lambda v: lax.dot(v, lax.dot(A(m), v))
    hess = jacobian_fwd(fn.grad(f), np.ones(3))
    np.testing.assert_allclose(hess, m + m.T, atol=1e-12)


# ---------------------------------------------------------------------------------------
# Linear algebra.

def test_lu_reconstructs_the_permuted_matrix():
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    lu_, piv, perm = lax.lu(A(x))
    lu_, perm = npa(lu_), npa(perm)
    assert npa(piv).dtype == np.int32 and perm.dtype == np.int32
    l = np.tril(lu_[..., :3], -1) + np.eye(5, 3)
    u = np.triu(lu_[..., :3, :])
    np.testing.assert_allclose(np.take_along_axis(x, perm[..., None], 1), l @ u, atol=1e-12)


def test_failures_give_nans_or_infs_not_exceptions():
    bad = A([[[1.0, 2.0], [2.0, 1.0]], [[2.0, 0.0], [0.0, 3.0]]])
    out = npa(lax.cholesky(bad))
    assert np.isnan(out[0]).all()
    np.testing.assert_allclose(out[1], np.sqrt([[2, 0], [0, 3]]))
    x = npa(lax.triangular_solve(A([[1.0, 0.0], [1.0, 0.0]]), A([[1.0], [1.0]]),
                                 left_side=True, lower=True))
    assert not np.isfinite(x[1, 0])
    lu_, _, _ = lax.lu(A(np.zeros((3, 3))))
    np.testing.assert_array_equal(npa(lu_), 0)


def test_triangular_solve_reads_one_triangle_only():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((3, 2))
    noisy = a + np.triu(rng.standard_normal((3, 3)), 1) * 100
    x1 = lax.triangular_solve(A(a), A(b), left_side=True, lower=True)
    x2 = lax.triangular_solve(A(noisy), A(b), left_side=True, lower=True)
    np.testing.assert_allclose(npa(x1), npa(x2))
    np.testing.assert_allclose(np.tril(a) @ npa(x1), b, atol=1e-12)


def test_eigh_grad_of_eigenvalue_sum_is_identity():
    x = np.random.default_rng(0).standard_normal((4, 4))
    g = fn.grad(lambda x: lax.reduce_sum(lax.eigh(x)[1], (0,)))(A(x))
    np.testing.assert_allclose(npa(g), np.eye(4), atol=1e-12)


def test_svd_and_qr_unsupported_derivatives_say_so():
    x = A(np.random.default_rng(0).standard_normal((4, 3)))
    with pytest.raises(NotImplementedError, match="full_matrices"):
        fn.jvp(lambda x: lax.svd(x, full_matrices=True)[0], (x,), (x,))
    with pytest.raises(NotImplementedError, match="m >= n"):
        fn.jvp(lambda x: lax.qr(x, full_matrices=False)[1], (lax.transpose(x, (1, 0)),),
               (lax.transpose(x, (1, 0)),))
    s = fn.jvp(lambda x: lax.svd(x, compute_uv=False), (x,), (x,))[1]
    np.testing.assert_allclose(npa(s), npa(lax.svd(x, compute_uv=False)), rtol=1e-5)


def test_linalg_errors():
    with pytest.raises(ShapeError, match="square"):
        lax.cholesky(A(np.ones((2, 3))))
    with pytest.raises(DtypeError, match="floating-point"):
        lax.qr(A(np.ones((2, 2), np.int32)))
    with pytest.raises(ShapeError, match="batch dims"):
        lax.triangular_solve(A(np.ones((2, 3, 3))), A(np.ones((3, 3, 3))), left_side=True)
    with pytest.raises(ShapeError, match="3 rows"):
        lax.triangular_solve(A(np.eye(3)), A(np.ones((2, 3))), left_side=True)


def test_linalg_vmap_with_unbatched_operand():
    rng = np.random.default_rng(0)
    a = np.tril(rng.standard_normal((3, 3))) + 3 * np.eye(3)
    bs = rng.standard_normal((4, 3, 2))
    out = fn.vmap(lambda b: lax.triangular_solve(A(a), b, left_side=True, lower=True))(A(bs))
    for i in range(4):
        np.testing.assert_allclose(npa(out)[i], np.linalg.solve(a, bs[i]), atol=1e-12)


# ---------------------------------------------------------------------------------------
# Segments.

def test_segment_sum_drops_out_of_range_ids_and_its_grad_gathers():
    data = A([1.0, 2.0, 3.0, 4.0], np.float64)
    ids = A([0, 5, -1, 0], np.int32)
    np.testing.assert_allclose(npa(lax.segment_sum(data, ids, 2)), [5.0, 0.0])
    g = fn.grad(lambda d: lax.reduce_sum(lax.mul(lax.segment_sum(d, ids, 2), A([1.0, 7.0])),
                                         (0,)))(data)
    np.testing.assert_allclose(npa(g), [1.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(npa(lax.segment_sum(data, A([0, 2, 2, 1], np.int32))),
                               [1.0, 4.0, 5.0])


def test_bincount_clips_negatives_and_drops_large():
    np.testing.assert_array_equal(npa(lax.bincount(A([0, 1, 1, -3, 9], np.int32), length=3)),
                                  [2, 2, 0])
    out = lax.bincount(A([1, 1], np.int32), A([0.5, 0.25]), length=2)
    np.testing.assert_allclose(npa(out), [0.0, 0.75])


def test_segment_errors():
    with pytest.raises(ShapeError, match="leading dims"):
        lax.segment_sum(A(np.ones((3, 2))), A([0, 1], np.int32), 2)
    with pytest.raises(DtypeError, match="integer"):
        lax.segment_sum(A(np.ones(2)), A([0.0, 1.0]), 2)


# ---------------------------------------------------------------------------------------
# C++ kernels (the op table's inputs are below the kernels' size thresholds).

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint8])
def test_kernels_match_numpy_impls_on_large_inputs(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 60, 3))
    x = A(x if dtype in (np.float32, np.float64) else np.abs(x * 3), dtype)
    small = A(rng.uniform(0.9, 1.1, (40, 60, 3)), dtype) if dtype != np.uint8 else x
    ids = A(rng.integers(-1, 30, 40 * 60), np.int32)
    checks = [lambda: lax.reduce_max(x, (0, 2)), lambda: lax.reduce_min(x, (1,)),
              lambda: lax.reduce_prod(small, (0,)), lambda: lax.argmax(x, 1, np.int32),
              lambda: lax.argmin(x, 0, np.int64), lambda: lax.cumsum(x, 1),
              lambda: lax.cummax(x, 0, True), lambda: lax.cummin(x, 1),
              lambda: lax.cumprod(small, 0),
              lambda: lax.segment_sum(lax.reshape(x, (40 * 60, 3)), ids, 30)]
    if dtype not in (np.float32, np.float64):
        checks += [lambda: lax.reduce_or(x, (0, 1)), lambda: lax.reduce_and(x, (2,))]
    else:
        checks += [lambda: lax.cumlogsumexp(x, 0, True)]
    for check in checks:
        with fn.config.override(numpy_impl=True):
            spec = npa(check())
        got = npa(check())
        assert got.dtype == spec.dtype
        np.testing.assert_allclose(got.astype(np.float64), spec.astype(np.float64),
                                   rtol=1e-5 if dtype == np.float32 else 1e-12)
