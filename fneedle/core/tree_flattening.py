"""Flattening a pytree into leaves and a PyTreeDef, and unflattening back.

Every walk uses an explicit stack, so trees nested 10,000 deep work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fneedle.core.tree_def import _LEAF, PyTreeDef
from fneedle.core.tree_node_kinds import (
    _DICT,
    _LIST,
    _MISSING,
    _TUPLE,
    _call_flatten,
    _classify,
    _kinds,
    _NodeKind,
    _sorted_keys,
)


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                 ) -> tuple[list, PyTreeDef]:
    """Splits a pytree into its leaves and its structure.

    Args:
      tree: a pytree: tuples, lists, dicts, namedtuples, None, OrderedDicts, defaultdicts and
        registered classes, with anything else as leaves. Dict children are in sorted-key order.
      is_leaf: optional predicate; a subtree for which it returns True is kept as one leaf.

    Returns:
      `(leaves, treedef)`, with `treedef.unflatten(leaves)` rebuilding `tree`.

    Example:
      >>> tree_flatten({'b': [1, 2], 'a': None})
      ([1, 2], PyTreeDef({'a': None, 'b': [*, *]}))
    """
    get = _kinds.get
    kind = get(type(tree), _MISSING)
    if (kind is _TUPLE or kind is _LIST) and is_leaf is None:
        # Fast path: a flat tuple or list of leaves, e.g. a function's positional arguments.
        for x in tree:
            if get(type(x), _MISSING) is not None:
                break
        else:
            return list(tree), PyTreeDef(_flat_records(kind, len(tree)), len(tree))
    leaves = []
    records = []
    add_leaf = leaves.append
    add_record = records.append
    # A stack of child iterators gives preorder; leaves are consumed by the inner for loop.
    stack = [iter((tree,))]
    push = stack.append
    while stack:
        for x in stack[-1]:
            kind = get(type(x), _MISSING)
            if kind is _MISSING:
                kind = _classify(type(x))
            if kind is None or (is_leaf is not None and is_leaf(x)):
                add_leaf(x)
                add_record(_LEAF)
            elif kind is _TUPLE or kind is _LIST:
                add_record((kind, None, len(x)))
                push(iter(x))
                break
            elif kind is _DICT:
                try:
                    keys = tuple(sorted(x))
                except TypeError:
                    keys = _sorted_keys(x)  # raises the explanatory error
                add_record((kind, keys, len(keys)))
                push(iter([x[k] for k in keys]))
                break
            else:
                children, aux = _call_flatten(kind, x)
                add_record((kind, aux, len(children)))
                push(iter(children))
                break
        else:
            stack.pop()
    return leaves, PyTreeDef(tuple(records), len(leaves))


_flat_records_cache: dict[tuple[_NodeKind, int], tuple] = {}


def _flat_records(kind: _NodeKind, n: int) -> tuple:
    """Records of a tuple or list of n leaves, shared so equal treedefs compare by identity."""
    records = _flat_records_cache.get((kind, n))
    if records is None:
        records = ((kind, None, n),) + (_LEAF,) * n
        if n <= 256:
            _flat_records_cache[(kind, n)] = records
    return records

def tree_unflatten(treedef: PyTreeDef, leaves: Iterable) -> Any:
    """Builds a pytree from a structure and leaves; the inverse of `tree_flatten`.

    Args:
      treedef: the structure, e.g. from `tree_structure`.
      leaves: exactly `treedef.num_leaves` values, in flatten order.

    Returns:
      The pytree.

    Example:
      >>> tree_unflatten(tree_structure([0, (0, 0)]), 'abc')
      ['a', ('b', 'c')]
    """
    return treedef.unflatten(leaves)


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list:
    """The leaves of a pytree, in flatten order.

    Example:
      >>> tree_leaves({'a': 1, 'b': (2, None, [3])})
      [1, 2, 3]
    """
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
    """The structure of a pytree.

    Example:
      >>> tree_structure((1, {'a': 2}))
      PyTreeDef((*, {'a': *}))
    """
    return tree_flatten(tree, is_leaf)[1]
