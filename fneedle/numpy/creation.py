"""Array creation: array/asarray, zeros/ones/full (and *_like), arange, linspace, logspace,
geomspace, eye, identity, tri/tril/triu, meshgrid, diag, indices.

New arrays default to float32; shapes and counts are static Python ints.
"""

import builtins
import math

import numpy as np

from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.errors import ShapeError
from fneedle.core.interpreter import Tracer
from fneedle.numpy import products, ufuncs
from fneedle.numpy.promotion import asarray as _asarray
from fneedle.numpy.promotion import (
    aval_of,
    broadcast_to_shape,
    canonical_axis,
    is_array,
    promote,
    static_int,
    to_inexact_dtype,
)


def _dtype(dtype, default=dtypes.default_float):
    return default if dtype is None else dtypes.canonicalize(dtype)


def _shape(shape):
    if isinstance(shape, Tracer):
        raise TypeError(f"Shapes must be static Python ints, got a traced value "
                        f"({shape.aval.str_short()}).")
    if np.ndim(shape) == 0:
        return (static_int(shape, "A shape"),)
    return tuple(static_int(s, "Each dimension of a shape") for s in shape)


def asarray(a, dtype=None, order=None, *, copy=None):
    """a as an fneedle array (no copy when it already is one of `dtype`).

    Python floats become float32 and ints int32; NumPy arrays keep their dtype.
    Example: fnp.asarray([1.0, 2.0]).dtype == float32.
    """
    return _asarray(a, dtype)


def array(object, dtype=None, copy=True, order="K", ndmin=0):
    """A new array from `object` (a nested sequence, NumPy array, scalar or array).

    Example: fnp.array([[1, 2], [3, 4]]).shape == (2, 2).
    """
    out = _asarray(object, dtype)
    if ndmin and out.ndim < ndmin:
        out = lax.reshape(out, (1,) * (ndmin - out.ndim) + out.shape)
    return out


def copy(a, order=None):
    """A copy of a (arrays are immutable, so this is a fresh handle on the same values)."""
    return _asarray(a)


def zeros(shape, dtype=None):
    """An array of zeros. Example: fnp.zeros((2, 3)).dtype == float32."""
    return lax.full(_shape(shape), 0, _dtype(dtype))


def ones(shape, dtype=None):
    """An array of ones. Example: fnp.ones(3, 'int32') -> [1, 1, 1]."""
    return lax.full(_shape(shape), 1, _dtype(dtype))


def empty(shape, dtype=None):
    """An array of zeros (fneedle arrays are never uninitialized)."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with fill_value (which may be an array that broadcasts).

    Example: fnp.full((2,), 7) -> [7, 7] (int32).
    """
    shape = _shape(shape)
    if dtype is None:
        dtype = aval_of(fill_value).dtype
    fill = _asarray(fill_value, _dtype(dtype))
    return broadcast_to_shape(fill, shape) if fill.ndim else lax.broadcast_in_dim(fill, shape,
                                                                                  ())


def _like_shape(a, shape):
    return aval_of(a).shape if shape is None else _shape(shape)


def _like_dtype(a, dtype):
    return aval_of(a).dtype if dtype is None else dtypes.canonicalize(dtype)


def zeros_like(a, dtype=None, shape=None):
    """Zeros with a's shape and dtype (unless given)."""
    return lax.full(_like_shape(a, shape), 0, _like_dtype(a, dtype))


def ones_like(a, dtype=None, shape=None):
    """Ones with a's shape and dtype (unless given)."""
    return lax.full(_like_shape(a, shape), 1, _like_dtype(a, dtype))


def empty_like(a, dtype=None, shape=None):
    """Zeros with a's shape and dtype (fneedle arrays are never uninitialized)."""
    return zeros_like(a, dtype, shape)


def full_like(a, fill_value, dtype=None, shape=None):
    """fill_value broadcast to a's shape, in a's dtype (unless given)."""
    return full(_like_shape(a, shape), fill_value, _like_dtype(a, dtype))


def _static_number(x, what):
    if is_array(x):
        if isinstance(x, Tracer):
            raise TypeError(f"arange's {what} must be a static number, got a traced value "
                            f"({x.aval.str_short()}): the length of the result would depend "
                            f"on it. Use fnp.linspace for traced endpoints.")
        return x.item()
    return x


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in [start, stop) with `step` (int32 for ints, float32 for floats).

    Example: fnp.arange(3) -> [0, 1, 2]; fnp.arange(0.0, 1.0, 0.25) -> 4 values.
    """
    start = _static_number(start, "start")
    stop = None if stop is None else _static_number(stop, "stop")
    step = None if step is None else _static_number(step, "step")
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    if dtype is None:
        is_float = any(isinstance(v, (float, np.floating)) for v in (start, stop, step))
        dtype = dtypes.default_float if is_float else dtypes.default_int
    dtype = dtypes.canonicalize(dtype)
    if start == 0 and step == 1 and float(stop) == int(stop) and dtype != dtypes.bool_:
        return lax.iota(dtype, builtins.max(int(stop), 0))
    return Array(np.arange(start, stop, step).astype(dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from start to stop (included if endpoint); start and stop
    may be traced arrays, which broadcast.

    Example: fnp.linspace(0.0, 1.0, 5) -> [0., 0.25, 0.5, 0.75, 1.].
    """
    num = static_int(num, "linspace's num")
    if num < 0:
        raise ValueError(f"linspace: num must be non-negative, got {num}.")
    start, stop = promote((start, stop), "linspace")
    ct = to_inexact_dtype(start.dtype)
    out_dtype = _dtype(dtype, ct)
    start = lax.convert_element_type(start, ct) if start.dtype != ct else start
    stop = lax.convert_element_type(stop, ct) if stop.dtype != ct else stop
    shape = np.broadcast_shapes(start.shape, stop.shape)
    start, stop = broadcast_to_shape(start, shape), broadcast_to_shape(stop, shape)
    div = (num - 1) if endpoint else num
    delta = lax.sub(stop, start)
    out_shape = (num,) + shape
    bdims = tuple(range(1, len(shape) + 1))
    steps = lax.broadcast_in_dim(lax.iota(ct, num), out_shape, (0,)) if num else lax.full(
        out_shape, 0, ct)
    if div > 0:
        step = lax.div(delta, lax.full((), float(div), ct))
        out = lax.add(lax.mul(steps, lax.broadcast_in_dim(step, out_shape, bdims)),
                      lax.broadcast_in_dim(start, out_shape, bdims))
        if endpoint and num > 1:  # the last value is exactly stop
            last = lax.eq(lax.broadcasted_iota(dtypes.int32, out_shape, 0), num - 1)
            out = lax.select_n(last, out, lax.broadcast_in_dim(stop, out_shape, bdims))
    else:
        step = lax.full(shape, math.nan, ct)
        out = lax.broadcast_in_dim(start, out_shape, bdims)
    if shape:
        ax = canonical_axis(axis, len(out_shape))
        out = lax.transpose(out, tuple(range(1, ax + 1)) + (0,) + tuple(
            range(ax + 1, len(out_shape))))
    if out_dtype != ct:
        if dtypes.is_integer(out_dtype):
            out = lax.floor(out)
        out = lax.convert_element_type(out, out_dtype)
    return (out, step) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """base ** linspace(start, stop, num). Example: fnp.logspace(0, 2, 3) -> [1, 10, 100]."""
    lin = linspace(start, stop, num, endpoint, axis=axis)
    out = ufuncs.power(base, lin)
    return out if dtype is None else lax.convert_element_type(out, dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Values spaced evenly on a log scale from start to stop (which share a sign)."""
    start, stop = promote((start, stop), "geomspace")
    sign = ufuncs.sign(start)
    lin = linspace(ufuncs.log10(ufuncs.abs(start)), ufuncs.log10(ufuncs.abs(stop)), num,
                   endpoint, axis=axis)
    out = ufuncs.multiply(sign, ufuncs.power(10.0, lin))
    return out if dtype is None else lax.convert_element_type(out, dtype)


def _tri_mask(n, m, k):
    return np.tri(n, m, k, dtype=bool)


def eye(N, M=None, k=0, dtype=None):
    """A 2-D array with ones on diagonal k and zeros elsewhere. Example: fnp.eye(2)."""
    N = static_int(N, "eye's N")
    M = N if M is None else static_int(M, "eye's M")
    return Array(np.eye(N, M, int(k), dtype=_dtype(dtype)))


def identity(n, dtype=None):
    """The n x n identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """Ones at and below diagonal k, zeros above. Example: fnp.tri(3)."""
    N = static_int(N, "tri's N")
    M = N if M is None else static_int(M, "tri's M")
    return Array(np.tri(N, M, int(k), dtype=_dtype(dtype)))


def _triangle(m, k, lower, name):
    m = _asarray(m)
    if m.ndim < 2:
        raise ShapeError(f"{name} needs an array of rank >= 2, got shape {m.shape}.")
    n_, m_ = m.shape[-2:]
    mask = _tri_mask(n_, m_, k) if lower else ~_tri_mask(n_, m_, k - 1)
    mask = lax.broadcast_in_dim(Array(mask), m.shape, (m.ndim - 2, m.ndim - 1))
    return lax.select_n(mask, lax.full_like(m, 0), m)


def tril(m, k=0):
    """m with the elements above diagonal k set to zero."""
    return _triangle(m, int(k), True, "tril")


def triu(m, k=0):
    """m with the elements below diagonal k set to zero."""
    return _triangle(m, int(k), False, "triu")


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate arrays from 1-D coordinate vectors ('xy': Cartesian, 'ij': matrix indexing).

    Example: X, Y = fnp.meshgrid(fnp.arange(3), fnp.arange(2)); X.shape == (2, 3).
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}.")
    xs = [_asarray(x) for x in xi]
    for x in xs:
        if x.ndim != 1:
            raise ShapeError(f"meshgrid needs 1-D arrays, got shape {x.shape}.")
    n = len(xs)
    shape = [x.shape[0] for x in xs]
    if indexing == "xy" and n >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, x in enumerate(xs):
        d = i
        if indexing == "xy" and n >= 2 and i < 2:
            d = 1 - i
        if sparse:
            s = [1] * n
            s[d] = x.shape[0]
            out.append(lax.reshape(x, tuple(s)))
        else:
            out.append(lax.broadcast_in_dim(x, tuple(shape), (d,)))
    return out


def diag(v, k=0):
    """The k-th diagonal of a 2-D array, or a 2-D array with 1-D v on its k-th diagonal.

    Example: fnp.diag(fnp.asarray([1, 2])) -> [[1, 0], [0, 2]].
    """
    v = _asarray(v)
    k = int(k)
    if v.ndim == 2:
        return products.diagonal(v, k)
    if v.ndim != 1:
        raise ShapeError(f"diag needs a 1-D or 2-D array, got shape {v.shape}.")
    n = v.shape[0] + abs(k)
    # Pad v to length n, broadcast it along the rows (k >= 0) or columns, and mask.
    padded = lax.pad(v, lax.full((), 0, v.dtype), [(0, abs(k), 0)])
    grid = lax.broadcast_in_dim(padded, (n, n), (0,) if k >= 0 else (1,))
    mask = Array(np.eye(n, n, k, dtype=bool))
    return lax.select_n(mask, lax.full_like(grid, 0), grid)


def diagflat(v, k=0):
    """diag of the flattened v."""
    v = _asarray(v)
    return diag(lax.reshape(v, (v.size,)), k)


def indices(dimensions, dtype=None, sparse=False):
    """Arrays of the index along each dimension of a grid of shape `dimensions`."""
    dims = _shape(dimensions)
    dt = _dtype(dtype, dtypes.int32)
    out = []
    for i, n in enumerate(dims):
        if sparse:
            shape = [1] * len(dims)
            shape[i] = n
            out.append(lax.reshape(lax.iota(dt, n), tuple(shape)))
        else:
            out.append(lax.broadcasted_iota(dt, dims, i))
    if sparse:
        return tuple(out)
    return lax.concatenate([lax.expand_dims(o, (0,)) for o in out], 0) if out else \
        Array(np.zeros((0,), dt))


def tril_indices(n, k=0, m=None):
    """The (row, column) indices of the lower triangle of an n x m array."""
    return tuple(Array(i.astype(np.int32)) for i in np.tril_indices(n, k, m))


def triu_indices(n, k=0, m=None):
    """The (row, column) indices of the upper triangle of an n x m array."""
    return tuple(Array(i.astype(np.int32)) for i in np.triu_indices(n, k, m))


def diag_indices(n, ndim=2):
    """The indices of the main diagonal of an n x ... x n array."""
    i = Array(np.arange(n, dtype=np.int32))
    return (i,) * ndim


def tril_indices_from(arr, k=0):
    """The indices of the lower triangle of arr's last two dimensions."""
    shape = aval_of(arr).shape
    return tril_indices(shape[-2], k, shape[-1])


def triu_indices_from(arr, k=0):
    """The indices of the upper triangle of arr's last two dimensions."""
    shape = aval_of(arr).shape
    return triu_indices(shape[-2], k, shape[-1])


def from_dlpack(x, *, device=None, copy=None):
    """An Array from any object with `__dlpack__` (a NumPy array, a torch CPU tensor, ...).

    The data is copied: fneedle arrays are immutable, and the producer may still mutate its
    buffer. Example: a = fnp.from_dlpack(torch.arange(3.0)).
    """
    from fneedle.core.array import device_put
    host = np.from_dlpack(x)
    if host.dtype not in dtypes.SUPPORTED:
        raise TypeError(f"from_dlpack: dtype {host.dtype} is not supported by fneedle.")
    return device_put(np.array(host, copy=True), device)
