"""The Threefry-2x32 block cipher (20 rounds) as the primitive `threefry2x32`, and the
counters it encrypts as the primitive `iota_2x32_shape`; every random function is built on them.

Threefry is from Salmon et al., "Parallel random numbers: as easy as 1, 2, 3" (SC 2011); the
key schedule, rotations and key injections below are those of Random123's threefry2x32_20.
"""

import math

import numpy as np

from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import DtypeError, ShapeError
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import Zero, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.batch_rules import batch_size, move_to_front

try:
    from fneedle import _C
except ImportError:  # the extension is not built: the NumPy impls run everywhere
    _C = None

# Rotation distances of the 4-round groups (they alternate) and the key-schedule parity.
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA

# ---------------------------------------------------------------------------------------
# threefry2x32: (key1, key2, x1, x2) -> (y1, y2), all uint32, elementwise.

threefry2x32_p = Primitive("threefry2x32", multiple_results=True)


def threefry2x32(key1, key2, x1, x2):
    """Encrypts the counter pairs (x1, x2) under the key (key1, key2) with Threefry-2x32.

    Args:
      key1, key2, x1, x2: uint32 arrays of one shape; rank-0 ones broadcast.
    Returns:
      A list of two uint32 arrays (y1, y2) of the broadcast shape.
    Example:
      threefry2x32(u32(0), u32(0), u32(0), u32(0))  # [0x6b200159, 0x99ba4efe]
    """
    return threefry2x32_p.bind(key1, key2, x1, x2)


def _threefry2x32_impl(key1, key2, x1, x2):
    shape = np.broadcast_shapes(key1.shape, key2.shape, x1.shape, x2.shape)
    ks = [np.asarray(key1, np.uint32), np.asarray(key2, np.uint32)]
    ks.append(ks[0] ^ ks[1] ^ np.uint32(_PARITY))
    # Two fresh buffers updated in place; `tmp` holds the left-shifted half of a rotation.
    y1 = np.empty(shape, np.uint32)
    y2 = np.empty(shape, np.uint32)
    tmp = np.empty(shape, np.uint32)
    np.add(x1, ks[0], out=y1)
    np.add(x2, ks[1], out=y2)
    for group in range(5):
        for r in _ROTATIONS[group % 2]:
            y1 += y2
            np.left_shift(y2, np.uint32(r), out=tmp)
            y2 >>= np.uint32(32 - r)
            y2 |= tmp
            y2 ^= y1
        # Key injection number group + 1.
        y1 += ks[(group + 1) % 3]
        y2 += ks[(group + 2) % 3]
        y2 += np.uint32(group + 1)
    return [y1, y2]


def _broadcast_shape(name, avals):
    shape = ()
    for a in avals:
        if a.shape:
            if shape and a.shape != shape:
                raise ShapeError(f"'{name}' needs operands of equal shapes (or rank-0 ones), "
                                 f"got {', '.join(b.str_short() for b in avals)}.")
            shape = a.shape
    return shape


def _threefry2x32_abstract_eval(key1, key2, x1, x2):
    avals = (key1, key2, x1, x2)
    if any(a.dtype != dtypes.uint32 for a in avals):
        raise DtypeError(f"threefry2x32 needs uint32 keys and counters, got "
                         f"{', '.join(a.str_short() for a in avals)}. Convert them with "
                         f"convert_element_type(x, 'uint32').")
    shape = _broadcast_shape("threefry2x32", avals)
    return [ShapedArray(shape, dtypes.uint32)] * 2


def _threefry2x32_batch(args, dims):
    from fneedle.lax.shape import broadcast_in_dim
    size = batch_size(args, dims)
    avals = [get_aval(x) for x in args]
    examples = [a.shape if d is None else a.shape[:d] + a.shape[d + 1:]
                for a, d in zip(avals, dims, strict=True)]
    out_example = max(examples, key=len)
    moved = []
    for x, a, d, e in zip(args, avals, dims, examples, strict=True):
        if d is None:
            if a.shape:  # an unbatched array: repeat it for every batch member
                x = broadcast_in_dim(x, (size,) + a.shape, tuple(range(1, a.ndim + 1)))
        else:
            x = move_to_front(x, d)
            if e != out_example:  # a batch of scalars meeting arrays
                x = broadcast_in_dim(x, (size,) + out_example, (0,))
        moved.append(x)
    return threefry2x32_p.bind(*moved), [0, 0]


def _no_tangents_jvp(prim):
    """Integer outputs have no tangents: a jvp that only evaluates."""
    def jvp(primals, tangents, **params):
        outs = prim.bind(*primals, **params)
        return outs, [Zero(tangent_aval(get_aval(o))) for o in outs]
    prim.def_jvp(jvp)


threefry2x32_p.def_impl(_threefry2x32_impl)
threefry2x32_p.def_abstract_eval(_threefry2x32_abstract_eval)
threefry2x32_p.def_batch(_threefry2x32_batch)
threefry2x32_p.weak_type_rule = lambda in_weak: False
_no_tangents_jvp(threefry2x32_p)


def _threefry2x32_cpu(key1, key2, x1, x2):
    # The kernel takes C-contiguous uint32 operands of one shape, or rank-0 ones.
    if not (key1.size and key2.size and x1.size and x2.size):
        return _threefry2x32_impl(key1, key2, x1, x2)
    args = [np.ascontiguousarray(a) if a.ndim else a.reshape(()) for a in (key1, key2, x1, x2)]
    shape = np.broadcast_shapes(*(a.shape for a in args))
    args = [a if a.shape in (shape, ()) else np.ascontiguousarray(np.broadcast_to(a, shape))
            for a in args]
    return list(_C.threefry2x32(*args))


if getattr(_C, "threefry2x32", None) is not None:
    threefry2x32_p.def_lowering("cpu", _threefry2x32_cpu)

# ---------------------------------------------------------------------------------------
# iota_2x32_shape: the row-major index of every element of `shape`, as a 64-bit counter
# split into its high and low uint32 words (the counters random bits encrypt).

iota_2x32_shape_p = Primitive("iota_2x32_shape", multiple_results=True)


def iota_2x32_shape(shape):
    """(hi, lo): uint32 arrays of `shape` holding the high and low words of each element's
    row-major index. Example: iota_2x32_shape((2, 2)) -> ([[0, 0], [0, 0]], [[0, 1], [2, 3]])."""
    return iota_2x32_shape_p.bind(shape=tuple(int(s) for s in shape))


def _iota_2x32_shape_impl(shape):
    n = math.prod(shape)
    if n <= 2 ** 32:
        lo = np.arange(n, dtype=np.uint32).reshape(shape)
        return [np.zeros(shape, np.uint32), lo]
    index = np.arange(n, dtype=np.uint64).reshape(shape)
    return [(index >> np.uint64(32)).astype(np.uint32), index.astype(np.uint32)]


iota_2x32_shape_p.def_impl(_iota_2x32_shape_impl)
iota_2x32_shape_p.def_abstract_eval(lambda shape: [ShapedArray(shape, dtypes.uint32)] * 2)
iota_2x32_shape_p.weak_type_rule = lambda in_weak, shape: False
_no_tangents_jvp(iota_2x32_shape_p)
