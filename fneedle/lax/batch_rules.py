"""Helpers for writing batch (vmap) rules: moving batch dimensions and broadcasting."""

from fneedle.core.interpreter import get_aval

not_mapped = None


def _lax():
    import fneedle.lax as lax
    return lax


def move_to_front(x, dim):
    """x with batch dimension `dim` moved to position 0 (a no-op when it is there)."""
    if dim == 0:
        return x
    perm = (dim,) + tuple(i for i in range(get_aval(x).ndim) if i != dim)
    return _lax().transpose(x, perm)


def move_axis(x, src, dst):
    ndim = get_aval(x).ndim
    if src == dst:
        return x
    perm = [i for i in range(ndim) if i != src]
    perm.insert(dst, src)
    return _lax().transpose(x, tuple(perm))


def bdim_at_front(x, dim, size):
    """x with a batch dimension of `size` at position 0, broadcasting an unbatched x."""
    if dim is None:
        aval = get_aval(x)
        return _lax().broadcast_in_dim(x, (size,) + aval.shape,
                                       tuple(range(1, aval.ndim + 1)))
    return move_to_front(x, dim)


def batch_size(args, dims):
    for x, d in zip(args, dims):
        if d is not None:
            return get_aval(x).shape[d]
    raise ValueError("batch rule called with no batched argument")


def elementwise_batch(primitive):
    """The batch rule of a primitive applied elementwise to same-shaped operands."""
    def rule(args, dims, **params):
        first = next(d for d in dims if d is not None)
        if all(d == first for d in dims):
            return primitive.bind(*args, **params), first
        size = batch_size(args, dims)
        moved = [bdim_at_front(x, d, size) for x, d in zip(args, dims)]
        return primitive.bind(*moved, **params), 0
    primitive.def_batch(rule)
    return rule
