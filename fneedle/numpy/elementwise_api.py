"""(temporary) minimal numpy-style functions, to be replaced."""
import numpy as np
from fneedle import lax
from fneedle.core import dtypes
from fneedle.core.array import Array, to_buffer
from fneedle.core.interpreter import get_aval


def asarray(x, dtype=None):
    if isinstance(x, Array) and dtype is None:
        return x
    buf, weak = to_buffer(x, dtype)
    if dtype is None and isinstance(x, (bool, int, float)):
        return Array(buf, weak)
    return Array(buf)


def _promote(*xs):
    avals = [get_aval(x) for x in xs]
    dt, weak = dtypes.result_type(*[(a.dtype, a.weak_type) for a in avals])
    shape = np.broadcast_shapes(*[a.shape for a in avals])
    out = []
    for x, a in zip(xs, avals):
        if isinstance(x, (bool, int, float)):
            x = Array(np.asarray(x, dt), weak_type=True)
        else:
            x = lax.convert_element_type(x, dt, weak) if a.dtype != dt else x
        if a.shape != shape and a.shape != ():
            nd = len(shape)
            x = lax.broadcast_in_dim(lax.reshape(x, tuple(s for s in a.shape)), shape,
                                     tuple(range(nd - a.ndim, nd)))
        out.append(x)
    return out


def add(x, y): return lax.add(*_promote(x, y))
def subtract(x, y): return lax.sub(*_promote(x, y))
def multiply(x, y): return lax.mul(*_promote(x, y))
def true_divide(x, y): return lax.div(*_promote(x, y))
def power(x, y): return lax.pow(*_promote(x, y))
def matmul(x, y): raise NotImplementedError
def less(x, y): return lax.lt(*_promote(x, y))
def less_equal(x, y): return lax.le(*_promote(x, y))
def greater(x, y): return lax.gt(*_promote(x, y))
def greater_equal(x, y): return lax.ge(*_promote(x, y))
def equal(x, y): return lax.eq(*_promote(x, y))
def not_equal(x, y): return lax.ne(*_promote(x, y))
def negative(x): return lax.neg(x)
def sin(x): return lax.sin(x)
def cos(x): return lax.cos(x)
def tanh(x): return lax.tanh(x)
def exp(x): return lax.exp(x)
def sum(x, axis=None):
    nd = get_aval(x).ndim
    axes = tuple(range(nd)) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    return lax.reduce_sum(x, axes)
