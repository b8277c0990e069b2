"""Plumbing shared by the public transformations: flattening functions over pytrees and
checking argument numbers."""

from fneedle.core import tree_util


def flatten_fun(fun, in_tree):
    """A flat function of leaves for `fun` of pytrees; `store()` then gives the out tree.

    Example: flat, store = flatten_fun(f, tree); outs = flat(*leaves); tree = store().
    """
    box = []

    def flat(*leaves):
        args, kwargs = tree_util.tree_unflatten(in_tree, leaves)
        out = fun(*args, **kwargs)
        out_leaves, out_tree = tree_util.tree_flatten(out)
        box.append(out_tree)
        return out_leaves

    def store():
        return box[-1]
    return flat, store


def normalize_argnums(argnums, nargs, what="argnums"):
    """A tuple of non-negative argument positions; errors name the function's arity."""
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    out = []
    for a in nums:
        if not -nargs <= a < nargs:
            raise ValueError(f"{what}={argnums!r} is out of range for a call with {nargs} "
                             f"positional arguments.")
        out.append(a % nargs)
    return tuple(out), single


def fun_name(fun):
    return getattr(fun, "__name__", None) or type(fun).__name__
