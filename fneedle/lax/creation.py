"""Array-creating primitives: iota (counting along one dimension of a static shape)."""

import operator

import numpy as np

from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.linear import Zero, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.shape import _canonical_shape

iota_p = Primitive("iota")


def broadcasted_iota(dtype, shape, dimension):
    """An array of `shape` whose value at each position is its index along `dimension`.

    Example: broadcasted_iota('int32', (2, 3), 1) is [[0, 1, 2], [0, 1, 2]].
    """
    shape = _canonical_shape(shape)
    dimension = operator.index(dimension)
    if shape and -len(shape) <= dimension < 0:
        dimension += len(shape)
    params = {"dtype": dtypes.canonicalize(dtype), "shape": shape, "dimension": dimension}
    _iota_abstract_eval(**params)  # eager evaluation does not check; fail with a sentence
    return iota_p.bind(**params)


def iota(dtype, size):
    """[0, 1, ..., size - 1] of `dtype`. Example: iota('float32', 3) is [0., 1., 2.]."""
    return broadcasted_iota(dtype, (operator.index(size),), 0)


def _iota_abstract_eval(*, dtype, shape, dimension):
    if not 0 <= dimension < len(shape):
        raise ShapeError(f"iota: dimension {dimension} is not a dimension of shape {shape}; "
                         f"it must be in [0, {len(shape)}).")
    if dtype == dtypes.bool_:
        raise DtypeError("iota counts, so it needs a numeric dtype, not bool.")
    return ShapedArray(shape, dtype)


def _iota_impl(*, dtype, shape, dimension):
    counts = np.arange(shape[dimension]).astype(dtype)
    expanded = [1] * len(shape)
    expanded[dimension] = shape[dimension]
    return np.broadcast_to(counts.reshape(expanded), shape)


def _iota_jvp(primals, tangents, **params):  # no inputs, so nothing to differentiate
    out = iota_p.bind(**params)
    return out, Zero(tangent_aval(ShapedArray(params["shape"], params["dtype"])))


iota_p.def_impl(_iota_impl)
iota_p.def_abstract_eval(_iota_abstract_eval)
iota_p.def_jvp(_iota_jvp)
iota_p.def_batch(lambda args, dims, **params: (iota_p.bind(**params), None))
