"""Products of arrays (matmul, dot, vdot, inner, outer, tensordot, kron, cross) over
lax.dot_general, and the diagonal and trace of matrices."""

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.errors import ShapeError
from fneedle.numpy import manipulation, reductions
from fneedle.numpy.promotion import (
    asarray,
    broadcast_shapes,
    broadcast_to_shape,
    canonical_axis,
    promote,
)
from fneedle.numpy.ufuncs import conjugate, multiply, subtract


def _operands(a, b, name):
    a, b = promote((a, b), name, broadcast=False)
    if a.dtype == dtypes.bool_:
        a = lax.convert_element_type(a, dtypes.int32)
        b = lax.convert_element_type(b, dtypes.int32)
    return a, b


def _out_dtype(a, preferred_element_type):
    return None if preferred_element_type is None else dtypes.canonicalize(
        preferred_element_type)


def matmul(a, b, *, precision=None, preferred_element_type=None):
    """The matrix product a @ b: 1-D operands act as vectors, leading dims broadcast.

    Example: fnp.matmul(fnp.ones((5, 2, 3)), fnp.ones((3, 4))).shape == (5, 2, 4).
    """
    a, b = _operands(a, b, "matmul")
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul does not accept rank-0 operands (shapes {a.shape} and "
                         f"{b.shape}); use multiply (*) for scalars.")
    a_vec, b_vec = a.ndim == 1, b.ndim == 1
    a2 = lax.reshape(a, (1,) + a.shape) if a_vec else a
    b2 = lax.reshape(b, b.shape + (1,)) if b_vec else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ShapeError(f"matmul: the contracted dimensions differ: a has shape {a.shape} "
                         f"and b has shape {b.shape} ({a2.shape[-1]} != {b2.shape[-2]}).")
    batch = broadcast_shapes(a2.shape[:-2], b2.shape[:-2], name="matmul")
    nb = len(batch)
    if not nb:
        out = lax.dot_general(a2, b2, (((1,), (0,)), ((), ())), precision,
                              _out_dtype(a, preferred_element_type))
    else:
        a3 = broadcast_to_shape(a2, batch + a2.shape[-2:])
        b3 = broadcast_to_shape(b2, batch + b2.shape[-2:])
        bd = tuple(range(nb))
        out = lax.dot_general(a3, b3, (((nb + 1,), (nb,)), (bd, bd)), precision,
                              _out_dtype(a, preferred_element_type))
    if a_vec:
        out = lax.squeeze(out, (out.ndim - 2,))
    if b_vec:
        out = lax.squeeze(out, (out.ndim - 1,))
    return out


def dot(a, b, *, precision=None, preferred_element_type=None):
    """NumPy's dot: a scalar product for scalars, a sum over the last axis of a and the
    second-to-last of b otherwise. Example: fnp.dot(fnp.ones(3), fnp.ones(3)) == 3.0."""
    a, b = _operands(a, b, "dot")
    if a.ndim == 0 or b.ndim == 0:
        return lax.mul(*promote((a, b), "dot"))
    rc = 0 if b.ndim == 1 else b.ndim - 2
    if a.shape[-1] != b.shape[rc]:
        raise ShapeError(f"dot: shapes {a.shape} and {b.shape} are not aligned: "
                         f"{a.shape[-1]} (last dim of a) != {b.shape[rc]} (dim {rc} of b).")
    return lax.dot_general(a, b, (((a.ndim - 1,), (rc,)), ((), ())), precision,
                           _out_dtype(a, preferred_element_type))


def vdot(a, b, *, precision=None, preferred_element_type=None):
    """The dot product of the flattened a and b, conjugating a (as NumPy)."""
    return dot(conjugate(manipulation.ravel(a)), manipulation.ravel(b), precision=precision,
               preferred_element_type=preferred_element_type)


def vecdot(x1, x2, /, *, axis=-1):
    """The dot product of vectors along `axis`, broadcasting the other dims."""
    return reductions.sum(multiply(x1, x2), axis=axis)


def inner(a, b, *, precision=None, preferred_element_type=None):
    """The sum over the last axes of a and b; scalars multiply."""
    a, b = _operands(a, b, "inner")
    if a.ndim == 0 or b.ndim == 0:
        return lax.mul(*promote((a, b), "inner"))
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"inner: the last dimensions of shapes {a.shape} and {b.shape} "
                         f"differ.")
    return lax.dot_general(a, b, (((a.ndim - 1,), (b.ndim - 1,)), ((), ())), precision,
                           _out_dtype(a, preferred_element_type))


def outer(a, b):
    """out[i, j] = a.ravel()[i] * b.ravel()[j]."""
    a, b = promote((manipulation.ravel(a), manipulation.ravel(b)), "outer", broadcast=False)
    shape = (a.shape[0], b.shape[0])
    return lax.mul(lax.broadcast_in_dim(a, shape, (0,)), lax.broadcast_in_dim(b, shape, (1,)))


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    """The sum of products over `axes`: an int n (the last n of a with the first n of b) or a
    pair of axis sequences. Example: fnp.tensordot(x, y, ((1, 2), (0, 1)))."""
    a, b = _operands(a, b, "tensordot")
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n > min(a.ndim, b.ndim) or n < 0:
            raise ShapeError(f"tensordot: axes={n} does not fit shapes {a.shape} and "
                             f"{b.shape}.")
        ca, cb = tuple(range(a.ndim - n, a.ndim)), tuple(range(n))
    else:
        ax_a, ax_b = axes
        ax_a = (ax_a,) if isinstance(ax_a, (int, np.integer)) else tuple(ax_a)
        ax_b = (ax_b,) if isinstance(ax_b, (int, np.integer)) else tuple(ax_b)
        if len(ax_a) != len(ax_b):
            raise ShapeError(f"tensordot: axes {axes} must name as many axes of a as of b.")
        ca = tuple(canonical_axis(x, a.ndim) for x in ax_a)
        cb = tuple(canonical_axis(x, b.ndim) for x in ax_b)
    for i, j in zip(ca, cb):
        if a.shape[i] != b.shape[j]:
            raise ShapeError(f"tensordot: axis {i} of a {a.shape} and axis {j} of b {b.shape} "
                             f"differ in size.")
    return lax.dot_general(a, b, ((ca, cb), ((), ())), precision,
                           _out_dtype(a, preferred_element_type))


def kron(a, b):
    """The Kronecker product: blocks of b scaled by each element of a."""
    a, b = promote((a, b), "kron", broadcast=False)
    nd = max(a.ndim, b.ndim)
    a = lax.reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = lax.reshape(b, (1,) * (nd - b.ndim) + b.shape)
    inter = tuple(x for pair in zip(a.shape, b.shape) for x in pair)
    ae = lax.broadcast_in_dim(a, inter, tuple(range(0, 2 * nd, 2)))
    be = lax.broadcast_in_dim(b, inter, tuple(range(1, 2 * nd, 2)))
    return lax.reshape(lax.mul(ae, be), tuple(x * y for x, y in zip(a.shape, b.shape)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 2- or 3-vectors along the given axes (broadcasting the rest).

    Example: fnp.cross(fnp.asarray([1., 0, 0]), fnp.asarray([0., 1, 0])) -> [0., 0., 1.].
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = promote((a, b), "cross", broadcast=False)
    a = manipulation.moveaxis(a, axisa, -1)
    b = manipulation.moveaxis(b, axisb, -1)
    na, nb = a.shape[-1], b.shape[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ShapeError(f"cross: vectors must have 2 or 3 components, got {na} and {nb}.")

    def comp(x, i):
        return lax.squeeze(lax.slice_in_dim(x, i, i + 1, 1, x.ndim - 1), (x.ndim - 1,))

    a0, a1 = comp(a, 0), comp(a, 1)
    b0, b1 = comp(b, 0), comp(b, 1)
    if na == 2 and nb == 2:
        return subtract(multiply(a0, b1), multiply(a1, b0))
    a2 = comp(a, 2) if na == 3 else None
    b2 = comp(b, 2) if nb == 3 else None
    if a2 is None:
        c0, c1 = multiply(a1, b2), lax.neg(multiply(a0, b2))
    elif b2 is None:
        c0, c1 = lax.neg(multiply(a2, b1)), multiply(a2, b0)
    else:
        c0 = subtract(multiply(a1, b2), multiply(a2, b1))
        c1 = subtract(multiply(a2, b0), multiply(a0, b2))
    c2 = subtract(multiply(a0, b1), multiply(a1, b0))
    out = manipulation.stack(manipulation.broadcast_arrays(c0, c1, c2), -1)
    return manipulation.moveaxis(out, -1, axisc)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal `offset` of the matrices in the plane (axis1, axis2), as the last axis.

    Example: fnp.diagonal(fnp.arange(9).reshape(3, 3)) -> [0, 4, 8].
    """
    a = asarray(a)
    if a.ndim < 2:
        raise ShapeError(f"diagonal needs an array of rank >= 2, got shape {a.shape}.")
    i, j = canonical_axis(axis1, a.ndim), canonical_axis(axis2, a.ndim)
    if i == j:
        raise ValueError("diagonal: axis1 and axis2 must differ.")
    x = manipulation.moveaxis(a, (i, j), (-2, -1))
    k = int(offset)
    n, m = x.shape[-2:]
    lead = x.shape[:-2]
    nd = x.ndim
    # Diagonal k of an (n, m) matrix is the main diagonal of a cropped square block; in the
    # row-major flattening of an L x L block it is every (L + 1)-th element.
    row0, col0 = (0, k) if k >= 0 else (-k, 0)
    size = max(min(n - row0, m - col0), 0)
    if size == 0:
        return lax.full(lead + (0,), 0, a.dtype)
    block = lax.slice(x, (0,) * (nd - 2) + (row0, col0), lead + (row0 + size, col0 + size))
    flat = lax.reshape(block, lead + (size * size,))
    return lax.slice_in_dim(flat, 0, size * size, size + 1, nd - 2)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """The sum along the diagonal `offset` of the matrices in the plane (axis1, axis2)."""
    return reductions.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype, out=out)
