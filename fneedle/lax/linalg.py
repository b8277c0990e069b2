"""Matrix decompositions and solves, batched over leading dims: cholesky, triangular_solve,
qr, eigh, svd and lu (as jax.lax.linalg). Real dtypes only; 16-bit floats work in float32.

The impls call LAPACK through numpy.linalg / scipy.linalg. A factorization that fails (a
matrix that is not positive definite, an SVD that does not converge) yields NaNs, as in JAX.
The jvp rules are JAX's; each is written with lax ops so it traces and nests.
"""

import warnings

import numpy as np
import scipy.linalg

from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import add_tangents
from fneedle.lax.arithmetic import add, div, mul, select_n, sub
from fneedle.lax.batch_rules import batch_size, bdim_at_front
from fneedle.lax.dot import dot_general
from fneedle.lax.elementwise import neg
from fneedle.lax.reduction import reduce_sum
from fneedle.lax.shape import broadcast_in_dim, full, transpose

_16BIT = (dtypes.float16, dtypes.bfloat16)


# ---------------------------------------------------------------------------------------
# Helpers for the rules: batched matrix algebra with lax ops.

def _T(x):
    """x with its last two dims swapped."""
    nd = get_aval(x).ndim
    return transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _matmul(a, b):
    """a @ b over matching leading (batch) dims."""
    nd = get_aval(a).ndim
    batch = tuple(range(nd - 2))
    return dot_general(a, b, (((nd - 1,), (nd - 2,)), (batch, batch)))


def _const_matrix(mask, aval):
    """A constant 2-d NumPy array broadcast over aval's leading dims."""
    nd = aval.ndim
    return broadcast_in_dim(Array(mask), aval.shape, (nd - 2, nd - 1))


def _keep(x, mask):
    """x where the 2-d bool mask holds, else 0."""
    aval = get_aval(x)
    return select_n(_const_matrix(mask, aval), full(aval.shape, 0, aval.dtype), x)


def _tril(x, k=0):
    m, n = get_aval(x).shape[-2:]
    return _keep(x, np.tri(m, n, k, dtype=bool))


def _triu(x, k=0):
    m, n = get_aval(x).shape[-2:]
    return _keep(x, ~np.tri(m, n, k - 1, dtype=bool))


def _eye(aval, n=None):
    """The identity broadcast over aval's leading dims (an n x n one if n is given)."""
    n = aval.shape[-1] if n is None else n
    shape = aval.shape[:-2] + (n, n)
    return _const_matrix(np.eye(n, dtype=aval.dtype), ShapedArray(shape, aval.dtype))


def _diagonal(x):
    """The diagonal of square matrices: (..., n, n) -> (..., n)."""
    n = get_aval(x).shape[-1]
    return reduce_sum(_keep(x, np.eye(n, dtype=bool)), (-1,))


def _rows(v, m):
    """(..., k) -> (..., m, k): every row is v."""
    aval = get_aval(v)
    nd = aval.ndim
    return broadcast_in_dim(v, aval.shape[:-1] + (m, aval.shape[-1]),
                            tuple(range(nd - 1)) + (nd,))


def _symmetric_from(x, lower):
    """The symmetric matrix a LAPACK routine sees when it reads only one triangle of x."""
    return add(_tril(x), _T(_tril(x, -1))) if lower else add(_triu(x), _T(_triu(x, 1)))


def _symmetrize(x):
    return mul(add(x, _T(x)), 0.5)


def _check_float(name, *avals):
    for a in avals:
        if not dtypes.is_float(a.dtype):
            raise DtypeError(f"{name} needs floating-point matrices, got {a.str_short()}. "
                             f"Convert it first, e.g. convert_element_type(x, 'float32').")


def _check_matrix(name, x, square=False):
    _check_float(name, x)
    if x.ndim < 2:
        raise ShapeError(f"{name} needs a (batch of) matrices of rank >= 2, got "
                         f"{x.str_short()}.")
    if square and x.shape[-1] != x.shape[-2]:
        raise ShapeError(f"{name} needs square matrices, got {x.str_short()} whose last two "
                         f"dims differ.")


def _work(x):
    return x.astype(np.float32) if x.dtype in _16BIT else x


def _per_matrix(fn, x, out_shapes):
    """Applies fn to each matrix of a batch; a matrix whose factorization fails gives NaNs."""
    batch = x.shape[:-2]
    flat = x.reshape((-1,) + x.shape[-2:])
    outs = [np.full((flat.shape[0],) + s, np.nan, x.dtype) for s in out_shapes]
    for i in range(flat.shape[0]):
        try:
            res = fn(flat[i])
        except np.linalg.LinAlgError:
            continue
        for o, r in zip(outs, res):
            o[i] = r
    return [o.reshape(batch + o.shape[1:]) for o in outs]


def _batch_to_front(primitive):
    """Batching for primitives that already batch over leading dims."""
    def rule(args, dims, **params):
        size = batch_size(args, dims)
        args = [bdim_at_front(x, d, size) for x, d in zip(args, dims)]
        out = primitive.bind(*args, **params)
        return (out, [0] * len(out)) if primitive.multiple_results else (out, 0)
    primitive.def_batch(rule)


# ---------------------------------------------------------------------------------------
# cholesky

cholesky_p = Primitive("cholesky")


def cholesky(x, symmetrize_input=True):
    """The lower Cholesky factor L of symmetric positive-definite x (x = L @ L.T).

    With symmetrize_input, x is replaced by (x + x.T) / 2 first; otherwise only its lower
    triangle is read. A matrix that is not positive definite gives NaNs.
    Example: L = cholesky(a @ a.T + eye)
    """
    if symmetrize_input:
        _check_matrix("cholesky", get_aval(x), square=True)
        x = _symmetrize(x)
    return cholesky_p.bind(x)


def _cholesky_abstract_eval(x):
    _check_matrix("cholesky", x, square=True)
    return ShapedArray(x.shape, x.dtype)


def _cholesky_impl(x):
    a = _work(x)
    a = np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)
    try:
        out = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        out = _per_matrix(lambda m: [np.linalg.cholesky(m)], a, [a.shape[-2:]])[0]
    return out.astype(x.dtype, copy=False)


def _cholesky_jvp(primals, tangents):
    # L' = L phi(L^-1 A' L^-T), phi = the lower triangle with its diagonal halved
    # (Murray 2016, arXiv:1602.07527).
    (x,), (t,) = primals, tangents
    L = cholesky_p.bind(x)
    sigma = _symmetric_from(t, lower=True)
    tmp = triangular_solve(L, sigma, left_side=False, lower=True, transpose_a=True)
    inner = triangular_solve(L, tmp, left_side=True, lower=True)
    n = get_aval(x).shape[-1]
    phi = select_n(_const_matrix(np.eye(n, dtype=bool), get_aval(inner)), _tril(inner),
                   mul(inner, 0.5))
    return L, _matmul(L, phi)


cholesky_p.def_impl(_cholesky_impl)
cholesky_p.def_abstract_eval(_cholesky_abstract_eval)
cholesky_p.def_jvp(_cholesky_jvp)
_batch_to_front(cholesky_p)


# ---------------------------------------------------------------------------------------
# triangular_solve: op(a) x = b (left_side) or x op(a) = b, op(a) = a or a.T

triangular_solve_p = Primitive("triangular_solve")


def triangular_solve(a, b, left_side=False, lower=False, transpose_a=False, conjugate_a=False,
                     unit_diagonal=False):
    """Solves op(a) @ x = b (left_side) or x @ op(a) = b for x, with a triangular.

    Args:
      a: (..., m, m); only its lower (lower=True) or upper triangle is read, and not its
        diagonal when unit_diagonal (taken as ones).
      b: (..., m, n) if left_side else (..., n, m), with a's batch dims.
      transpose_a: op(a) = a.T; conjugate_a is accepted for JAX compatibility (real dtypes).
    Example: x = triangular_solve(L, b, left_side=True, lower=True)  # L @ x == b
    """
    return triangular_solve_p.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                   transpose_a=bool(transpose_a),
                                   conjugate_a=bool(conjugate_a),
                                   unit_diagonal=bool(unit_diagonal))


def _triangular_solve_abstract_eval(a, b, left_side, lower, transpose_a, conjugate_a,
                                    unit_diagonal):
    _check_matrix("triangular_solve", a, square=True)
    _check_matrix("triangular_solve", b)
    if a.dtype != b.dtype:
        raise DtypeError(f"triangular_solve needs a and b of one dtype, got {a.str_short()} "
                         f"and {b.str_short()}. Convert one with convert_element_type.")
    if a.shape[:-2] != b.shape[:-2]:
        raise ShapeError(f"triangular_solve needs a and b with the same batch dims, got "
                         f"{a.str_short()} and {b.str_short()}. Broadcast them first.")
    m = a.shape[-1]
    k = b.shape[-2] if left_side else b.shape[-1]
    if k != m:
        side = "rows" if left_side else "columns"
        raise ShapeError(f"triangular_solve with left_side={left_side} needs b to have "
                         f"{m} {side} (a is {a.str_short()}), got {b.str_short()}.")
    return ShapedArray(b.shape, b.dtype)


def _substitute(t, b, lower):
    """Solves t @ x = b for triangular t by substitution (singular t: infs and NaNs)."""
    n = t.shape[0]
    x = np.zeros(b.shape, np.result_type(t, b))
    with np.errstate(all="ignore"):
        for i in (range(n) if lower else reversed(range(n))):
            x[i] = (b[i] - t[i] @ x) / t[i, i]
    return x


def _solve_one(a, b, lower, trans, unit_diagonal):
    try:
        return scipy.linalg.solve_triangular(a, b, trans=int(trans), lower=lower,
                                             unit_diagonal=unit_diagonal, check_finite=False)
    except np.linalg.LinAlgError:  # a zero on the diagonal
        t = np.tril(a) if lower else np.triu(a)
        if unit_diagonal:
            np.fill_diagonal(t, 1)
        return _substitute(t.T if trans else t, b, lower != trans)


def _triangular_solve_impl(a, b, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    wa, wb = _work(a), _work(b)
    fa = wa.reshape((-1,) + a.shape[-2:])
    fb = wb.reshape((-1,) + b.shape[-2:])
    out = np.empty(fb.shape, wb.dtype)
    for i in range(fa.shape[0]):
        if left_side:
            out[i] = _solve_one(fa[i], fb[i], lower, transpose_a, unit_diagonal)
        else:  # x op(a) = b  <=>  op(a).T x.T = b.T
            out[i] = _solve_one(fa[i], fb[i].T, lower, not transpose_a, unit_diagonal).T
    return out.reshape(b.shape).astype(b.dtype, copy=False)


def _triangular_solve_jvp(primals, tangents, **params):
    (a, b), (ta, tb) = primals, tangents
    out = triangular_solve_p.bind(a, b, **params)
    total = Zero(tangent_aval(get_aval(out)))
    if type(tb) is not Zero:
        total = triangular_solve_p.bind(a, tb, **params)
    if type(ta) is not Zero:
        k = 1 if params["unit_diagonal"] else 0
        g = neg(_tril(ta, -k) if params["lower"] else _triu(ta, k))
        if params["transpose_a"]:
            g = _T(g)
        m, n = get_aval(b).shape[-2:]

        def a_inv(rhs):
            return triangular_solve_p.bind(a, rhs, **params)
        # d op(a)^-1 = -op(a)^-1 op(da) op(a)^-1; the order of the two products is chosen
        # by cost, as each is about as cheap as the other.
        if params["left_side"]:
            term = a_inv(_matmul(g, out)) if m > n else _matmul(a_inv(g), out)
        else:
            term = a_inv(_matmul(out, g)) if m < n else _matmul(out, a_inv(g))
        total = add_tangents(total, term)
    return out, total


def _triangular_solve_transpose(ct, a, b, **params):
    if is_undefined_primal(a):
        raise ValueError("triangular_solve is not linear in a; cannot transpose it in a.")
    params = dict(params, transpose_a=not params["transpose_a"])
    return [None, triangular_solve_p.bind(a, ct, **params)]


triangular_solve_p.def_impl(_triangular_solve_impl)
triangular_solve_p.def_abstract_eval(_triangular_solve_abstract_eval)
triangular_solve_p.def_jvp(_triangular_solve_jvp)
triangular_solve_p.def_transpose(_triangular_solve_transpose)
_batch_to_front(triangular_solve_p)


# ---------------------------------------------------------------------------------------
# qr

qr_p = Primitive("qr", multiple_results=True)


def qr(x, full_matrices=True):
    """The QR decomposition x = q @ r: q has orthonormal columns, r is upper triangular.

    With full_matrices, q is (..., m, m) and r (..., m, n); otherwise q is (..., m, k) and r
    (..., k, n) with k = min(m, n). Returns (q, r).
    Example: q, r = qr(x, full_matrices=False)
    """
    q, r = qr_p.bind(x, full_matrices=bool(full_matrices))
    return q, r


def _qr_abstract_eval(x, full_matrices):
    _check_matrix("qr", x)
    *batch, m, n = x.shape
    k = m if full_matrices else min(m, n)
    return [ShapedArray(tuple(batch) + (m, k), x.dtype),
            ShapedArray(tuple(batch) + (k, n), x.dtype)]


def _qr_impl(x, full_matrices):
    q, r = np.linalg.qr(_work(x), mode="complete" if full_matrices else "reduced")
    return [q.astype(x.dtype, copy=False), r.astype(x.dtype, copy=False)]


def _qr_jvp(primals, tangents, full_matrices):
    # See j-towns.github.io/papers/qr-derivative.pdf.
    (x,), (dx,) = primals, tangents
    *_, m, n = get_aval(x).shape
    if m < n or (full_matrices and m != n):
        raise NotImplementedError(
            f"The derivative of qr is implemented for m >= n (and m == n with "
            f"full_matrices=True), as in JAX; got a {m}x{n} matrix with "
            f"full_matrices={full_matrices}. Use full_matrices=False.")
    q, r = qr_p.bind(x, full_matrices=full_matrices)
    dx_rinv = triangular_solve(r, dx)  # dx r^-1
    qt_dx_rinv = _matmul(_T(q), dx_rinv)
    lower = _tril(qt_dx_rinv, -1)
    do = sub(lower, _T(lower))  # skew-symmetric
    dq = add(_matmul(q, sub(do, qt_dx_rinv)), dx_rinv)
    dr = _matmul(sub(qt_dx_rinv, do), r)
    return [q, r], [dq, dr]


qr_p.def_impl(_qr_impl)
qr_p.def_abstract_eval(_qr_abstract_eval)
qr_p.def_jvp(_qr_jvp)
_batch_to_front(qr_p)


# ---------------------------------------------------------------------------------------
# eigh

eigh_p = Primitive("eigh", multiple_results=True)


def eigh(x, lower=True, symmetrize_input=True):
    """Eigenvectors and eigenvalues of symmetric x: x @ v == v * w, w ascending.

    With symmetrize_input, x is replaced by (x + x.T) / 2; otherwise only its lower (or
    upper, lower=False) triangle is read. Returns (v, w).
    Example: v, w = eigh(a + a.T)
    """
    if symmetrize_input:
        _check_matrix("eigh", get_aval(x), square=True)
        x = _symmetrize(x)
    v, w = eigh_p.bind(x, lower=bool(lower))
    return v, w


def _eigh_abstract_eval(x, lower):
    _check_matrix("eigh", x, square=True)
    return [ShapedArray(x.shape, x.dtype), ShapedArray(x.shape[:-1], x.dtype)]


def _eigh_impl(x, lower):
    a = _work(x)
    try:
        w, v = np.linalg.eigh(a, UPLO="L" if lower else "U")
    except np.linalg.LinAlgError:
        v, w = _per_matrix(lambda m: np.linalg.eigh(m, UPLO="L" if lower else "U")[::-1], a,
                           [a.shape[-2:], a.shape[-1:]])
    return [v.astype(x.dtype, copy=False), w.astype(x.dtype, copy=False)]


def _eigh_jvp(primals, tangents, lower):
    # dw = diag(v' da v); dv = v (F * (v' da v)) with F_ij = 1 / (w_j - w_i) off the diagonal.
    (x,), (t,) = primals, tangents
    v, w = eigh_p.bind(x, lower=lower)
    n = get_aval(x).shape[-1]
    a_dot = _symmetric_from(t, lower)
    eye = _eye(get_aval(x))
    w_j = _rows(w, n)
    f = sub(div(1.0, add(eye, sub(w_j, _T(w_j)))), eye)
    vt_adot_v = _matmul(_matmul(_T(v), a_dot), v)
    dv = _matmul(v, mul(f, vt_adot_v))
    return [v, w], [dv, _diagonal(vt_adot_v)]


eigh_p.def_impl(_eigh_impl)
eigh_p.def_abstract_eval(_eigh_abstract_eval)
eigh_p.def_jvp(_eigh_jvp)
eigh_p.weak_type_rule = lambda in_weak, **params: False
_batch_to_front(eigh_p)


# ---------------------------------------------------------------------------------------
# svd

svd_p = Primitive("svd", multiple_results=True)


def svd(x, full_matrices=True, compute_uv=True):
    """The singular value decomposition x = u @ diag(s) @ vh, s descending.

    Returns (u, s, vh) if compute_uv, else s. With full_matrices, u is (..., m, m) and vh
    (..., n, n); otherwise (..., m, k) and (..., k, n) with k = min(m, n).
    Example: s = svd(x, compute_uv=False)
    """
    outs = svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))
    if compute_uv:
        s, u, vh = outs
        return u, s, vh
    return outs[0]


def _svd_abstract_eval(x, full_matrices, compute_uv):
    _check_matrix("svd", x)
    *batch, m, n = x.shape
    batch, k = tuple(batch), min(m, n)
    s = ShapedArray(batch + (k,), x.dtype)
    if not compute_uv:
        return [s]
    ku, kv = (m, n) if full_matrices else (k, k)
    return [s, ShapedArray(batch + (m, ku), x.dtype), ShapedArray(batch + (kv, n), x.dtype)]


def _svd_one(mat, full_matrices, compute_uv):
    if not compute_uv:
        return [np.linalg.svd(mat, compute_uv=False)]
    u, s, vh = np.linalg.svd(mat, full_matrices=full_matrices)
    return [s, u, vh]


def _svd_impl(x, full_matrices, compute_uv):
    a = _work(x)
    try:
        res = _svd_one(a, full_matrices, compute_uv)
    except np.linalg.LinAlgError:  # NaNs for the matrices that do not converge
        shapes = [o.shape[a.ndim - 2:] for o in _svd_abstract_eval(
            ShapedArray(a.shape, a.dtype), full_matrices, compute_uv)]
        res = _per_matrix(lambda mat: _svd_one(mat, full_matrices, compute_uv), a, shapes)
    return [r.astype(x.dtype, copy=False) for r in res]


def _svd_jvp(primals, tangents, full_matrices, compute_uv):
    (a,), (da,) = primals, tangents
    *_, m, n = get_aval(a).shape
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError(
            f"The derivative of svd with full_matrices=True is implemented only for square "
            f"matrices (as in JAX); got {m}x{n}. Use full_matrices=False.")
    s, u, vt = svd_p.bind(a, full_matrices=False, compute_uv=True)
    v = _T(vt)
    k = min(m, n)
    ds_mat = _matmul(_matmul(_T(u), da), v)
    ds = _diagonal(ds_mat)
    if not compute_uv:
        return [s], [ds]
    s_j = _rows(s, k)  # s_j in column j
    s_i = _T(s_j)
    eye = _eye(get_aval(ds_mat))
    f = sub(div(1.0, add(mul(add(s_j, s_i), sub(s_j, s_i)), eye)), eye)  # 1/(s_j^2 - s_i^2)
    dss = mul(s_j, ds_mat)  # dS diag(s)
    sds = mul(s_i, ds_mat)  # diag(s) dS
    du = _matmul(u, mul(f, add(dss, _T(dss))))
    dv = _matmul(v, mul(f, add(sds, _T(sds))))
    if m > n:  # the part of da outside u's span
        dav = _matmul(da, v)
        du = add(du, div(sub(dav, _matmul(u, _matmul(_T(u), dav))), _rows(s, m)))
    if n > m:
        datu = _matmul(_T(da), u)
        dv = add(dv, div(sub(datu, _matmul(v, _matmul(vt, datu))), _rows(s, n)))
    if full_matrices:  # square: the full and reduced factors agree
        s_f, u_f, vt_f = svd_p.bind(a, full_matrices=True, compute_uv=True)
        return [s_f, u_f, vt_f], [ds, du, _T(dv)]
    return [s, u, vt], [ds, du, _T(dv)]


svd_p.def_impl(_svd_impl)
svd_p.def_abstract_eval(_svd_abstract_eval)
svd_p.def_jvp(_svd_jvp)
svd_p.weak_type_rule = lambda in_weak, **params: False
_batch_to_front(svd_p)


# ---------------------------------------------------------------------------------------
# lu

lu_p = Primitive("lu", multiple_results=True)


def lu(x):
    """LU decomposition with partial pivoting: x[permutation] == l @ u.

    Returns (lu, pivots, permutation): lu holds u in its upper triangle and the strictly lower
    part of unit-lower l below it; pivots (int32, (..., min(m, n))) are the row swaps made in
    turn; permutation (int32, (..., m)) is their product.
    Example: lu_, piv, perm = lu(a)
    """
    out, pivots, permutation = lu_p.bind(x)
    return out, pivots, permutation


def _lu_abstract_eval(x):
    _check_matrix("lu", x)
    *batch, m, n = x.shape
    batch = tuple(batch)
    return [ShapedArray(x.shape, x.dtype), ShapedArray(batch + (min(m, n),), dtypes.int32),
            ShapedArray(batch + (m,), dtypes.int32)]


def _pivots_to_permutation(pivots, m):
    perm = np.arange(m, dtype=np.int32)
    for i, p in enumerate(pivots):
        perm[i], perm[p] = perm[p], perm[i]
    return perm


def _lu_impl(x):
    a = _work(x)
    *batch, m, n = a.shape
    k = min(m, n)
    flat = a.reshape((-1, m, n))
    lus = np.empty(flat.shape, a.dtype)
    pivots = np.zeros((flat.shape[0], k), np.int32)
    perms = np.tile(np.arange(m, dtype=np.int32), (flat.shape[0], 1))
    for i in range(flat.shape[0]):
        if k == 0:
            lus[i] = flat[i]
            continue
        with warnings.catch_warnings():  # a singular matrix still has an LU decomposition
            warnings.simplefilter("ignore")
            lus[i], piv = scipy.linalg.lu_factor(flat[i], check_finite=False)
        pivots[i] = piv
        perms[i] = _pivots_to_permutation(piv, m)
    batch = tuple(batch)
    return [lus.reshape(a.shape).astype(x.dtype, copy=False), pivots.reshape(batch + (k,)),
            perms.reshape(batch + (m,))]


def _lu_jvp(primals, tangents):
    # With P a = l u:  l^-1 P a' u^-1 = l^-1 l' + u' u^-1, strictly lower plus upper, so
    # l' = l tril(l^-1 P a' u^-1, -1) and u' = triu(l^-1 P a' u^-1) u
    # (De Hoog, Anderssen & Lukas). Rectangular factors are padded to square ones.
    from fneedle.lax.segment import resize_axis, take_along_axis
    (a,), (da,) = primals, tangents
    lu_, pivots, permutation = lu_p.bind(a)
    aval = get_aval(a)
    *_, m, n = aval.shape
    k = min(m, n)
    rows = broadcast_in_dim(permutation, aval.shape, tuple(range(aval.ndim - 1)))
    x = take_along_axis(da, rows, aval.ndim - 2)
    l_ = resize_axis(_tril(resize_axis(lu_, -1, k), -1), -1, m)
    l_ = add(l_, _eye(aval, m))
    u_ = resize_axis(_triu(resize_axis(lu_, -2, k)), -2, n)
    u_eye = np.diag((np.arange(n) >= k).astype(aval.dtype))
    u_ = add(u_, _const_matrix(u_eye, get_aval(u_)))
    la = triangular_solve(l_, x, left_side=True, lower=True, unit_diagonal=True)
    lau = triangular_solve(u_, la, left_side=False, lower=False)
    lu_dot = add(_matmul(l_, _tril(lau, -1)), _matmul(_triu(lau), u_))
    return [lu_, pivots, permutation], [lu_dot, Zero(tangent_aval(get_aval(pivots))),
                                        Zero(tangent_aval(get_aval(permutation)))]


lu_p.def_impl(_lu_impl)
lu_p.def_abstract_eval(_lu_abstract_eval)
lu_p.def_jvp(_lu_jvp)
lu_p.weak_type_rule = lambda in_weak, **params: False
_batch_to_front(lu_p)
