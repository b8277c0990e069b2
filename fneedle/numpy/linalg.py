"""fneedle.numpy.linalg: norms, solves, inverses, determinants and decompositions over
fneedle.lax.linalg (cholesky, triangular_solve, qr, eigh, svd, lu), batched over leading
dims as in NumPy. Real dtypes only."""

import math
from typing import NamedTuple

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.errors import ShapeError
from fneedle.lax import linalg as lax_linalg
from fneedle.numpy import manipulation, reductions, ufuncs
from fneedle.numpy.creation import tril, triu
from fneedle.numpy.manipulation import matrix_transpose
from fneedle.numpy.products import cross, diagonal, matmul, outer, tensordot, trace, vecdot
from fneedle.numpy.promotion import asarray, canonical_axes, promote_inexact
from fneedle.numpy.selection import take_along_axis

__all__ = ["cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "lstsq", "matmul",
           "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "multi_dot",
           "norm", "outer", "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot",
           "trace", "vecdot", "vector_norm"]


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SlogdetResult(NamedTuple):
    sign: object
    logabsdet: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


def _float_matrix(a, name, square=False):
    a = promote_inexact((a,), name)[0]
    if a.ndim < 2:
        raise ShapeError(f"linalg.{name} needs an array of rank >= 2 (a stack of matrices), "
                         f"got shape {a.shape}.")
    if square and a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.{name} needs square matrices, got shape {a.shape}.")
    return a


def _eye_like(a, n):
    eye = lax.broadcasted_iota(dtypes.int32, (n, n), 0)
    eye = lax.eq(eye, lax.broadcasted_iota(dtypes.int32, (n, n), 1))
    eye = lax.convert_element_type(eye, a.dtype)
    return lax.broadcast_in_dim(eye, a.shape[:-2] + (n, n), (a.ndim - 2, a.ndim - 1))


def _lu_factors(a):
    """(l, u, permutation, parity) of a's LU decomposition: a[perm] = l @ u."""
    lu, pivots, perm = lax_linalg.lu(a)
    n = a.shape[-1]
    lower = ufuncs.add(tril(lu, -1), _eye_like(a, n))
    upper = triu(lu)
    swaps = lax.ne(pivots, lax.broadcasted_iota(dtypes.int32, pivots.shape, pivots.ndim - 1))
    parity = lax.rem(lax.reduce_sum(lax.convert_element_type(swaps, dtypes.int32),
                                    (pivots.ndim - 1,)), 2)
    return lower, upper, perm, parity


def solve(a, b):
    """x with a @ x = b. b is a vector (..., n) when 1-D, else a stack of matrices (..., n, k).

    Example: fnp.linalg.solve(fnp.eye(2) * 2.0, fnp.ones(2)) -> [0.5, 0.5].
    """
    a, b = promote_inexact((a, b), "solve", broadcast=False)
    a = _float_matrix(a, "solve", square=True)
    vector = b.ndim == 1
    if vector:
        b = lax.reshape(b, b.shape + (1,))
    if b.shape[-2] != a.shape[-1]:
        raise ShapeError(f"linalg.solve: a of shape {a.shape} and b of shape {b.shape} do not "
                         f"fit (a's last dim must equal b's {'only' if vector else 'second-to-last'}"
                         f" dim).")
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = manipulation.broadcast_to(a, batch + a.shape[-2:])
    b = manipulation.broadcast_to(b, batch + b.shape[-2:])
    lower, upper, perm, _ = _lu_factors(a)
    idx = lax.broadcast_in_dim(perm, b.shape, tuple(range(b.ndim - 1)))
    pb = take_along_axis(b, idx, -2)
    y = lax_linalg.triangular_solve(lower, pb, left_side=True, lower=True, unit_diagonal=True)
    x = lax_linalg.triangular_solve(upper, y, left_side=True, lower=False)
    return lax.reshape(x, x.shape[:-1]) if vector else x


def inv(a):
    """The inverse of square matrices a. Example: fnp.linalg.inv(2.0 * fnp.eye(2))."""
    a = _float_matrix(a, "inv", square=True)
    return solve(a, _eye_like(a, a.shape[-1]))


def det(a):
    """The determinant of square matrices a (via LU). Example: fnp.linalg.det(fnp.eye(3))."""
    a = _float_matrix(a, "det", square=True)
    if a.shape[-1] == 0:
        return lax.full(a.shape[:-2], 1, a.dtype)
    _, upper, _, parity = _lu_factors(a)
    d = reductions.prod(diagonal(upper, 0, -2, -1), axis=-1)
    sign = lax.sub(lax.full_like(d, 1), lax.mul(lax.convert_element_type(parity, a.dtype), 2.0))
    return lax.mul(d, sign)


def slogdet(a):
    """(sign, log|det|) of square matrices a, computed without overflow."""
    a = _float_matrix(a, "slogdet", square=True)
    _, upper, _, parity = _lu_factors(a)
    diag = diagonal(upper, 0, -2, -1)
    logabs = reductions.sum(ufuncs.log(ufuncs.abs(diag)), axis=-1)
    sign = reductions.prod(ufuncs.sign(diag), axis=-1)
    sign = lax.mul(sign, lax.sub(lax.full_like(sign, 1),
                                 lax.mul(lax.convert_element_type(parity, a.dtype), 2.0)))
    return SlogdetResult(sign, logabs)


def cholesky(a, *, upper=False, symmetrize_input=True):
    """The lower Cholesky factor L of symmetric positive-definite a (a = L @ L.T), or the upper
    factor if upper=True. NaNs where a is not positive definite."""
    a = _float_matrix(a, "cholesky", square=True)
    lo = lax_linalg.cholesky(a, symmetrize_input=symmetrize_input)
    return manipulation.matrix_transpose(lo) if upper else lo


def qr(a, mode="reduced"):
    """The QR decomposition a = Q @ R; mode 'reduced', 'complete' or 'r' (R only)."""
    a = _float_matrix(a, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}.")
    q, r = lax_linalg.qr(a, full_matrices=mode == "complete")
    return r if mode == "r" else QRResult(q, r)


def eigh(a, UPLO=None, symmetrize_input=True):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices a."""
    a = _float_matrix(a, "eigh", square=True)
    lower = UPLO is None or UPLO == "L"
    v, w = lax_linalg.eigh(a, lower=lower, symmetrize_input=symmetrize_input)
    return EighResult(w, v)


def eigvalsh(a, UPLO="L"):
    """The eigenvalues (ascending) of symmetric matrices a."""
    return eigh(a, UPLO).eigenvalues


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """The singular value decomposition a = U @ diag(S) @ Vh (S descending), or S alone."""
    a = _float_matrix(a, "svd")
    if not compute_uv:
        return lax_linalg.svd(a, full_matrices=False, compute_uv=False)
    u, s, vh = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=True)
    return SVDResult(u, s, vh)


def svdvals(x, /):
    """The singular values of x, descending."""
    return svd(x, compute_uv=False)


def _default_rtol(a):
    return max(a.shape[-2:]) * float(dtypes.finfo(a.dtype).eps)


def pinv(a, rtol=None, hermitian=False, *, rcond=None):
    """The Moore-Penrose pseudo-inverse, dropping singular values below rtol * max(S)."""
    a = _float_matrix(a, "pinv")
    rtol = rcond if rcond is not None else rtol
    rtol = _default_rtol(a) if rtol is None else rtol
    u, s, vh = lax_linalg.svd(a, full_matrices=False, compute_uv=True)
    cutoff = ufuncs.multiply(rtol, reductions.max(s, axis=-1, keepdims=True, initial=0.0))
    keep = lax.gt(s, manipulation.broadcast_to(cutoff, s.shape))
    one = lax.full_like(s, 1)
    s_inv = lax.select_n(keep, lax.full_like(s, 0), lax.div(one, lax.select_n(keep, one, s)))
    vs = lax.mul(manipulation.matrix_transpose(vh),
                 lax.broadcast_in_dim(s_inv, vh.shape[:-2] + (vh.shape[-1], s.shape[-1]),
                                      tuple(range(s.ndim - 1)) + (s.ndim,)))
    return matmul(vs, manipulation.matrix_transpose(u))


def lstsq(a, b, rcond=None):
    """The least-squares solution x of a @ x ~= b, with (x, residuals, rank, singular values).

    residuals are the squared norms of b - a @ x per column when a has more rows than
    columns, else an empty array.
    """
    a, b = promote_inexact((a, b), "lstsq", broadcast=False)
    if a.ndim != 2:
        raise ShapeError(f"linalg.lstsq needs a 2-D a, got shape {a.shape}.")
    vector = b.ndim == 1
    b2 = lax.reshape(b, b.shape + (1,)) if vector else b
    m, n = a.shape
    rtol = _default_rtol(a) if rcond is None else rcond
    s = svd(a, compute_uv=False)
    x = matmul(pinv(a, rtol), b2)
    cutoff = ufuncs.multiply(rtol, reductions.max(s, initial=0.0))
    rank = reductions.sum(lax.convert_element_type(ufuncs.greater(s, cutoff), dtypes.int32))
    if m > n:
        resid = reductions.sum(ufuncs.square(ufuncs.subtract(b2, matmul(a, x))), axis=0)
    else:
        resid = lax.full((0,), 0, a.dtype)
    if vector:
        x = lax.reshape(x, x.shape[:-1])
        if m > n:
            resid = lax.reshape(resid, (1,))
    return x, resid, rank, s


def matrix_rank(M, rtol=None, *, tol=None):
    """The number of singular values above tol (default: rtol * max(S))."""
    M = asarray(M)
    if M.ndim < 2:
        return lax.convert_element_type(reductions.any(lax.ne(M, lax.full((), 0, M.dtype))),
                                        dtypes.int32)
    s = svdvals(M)
    if tol is None:
        rtol = _default_rtol(promote_inexact((M,), "matrix_rank")[0]) if rtol is None else rtol
        tol = ufuncs.multiply(rtol, reductions.max(s, axis=-1, keepdims=True, initial=0.0))
    else:
        tol = manipulation.expand_dims(asarray(tol), -1) if np.ndim(tol) else tol
    return reductions.sum(ufuncs.greater(s, tol), axis=-1)


def matrix_power(a, n):
    """a raised to the integer power n by repeated squaring (n < 0 inverts first)."""
    a = asarray(a)
    n = int(n)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.matrix_power needs square matrices, got shape {a.shape}.")
    if n == 0:
        return _eye_like(a, a.shape[-1]) if a.dtype in dtypes.FLOATS else \
            lax.convert_element_type(_eye_like(lax.convert_element_type(a, dtypes.float32),
                                               a.shape[-1]), a.dtype)
    if n < 0:
        a, n = inv(a), -n
    result, base = None, a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


def multi_dot(arrays):
    """The product of a chain of matrices (1-D ends act as vectors), left to right."""
    arrays = list(arrays)
    out = arrays[0]
    for x in arrays[1:]:
        out = matmul(out, x)
    return out


def _magnitude(x):
    return ufuncs.abs(x) if dtypes.is_complex(x.dtype) else x


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norms.

    With axis=None: the 2-norm of the flattened x if ord is None, else the norm of the vector
    (1-D x) or matrix (2-D x). An int axis gives vector norms (ord: None/2, 1, inf, -inf,
    0, any p); a pair of axes gives matrix norms (ord: None/'fro', 'nuc', 1, -1, 2, -2, inf,
    -inf). Example: fnp.linalg.norm(fnp.asarray([3.0, 4.0])) == 5.0.
    """
    x = promote_inexact((x,), "norm")[0]
    if axis is None:
        if ord is None:
            out = ufuncs.sqrt(reductions.sum(ufuncs.square(_magnitude(x))))
            return lax.reshape(out, (1,) * x.ndim) if keepdims else out
        if x.ndim not in (1, 2):
            raise ValueError(f"linalg.norm with ord={ord!r} and axis=None needs a 1-D or 2-D "
                             f"array, got shape {x.shape}.")
        axis = tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(a % x.ndim for a in axes) if x.ndim else axes
    canonical_axes(axes, x.ndim)
    if len(axes) == 1:
        return vector_norm(x, axis=axes[0], keepdims=keepdims, ord=2 if ord is None else ord)
    if len(axes) == 2:
        return matrix_norm(x, keepdims=keepdims, ord="fro" if ord is None else ord,
                           _axes=axes)
    raise ValueError(f"linalg.norm: axis must name one or two axes, got {axis}.")


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """The p-norm of vectors along `axis` (all elements if None)."""
    x = ufuncs.abs(promote_inexact((x,), "vector_norm")[0])
    if ord == 2:
        return ufuncs.sqrt(reductions.sum(ufuncs.square(x), axis, keepdims=keepdims))
    if ord == math.inf:
        return reductions.max(x, axis, keepdims=keepdims)
    if ord == -math.inf:
        return reductions.min(x, axis, keepdims=keepdims)
    if ord == 0:
        nz = lax.convert_element_type(lax.ne(x, lax.full((), 0, x.dtype)), x.dtype)
        return reductions.sum(nz, axis, keepdims=keepdims)
    if ord == 1:
        return reductions.sum(x, axis, keepdims=keepdims)
    p = float(ord)
    return ufuncs.power(reductions.sum(ufuncs.power(x, p), axis, keepdims=keepdims), 1.0 / p)


def matrix_norm(x, /, *, keepdims=False, ord="fro", _axes=(-2, -1)):
    """Matrix norms over the last two axes: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf."""
    x = promote_inexact((x,), "matrix_norm")[0]
    r, c = (a % x.ndim for a in _axes)
    if ord == "fro":
        out = ufuncs.sqrt(reductions.sum(ufuncs.square(_magnitude(x)), (r, c),
                                         keepdims=keepdims))
        return out
    if ord in (1, -1, math.inf, -math.inf):
        over, then = (r, c) if ord in (1, -1) else (c, r)
        col = reductions.sum(ufuncs.abs(x), over, keepdims=True)
        red = reductions.max if ord > 0 else reductions.min
        out = red(col, then, keepdims=True)
        return out if keepdims else lax.squeeze(out, (r, c))
    if ord in (2, -2, "nuc"):
        moved = manipulation.moveaxis(x, (r, c), (-2, -1))
        s = svdvals(moved)
        out = reductions.sum(s, -1) if ord == "nuc" else (
            reductions.max(s, -1) if ord == 2 else reductions.min(s, -1))
        if keepdims:
            out = manipulation.expand_dims(out, sorted((r, c)))
        return out
    raise ValueError(f"linalg.norm: invalid ord {ord!r} for a matrix norm.")

