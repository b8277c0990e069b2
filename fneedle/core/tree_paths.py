"""Key paths: flattening and mapping that pair each leaf with the path of keys to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fneedle.core.tree_def import _LEAF, PyTreeDef
from fneedle.core.tree_functions import _flatten_rest_up_to
from fneedle.core.tree_keys import KeyPath
from fneedle.core.tree_node_kinds import _kind_of


def tree_flatten_with_path(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                           ) -> tuple[list[tuple[KeyPath, Any]], PyTreeDef]:
    """Like `tree_flatten`, but pairs each leaf with its key path.

    Returns:
      `([(key_path, leaf), ...], treedef)`; a key path is a tuple such as
      `(DictKey('a'), SequenceKey(0))`, printed by `keystr` as `['a'][0]`.

    Example:
      >>> tree_flatten_with_path({'a': [5]})[0]
      [((DictKey(key='a'), SequenceKey(idx=0)), 5)]
    """
    pairs = []
    records = []
    stack = [((), tree)]
    while stack:
        path, x = stack.pop()
        kind = _kind_of(x)
        if kind is None or (is_leaf is not None and is_leaf(x)):
            pairs.append((path, x))
            records.append(_LEAF)
            continue
        key_children, aux = kind.flatten_with_keys(x)
        key_children = list(key_children)
        records.append((kind, aux, len(key_children)))
        stack.extend([(path + (k,), c) for k, c in reversed(key_children)])
    return pairs, PyTreeDef(tuple(records), len(pairs))


def tree_leaves_with_path(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                          ) -> list[tuple[KeyPath, Any]]:
    """The `(key_path, leaf)` pairs of a pytree, in flatten order.

    Example:
      >>> [(keystr(p), x) for p, x in tree_leaves_with_path({'a': (1, 2)})]
      [("['a'][0]", 1), ("['a'][1]", 2)]
    """
    return tree_flatten_with_path(tree, is_leaf)[0]


def tree_map_with_path(f: Callable, tree: Any, *rest: Any,
                       is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """Like `tree_map`, but calls `f(key_path, leaf, *rest_subtrees)`.

    Example:
      >>> tree_map_with_path(lambda p, x: keystr(p), {'a': 1, 'b': [2]})
      {'a': "['a']", 'b': ["['b'][0]"]}
    """
    pairs, treedef = tree_flatten_with_path(tree, is_leaf)
    columns = [[p for p, _ in pairs], [x for _, x in pairs]]
    columns += _flatten_rest_up_to(treedef, rest, "tree_map_with_path")
    return treedef.unflatten(list(map(f, *columns)))
