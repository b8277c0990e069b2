"""Functions over whole pytrees: mapping, prefix broadcasting, transposing and reducing."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from fneedle.core.tree_def import PyTreeDef
from fneedle.core.tree_flattening import tree_flatten, tree_leaves, tree_structure
from fneedle.core.tree_node_kinds import _MISSING, _kind_of, _short


def tree_map(f: Callable, tree: Any, *rest: Any,
             is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """Applies `f` to the leaves of `tree` (and the matching parts of `rest`), keeping structure.

    Args:
      f: called as `f(leaf, *matching_subtrees_of_rest)`.
      tree: the pytree whose structure the result has.
      *rest: pytrees with `tree`'s structure, or with `tree`'s structure as a prefix (then `f`
        receives their whole subtree at each leaf position of `tree`).
      is_leaf: optional predicate marking subtrees of `tree` to treat as leaves.

    Returns:
      A pytree shaped like `tree` holding the results of `f`.

    Example:
      >>> tree_map(lambda x, y: x + y, {'a': 1, 'b': (2, 3)}, {'a': 10, 'b': (20, 30)})
      {'a': 11, 'b': (22, 33)}
    """
    leaves, treedef = tree_flatten(tree, is_leaf)
    if not rest:
        return treedef.unflatten([f(x) for x in leaves])
    columns = [leaves] + _flatten_rest_up_to(treedef, rest, "tree_map")
    return treedef.unflatten(list(map(f, *columns)))


def _flatten_rest_up_to(treedef: PyTreeDef, rest: tuple, fn_name: str) -> list[list]:
    columns = []
    for i, other in enumerate(rest):
        try:
            columns.append(treedef.flatten_up_to(other))
        except ValueError as e:
            raise ValueError(f"{fn_name}: the tree rest[{i}] does not match the first tree. "
                             f"{e}") from None
    return columns


def broadcast_prefix(prefix_tree: Any, full_tree: Any,
                     is_leaf: Callable[[Any], bool] | None = None) -> list:
    """For each leaf of `full_tree`, the leaf of `prefix_tree` whose subtree contains it.

    This is how `vmap(in_axes=...)` spreads one axis spec over a whole argument subtree.

    Args:
      prefix_tree: a pytree whose structure is a prefix of `full_tree`'s.
      full_tree: the pytree to broadcast over.
      is_leaf: optional predicate applied to `prefix_tree` only (e.g. `lambda x: x is None`,
        so that None can be a prefix leaf).

    Returns:
      A list with one entry per leaf of `full_tree`.

    Example:
      >>> broadcast_prefix((0, None), ([1, 2], 3), is_leaf=lambda x: x is None)
      [0, 0, None]
    """
    prefix_leaves, prefix_def = tree_flatten(prefix_tree, is_leaf)
    try:
        subtrees = prefix_def.flatten_up_to(full_tree)
    except ValueError as e:
        raise ValueError(f"broadcast_prefix: prefix_tree is not a prefix of full_tree. "
                         f"{e}") from None
    out = []
    for leaf, subtree in zip(prefix_leaves, subtrees, strict=True):
        out.extend([leaf] * tree_structure(subtree).num_leaves)
    return out


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None,
                   pytree_to_transpose: Any) -> Any:
    """Turns an outer tree of inner trees into an inner tree of outer trees.

    Args:
      outer_treedef: the structure of the outer tree.
      inner_treedef: the structure found at each outer leaf; None to infer it from the first.
      pytree_to_transpose: a pytree of structure `outer_treedef.compose(inner_treedef)`.

    Returns:
      A pytree of structure `inner_treedef.compose(outer_treedef)`.

    Example:
      >>> tree_transpose(tree_structure([0, 0]), tree_structure((0, 0)), [(1, 2), (3, 4)])
      ([1, 3], [2, 4])
    """
    if inner_treedef is None:
        subtrees = outer_treedef.flatten_up_to(pytree_to_transpose)
        if not subtrees:
            raise ValueError("tree_transpose cannot infer inner_treedef when the outer tree has "
                             "no leaves; pass inner_treedef explicitly.")
        inner_treedef = tree_structure(subtrees[0])
    expected = outer_treedef.compose(inner_treedef)
    leaves, treedef = tree_flatten(pytree_to_transpose)
    if treedef != expected:
        raise ValueError(
            f"tree_transpose expected a pytree of structure {_short(expected)} (the outer "
            f"structure with the inner structure at each leaf), but got {_short(treedef)}. "
            f"Check outer_treedef and inner_treedef against the tree.")
    n_inner = inner_treedef.num_leaves
    rows = [leaves[i * n_inner:(i + 1) * n_inner] for i in range(outer_treedef.num_leaves)]
    columns = [[row[j] for row in rows] for j in range(n_inner)]
    return inner_treedef.unflatten([outer_treedef.unflatten(c) for c in columns])


def tree_all(tree: Any, *, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True when every leaf is truthy (and for a tree with no leaves).

    Example:
      >>> tree_all({'a': True, 'b': [1, 0]})
      False
    """
    return all(tree_leaves(tree, is_leaf))


def tree_reduce(function: Callable[[Any, Any], Any], tree: Any, initializer: Any = _MISSING,
                is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """Folds `function` over the leaves, left to right, like `functools.reduce`.

    Args:
      function: `(accumulated, leaf) -> accumulated`.
      tree: the pytree.
      initializer: optional starting value; required when the tree has no leaves.

    Returns:
      The reduced value.

    Example:
      >>> tree_reduce(lambda a, b: a + b, {'x': 1, 'y': [2, 3]})
      6
    """
    leaves = tree_leaves(tree, is_leaf)
    if initializer is _MISSING:
        if not leaves:
            raise TypeError("tree_reduce of a tree with no leaves needs an initializer; pass "
                            "initializer= to give the result for an empty tree.")
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def all_leaves(iterable: Iterable, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True when every element is a leaf (None and containers are not).

    Example:
      >>> all_leaves([1, 'a', 2.0]), all_leaves([1, (2,)])
      (True, False)
    """
    return all(_kind_of(x) is None or (is_leaf is not None and is_leaf(x)) for x in iterable)
