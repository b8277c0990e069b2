"""pad: edge padding (negative crops) and interior padding between elements."""

import builtins

import numpy as np

from fneedle.core import dtypes
from fneedle.core.array import Array
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import is_undefined_primal
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import linear_jvp
from fneedle.lax.batch_rules import batch_size, bdim_at_front, move_to_front
from fneedle.lax.shape import full
from fneedle.lax.static_slicing import slice
from fneedle.lax.wrapper_checks import checked_bind, static_ints

# ---------------------------------------------------------------------------------------
# pad

pad_p = Primitive("pad")


def pad(operand, padding_value, padding_config):
    """operand padded with `padding_value`: (low, high, interior) per dimension.

    low/high may be negative (they then crop); interior >= 0 inserts that many values
    between neighbouring elements. The output size is low + high + n + max(n - 1, 0) *
    interior along each dimension.
    Example:
      pad(x, 0.0, [(1, -1, 1)]) on [1, 2, 3] is [0, 1, 0, 2, 0].
    """
    config = tuple(static_ints(c, "pad's padding_config entries") for c in padding_config)
    if isinstance(padding_value, (bool, int, float)) and not isinstance(padding_value,
                                                                         np.generic):
        padding_value = Array(np.asarray(padding_value, get_aval(operand).dtype),
                              weak_type=True)
    return checked_bind(pad_p, operand, padding_value, padding_config=config)


def _pad_abstract_eval(x, padding_value, padding_config):
    if padding_value.shape != () or padding_value.dtype != x.dtype:
        raise DtypeError(f"pad needs a rank-0 padding value of the operand's dtype, got "
                         f"operand {x.str_short()} and padding value "
                         f"{padding_value.str_short()}.")
    if len(padding_config) != x.ndim or any(len(c) != 3 for c in padding_config):
        raise ShapeError(f"pad of {x.str_short()} needs one (low, high, interior) triple per "
                         f"dimension, got padding_config={padding_config}.")
    out = []
    for d, ((lo, hi, interior), n) in enumerate(zip(padding_config, x.shape)):
        if interior < 0:
            raise ShapeError(f"pad: interior padding must be >= 0, got {interior} for "
                             f"dimension {d} of {x.str_short()}.")
        size = lo + hi + n + builtins.max(n - 1, 0) * interior
        if size < 0:
            raise ShapeError(f"pad of {x.str_short()} with {padding_config[d]} on dimension "
                             f"{d} gives a negative size {size}; negative padding can crop at "
                             f"most the whole dimension.")
        out.append(size)
    return ShapedArray(tuple(out), x.dtype)


def _pad_impl(x, padding_value, padding_config):
    # Place x with its interior gaps into the non-negative padding, then crop negative ends.
    full_shape, place, crop = [], [], []
    for (lo, hi, interior), n in zip(padding_config, x.shape):
        spread = n + builtins.max(n - 1, 0) * interior
        size = builtins.max(lo, 0) + spread + builtins.max(hi, 0)
        full_shape.append(size)
        place.append(builtins.slice(builtins.max(lo, 0), builtins.max(lo, 0) + spread,
                                    interior + 1))
        crop.append(builtins.slice(-builtins.min(lo, 0), size + builtins.min(hi, 0)))
    out = np.full(full_shape, padding_value, x.dtype)
    out[tuple(place)] = x
    return np.asarray(out[tuple(crop)])


def _pad_transpose(ct, x, padding_value, padding_config):
    from fneedle.lax.arithmetic import sub
    from fneedle.lax.reduction import reduce_sum

    def ct_operand():
        unpad = [(-lo, -hi, 0) for lo, hi, _ in padding_config]
        unpadded = pad(ct, Array(np.zeros((), get_aval(ct).dtype)), unpad)
        shape = get_aval(unpadded).shape
        return slice(unpadded, (0,) * len(shape), shape,
                     tuple(interior + 1 for _, _, interior in padding_config))

    ct_x = ct_operand() if is_undefined_primal(x) else None
    ct_v = None
    if is_undefined_primal(padding_value):
        # The padding value landed everywhere the operand did not.
        ndim = get_aval(ct).ndim
        inner = ct_x if ct_x is not None else ct_operand()
        ct_v = sub(reduce_sum(ct, tuple(range(ndim))), reduce_sum(inner, tuple(range(ndim))))
    return [ct_x, ct_v]


def _pad_batch(args, dims, padding_config):
    from fneedle.lax.arithmetic import select_n
    from fneedle.lax.shape import broadcast_in_dim
    (x, value), (xd, vd) = args, dims
    if vd is None:
        config = padding_config[:xd] + ((0, 0, 0),) + padding_config[xd:]
        return pad_p.bind(x, value, padding_config=config), xd
    # A padding value per batch member: pad with zeros, then select by a padded mask.
    size = batch_size(args, dims)
    x = bdim_at_front(x, xd, size)
    aval = get_aval(x)
    config = ((0, 0, 0),) + padding_config
    padded = pad(x, Array(np.zeros((), aval.dtype)), config)
    mask = pad(full(aval.shape, True, dtypes.bool_), False, config)
    out_shape = get_aval(padded).shape
    values = broadcast_in_dim(move_to_front(value, vd), out_shape, (0,))
    return select_n(mask, values, padded), 0


pad_p.def_impl(_pad_impl)
pad_p.def_abstract_eval(_pad_abstract_eval)
linear_jvp(pad_p)
pad_p.def_transpose(_pad_transpose)
pad_p.def_batch(_pad_batch)
