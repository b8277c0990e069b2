"""Jacobians and Hessians: `jacfwd` (jvp + vmap over basis tangents), `jacrev` (vjp + vmap over
basis cotangents), `jacobian` (= jacrev) and `hessian` (= jacfwd of jacrev)."""

import math

import numpy as np

from fneedle.core import tree_util
from fneedle.core.api_util import fun_name, normalize_argnums
from fneedle.core.array import Array
from fneedle.core.interpreter import get_aval
from fneedle.transforms.grad import _check_diff_input, vjp
from fneedle.transforms.jvp import jvp
from fneedle.transforms.vmap import vmap


def _basis(leaves):
    """Identity rows for the flattened leaves: one unit tangent per scalar entry."""
    avals = [get_aval(x) for x in leaves]
    sizes = [a.size for a in avals]
    total = sum(sizes)
    dtype = np.result_type(*[a.dtype for a in avals]) if avals else np.float32
    eye = np.eye(total, dtype=dtype)
    out, start = [], 0
    for a, n in zip(avals, sizes):
        out.append(Array(np.ascontiguousarray(eye[:, start:start + n].reshape(
            (total,) + a.shape)).astype(a.dtype)))
        start += n
    return out, total


def jacfwd(fun, argnums=0, has_aux=False):
    """The Jacobian of fun by forward mode: out[i...][j...] = d out[i...] / d in[j...].

    The result has, per output leaf, shape out_shape + in_shape (as JAX's jacfwd).
    Example: fneedle.jacfwd(f)(x)
    """
    def jac(*args):
        nums, single = normalize_argnums(argnums, len(args))
        for i in nums:
            for leaf in tree_util.tree_leaves(args[i]):
                _check_diff_input(leaf, i, "jacfwd")
        dyn = tuple(args[i] for i in nums)
        leaves, tree = tree_util.tree_flatten(dyn)
        basis, total = _basis(leaves)

        def partial_fun(*d):
            full = list(args)
            for i, a in zip(nums, d):
                full[i] = a
            out = fun(*full)
            return out

        def push(*t_leaves):
            tangents = tree_util.tree_unflatten(tree, list(t_leaves))
            if has_aux:
                y, dy, aux = jvp(partial_fun, dyn, tangents, has_aux=True)
                return dy, aux
            return jvp(partial_fun, dyn, tangents)[1]
        import fneedle.lax as lax
        res = vmap(push, in_axes=0, out_axes=0)(*basis)
        dy, aux = res if has_aux else (res, None)
        shapes = [get_aval(x).shape for x in leaves]

        def arrange(col):  # (total, *out) -> per input leaf: (*out, *in)
            aval = get_aval(col)
            out_nd = aval.ndim - 1
            blocks, start = [], 0
            for shape in shapes:
                n = math.prod(shape)
                from fneedle.lax.slicing import slice_in_dim
                b = slice_in_dim(col, start, start + n, axis=0)
                b = lax.transpose(b, tuple(range(1, out_nd + 1)) + (0,))
                blocks.append(lax.reshape(b, aval.shape[1:] + tuple(shape)))
                start += n
            per_arg = tree_util.tree_unflatten(tree, blocks)
            return per_arg[0] if single else per_arg
        jacobian = tree_util.tree_map(arrange, dy)
        if has_aux:
            aux = tree_util.tree_map(lambda a: a[0], aux)
            return jacobian, aux
        return jacobian
    jac.__name__ = f"jacfwd({fun_name(fun)})"
    return jac


def jacrev(fun, argnums=0, has_aux=False):
    """The Jacobian of fun by reverse mode; same layout as jacfwd (out_shape + in_shape)."""
    def jac(*args):
        import fneedle.lax as lax
        nums, single = normalize_argnums(argnums, len(args))
        for i in nums:
            for leaf in tree_util.tree_leaves(args[i]):
                _check_diff_input(leaf, i, "jacrev")
        dyn = tuple(args[i] for i in nums)

        def partial_fun(*d):
            full = list(args)
            for i, a in zip(nums, d):
                full[i] = a
            return fun(*full)
        if has_aux:
            y, pullback, aux = vjp(partial_fun, *dyn, has_aux=True)
        else:
            y, pullback = vjp(partial_fun, *dyn)
        y_leaves, y_tree = tree_util.tree_flatten(y)
        basis, total = _basis(y_leaves)
        cts = vmap(lambda *b: pullback(tree_util.tree_unflatten(y_tree, list(b))))(*basis)
        out_shapes = [get_aval(x).shape for x in y_leaves]

        def per_output(col, k):
            # col: (total, *in_shape); rows of output leaf k -> (*out_k, *in_shape)
            aval = get_aval(col)
            start = sum(math.prod(s) for s in out_shapes[:k])
            n = math.prod(out_shapes[k])
            from fneedle.lax.slicing import slice_in_dim
            b = slice_in_dim(col, start, start + n, axis=0)
            return lax.reshape(b, tuple(out_shapes[k]) + aval.shape[1:])
        results = []
        for k in range(len(y_leaves)):
            per_arg = tree_util.tree_map(lambda c: per_output(c, k), cts)
            results.append(per_arg[0] if single else per_arg)
        jacobian = tree_util.tree_unflatten(y_tree, results)
        return (jacobian, aux) if has_aux else jacobian
    jac.__name__ = f"jacrev({fun_name(fun)})"
    return jac


jacobian = jacrev


def hessian(fun, argnums=0, has_aux=False):
    """The Hessian of a scalar function: jacfwd(jacrev(fun))."""
    return jacfwd(jacrev(fun, argnums, has_aux=has_aux), argnums, has_aux=has_aux)
