"""Shape primitives: broadcast_in_dim, reshape, transpose, squeeze (and `full`, built on them).

NumPy impls return views where NumPy can (broadcasts have zero strides): arrays are
immutable, so a view is as good as a copy and costs nothing.
"""

import math

import numpy as np

from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import deflinear
from fneedle.lax.batch_rules import move_to_front


def _canonical_shape(shape):
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError as e:
        raise TypeError(f"Shapes must be tuples of Python ints, got {shape!r}. Traced values "
                        f"cannot be shapes: shapes are static.") from e
    if any(s < 0 for s in shape):
        raise ShapeError(f"Shape {shape} has a negative dimension.")
    return shape


# ---------------------------------------------------------------------------------------
# broadcast_in_dim

broadcast_in_dim_p = Primitive("broadcast_in_dim")


def broadcast_in_dim(x, shape, broadcast_dimensions):
    """x broadcast to `shape`; operand dim i becomes output dim broadcast_dimensions[i].

    Example: broadcast_in_dim(v, (2, 3), (1,)) repeats a length-3 vector in 2 rows.
    """
    shape = _canonical_shape(shape)
    broadcast_dimensions = tuple(int(d) for d in broadcast_dimensions)
    aval = get_aval(x)
    if aval.shape == shape and broadcast_dimensions == tuple(range(len(shape))):
        return x
    return broadcast_in_dim_p.bind(x, shape=shape, broadcast_dimensions=broadcast_dimensions)


def _broadcast_in_dim_abstract_eval(x, shape, broadcast_dimensions):
    if len(broadcast_dimensions) != x.ndim:
        raise ShapeError(f"broadcast_in_dim: broadcast_dimensions {broadcast_dimensions} "
                         f"must name one output dim per operand dim of {x.str_short()}.")
    if list(broadcast_dimensions) != sorted(set(broadcast_dimensions)) or any(
            d >= len(shape) for d in broadcast_dimensions):
        raise ShapeError(f"broadcast_in_dim: broadcast_dimensions {broadcast_dimensions} must "
                         f"be strictly increasing and < {len(shape)}.")
    for i, d in enumerate(broadcast_dimensions):
        if x.shape[i] not in (1, shape[d]):
            raise ShapeError(f"broadcast_in_dim cannot broadcast {x.str_short()} to {shape}: "
                             f"operand dim {i} has size {x.shape[i]} but output dim {d} has "
                             f"size {shape[d]}.")
    return ShapedArray(shape, x.dtype)


def _broadcast_in_dim_impl(x, shape, broadcast_dimensions):
    expanded = [1] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        expanded[d] = x.shape[i]
    return np.broadcast_to(x.reshape(expanded), shape)


def _broadcast_in_dim_transpose(ct, x, shape, broadcast_dimensions):
    from fneedle.lax.reduction import reduce_sum
    in_shape = x.aval.shape
    summed = tuple(d for d in range(len(shape)) if d not in broadcast_dimensions)
    # Operand dims of size 1 that were stretched are summed too, then reshaped away.
    stretched = tuple(d for i, d in enumerate(broadcast_dimensions)
                      if in_shape[i] == 1 and shape[d] != 1)
    out = reduce_sum(ct, tuple(sorted(summed + stretched))) if summed + stretched else ct
    return [reshape(out, in_shape)]


def _broadcast_in_dim_batch(args, dims, shape, broadcast_dimensions):
    (x,), (d,) = args, dims
    x = move_to_front(x, d)
    size = get_aval(x).shape[0]
    return broadcast_in_dim(x, (size,) + shape,
                            (0,) + tuple(b + 1 for b in broadcast_dimensions)), 0


broadcast_in_dim_p.def_impl(_broadcast_in_dim_impl)
broadcast_in_dim_p.def_abstract_eval(_broadcast_in_dim_abstract_eval)
deflinear(broadcast_in_dim_p, _broadcast_in_dim_transpose)
broadcast_in_dim_p.def_batch(_broadcast_in_dim_batch)


def broadcast(x, sizes):
    """x with new leading dimensions `sizes`."""
    aval = get_aval(x)
    n = len(sizes)
    return broadcast_in_dim(x, tuple(sizes) + aval.shape, tuple(range(n, n + aval.ndim)))


def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with `fill_value` (a scalar), of `dtype`."""
    shape = _canonical_shape(shape)
    if dtype is None:
        dtype = get_aval(fill_value).dtype
    dtype = dtypes.canonicalize(dtype)
    if isinstance(fill_value, (bool, int, float, np.generic, np.ndarray)):
        scalar = Array(np.asarray(fill_value, dtype))
    else:
        from fneedle.lax.arithmetic import convert_element_type
        scalar = convert_element_type(fill_value, dtype)
    return broadcast_in_dim(scalar, shape, ())


def full_like(x, fill_value, dtype=None):
    aval = get_aval(x)
    return full(aval.shape, fill_value, aval.dtype if dtype is None else dtype)


def zeros_like(x):
    return full_like(x, 0)


# ---------------------------------------------------------------------------------------
# reshape

reshape_p = Primitive("reshape")


def reshape(x, new_sizes):
    """x with the same elements in row-major order and shape `new_sizes`."""
    new_sizes = _canonical_shape(new_sizes)
    if get_aval(x).shape == new_sizes:
        return x
    return reshape_p.bind(x, new_sizes=new_sizes)


def _reshape_abstract_eval(x, new_sizes):
    if math.prod(new_sizes) != x.size:
        raise ShapeError(f"Cannot reshape {x.str_short()} ({x.size} elements) to "
                         f"{new_sizes} ({math.prod(new_sizes)} elements).")
    return ShapedArray(new_sizes, x.dtype)


def _reshape_batch(args, dims, new_sizes):
    x = move_to_front(args[0], dims[0])
    return reshape(x, (get_aval(x).shape[0],) + new_sizes), 0


reshape_p.def_impl(lambda x, new_sizes: x.reshape(new_sizes))
reshape_p.def_abstract_eval(_reshape_abstract_eval)
deflinear(reshape_p, lambda ct, x, new_sizes: [reshape(ct, x.aval.shape)])
reshape_p.def_batch(_reshape_batch)


# ---------------------------------------------------------------------------------------
# transpose

transpose_p = Primitive("transpose")


def transpose(x, permutation):
    """x with its dimensions permuted: output dim i is operand dim permutation[i]."""
    permutation = tuple(int(p) for p in permutation)
    if permutation == tuple(range(len(permutation))):
        return x
    return transpose_p.bind(x, permutation=permutation)


def _transpose_abstract_eval(x, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise ShapeError(f"transpose: {permutation} is not a permutation of the "
                         f"{x.ndim} dims of {x.str_short()}.")
    return ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype)


def _transpose_transpose(ct, x, permutation):
    return [transpose(ct, tuple(np.argsort(permutation)))]


def _transpose_batch(args, dims, permutation):
    x = move_to_front(args[0], dims[0])
    return transpose(x, (0,) + tuple(p + 1 for p in permutation)), 0


transpose_p.def_impl(lambda x, permutation: np.transpose(x, permutation))
transpose_p.def_abstract_eval(_transpose_abstract_eval)
deflinear(transpose_p, _transpose_transpose)
transpose_p.def_batch(_transpose_batch)


# ---------------------------------------------------------------------------------------
# squeeze / expand_dims

squeeze_p = Primitive("squeeze")


def squeeze(x, dimensions):
    """x without the size-1 dimensions `dimensions`."""
    ndim = get_aval(x).ndim
    dimensions = tuple(sorted(int(d) % ndim if ndim else int(d) for d in dimensions))
    if not dimensions:
        return x
    return squeeze_p.bind(x, dimensions=dimensions)


def _squeeze_abstract_eval(x, dimensions):
    for d in dimensions:
        if d >= x.ndim or x.shape[d] != 1:
            raise ShapeError(f"squeeze: dimension {d} of {x.str_short()} is not of size 1.")
    return ShapedArray(tuple(s for i, s in enumerate(x.shape) if i not in dimensions),
                       x.dtype)


def _squeeze_batch(args, dims, dimensions):
    x = move_to_front(args[0], dims[0])
    return squeeze(x, tuple(d + 1 for d in dimensions)), 0


squeeze_p.def_impl(lambda x, dimensions: np.squeeze(x, dimensions))
squeeze_p.def_abstract_eval(_squeeze_abstract_eval)
deflinear(squeeze_p, lambda ct, x, dimensions: [reshape(ct, x.aval.shape)])
squeeze_p.def_batch(_squeeze_batch)


def expand_dims(x, dimensions):
    """x with new size-1 dimensions at positions `dimensions` of the output."""
    aval = get_aval(x)
    ndim_out = aval.ndim + len(dimensions)
    dims = sorted(d % ndim_out for d in dimensions)
    shape = list(aval.shape)
    for d in dims:
        shape.insert(d, 1)
    return reshape(x, tuple(shape))
