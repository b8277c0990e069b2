"""Pytrees: nested containers flattened to a list of leaves plus a hashable PyTreeDef, and back.

Mirrors `jax.tree_util`; this module is the public face, and each concept lives in its own
file: node kinds (tree_node_kinds), registration (tree_registry), key path entries
(tree_keys), PyTreeDef (tree_def), flattening (tree_flattening), key paths (tree_paths) and
whole-tree functions (tree_functions).
"""

from fneedle.core.tree_def import (
    PyTreeDef,
    treedef_children,
    treedef_is_leaf,
    treedef_is_strict_leaf,
    treedef_tuple,
)
from fneedle.core.tree_flattening import tree_flatten, tree_leaves, tree_structure, tree_unflatten
from fneedle.core.tree_functions import (
    all_leaves,
    broadcast_prefix,
    tree_all,
    tree_map,
    tree_reduce,
    tree_transpose,
)
from fneedle.core.tree_keys import DictKey, FlattenedIndexKey, GetAttrKey, SequenceKey, keystr
from fneedle.core.tree_paths import (
    tree_flatten_with_path,
    tree_leaves_with_path,
    tree_map_with_path,
)
from fneedle.core.tree_registry import (
    register_dataclass,
    register_pytree_node,
    register_pytree_node_class,
    register_pytree_with_keys,
)

__all__ = [
    "PyTreeDef", "SequenceKey", "DictKey", "GetAttrKey", "FlattenedIndexKey", "keystr",
    "register_pytree_node", "register_pytree_with_keys", "register_pytree_node_class",
    "register_dataclass", "tree_flatten", "tree_unflatten", "tree_leaves", "tree_structure",
    "tree_map", "tree_flatten_with_path", "tree_leaves_with_path", "tree_map_with_path",
    "tree_transpose", "tree_all", "tree_reduce", "treedef_is_leaf", "treedef_is_strict_leaf",
    "all_leaves", "treedef_children", "treedef_tuple", "broadcast_prefix",
]
