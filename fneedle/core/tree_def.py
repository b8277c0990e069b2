"""PyTreeDef: the hashable structure of a pytree, rebuilding trees from leaves and matching
trees against it as a prefix (with errors that name the key path where they part)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fneedle.core.tree_keys import DictKey, SequenceKey, keystr
from fneedle.core.tree_node_kinds import (
    _DICT,
    _DICT_KINDS,
    _LIST,
    _NONE,
    _TUPLE,
    _call_flatten,
    _dict_keys,
    _NodeKind,
    _short,
    _truncate,
)

_LEAF = (None, None, 0)  # the record of a leaf


class PyTreeDef:
    """The structure of a pytree: what its nodes are, with a `*` for each leaf.

    A value object: immutable by convention (no public setters), hashable and comparable, so it
    can key caches such as jit's.

    Internally a flat preorder tuple of `(kind, aux_data, num_children)` records (a leaf is
    `(None, None, 0)`), so equality and hashing are flat tuple operations at any depth.
    """

    __slots__ = ("_records", "_num_leaves", "_hash")

    def __init__(self, records: tuple, num_leaves: int):
        # Private: build PyTreeDefs with tree_structure / treedef_tuple, not directly. The
        # attributes are never changed after this (the hash is only cached).
        self._records = records
        self._num_leaves = num_leaves
        self._hash = None

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    @property
    def num_leaves(self) -> int:
        """The number of leaves (`*`) in the structure."""
        return self._num_leaves

    @property
    def num_nodes(self) -> int:
        """The number of nodes, counting leaves and None nodes (as JAX does)."""
        return len(self._records)

    def __eq__(self, other):
        if self is other:
            return True
        if not isinstance(other, PyTreeDef):
            return NotImplemented
        if self._hash is not None and other._hash is not None and self._hash != other._hash:
            return False
        return self._num_leaves == other._num_leaves and self._records == other._records

    def __hash__(self):
        if self._hash is None:
            try:
                self._hash = hash(self._records)
            except TypeError as e:
                raise TypeError(
                    f"This PyTreeDef cannot be hashed because some node's aux data is "
                    f"unhashable ({e}). Make flatten functions return hashable aux data (tuples, "
                    f"not lists; static dataclass fields must be hashable)."
                ) from None
        return self._hash

    def __repr__(self):
        return f"PyTreeDef({_structure_str(self._records)})"

    def unflatten(self, leaves: Iterable) -> Any:
        """Builds the pytree with this structure and the given leaves (in flatten order).

        Example:
          >>> tree_structure({'a': 0, 'b': (0, 0)}).unflatten([1, 2, 3])
          {'a': 1, 'b': (2, 3)}
        """
        if type(leaves) is not list:
            leaves = list(leaves)
        if len(leaves) != self._num_leaves:
            raise ValueError(
                f"Wrong number of leaves to unflatten: got {len(leaves)}, but the structure "
                f"{_short(self)} has {self._num_leaves}. Pass exactly one leaf per '*'.")
        records = self._records
        kind, _, n = records[0]
        if n == self._num_leaves == len(records) - 1:  # fast path: a flat tuple or list
            if kind is _TUPLE:
                return tuple(leaves)
            if kind is _LIST:
                return list(leaves)
        stack = []
        push = stack.append
        i = len(leaves)
        # Reversed preorder visits children before their parent (last child first).
        for kind, aux, n in reversed(records):
            if kind is None:
                i -= 1
                push(leaves[i])
            elif n == 0:
                push(kind.unflatten(aux, ()))
            else:
                children = stack[:-n - 1:-1]
                del stack[-n:]
                if kind is _TUPLE:
                    push(tuple(children))
                elif kind is _LIST:
                    push(children)
                elif kind is _DICT:
                    push(dict(zip(aux, children, strict=True)))
                else:
                    push(kind.unflatten(aux, tuple(children)))
        return stack[0]

    def flatten_up_to(self, tree: Any) -> list:
        """Flattens `tree` only as deep as this structure: one subtree per leaf of `self`.

        Args:
          tree: a pytree that has this structure as a prefix.

        Returns:
          The subtrees of `tree` at this structure's leaves, in leaf order.

        Raises:
          ValueError: naming the key path where `tree` and this structure disagree.

        Example:
          >>> tree_structure((0, 0)).flatten_up_to(([1, 2], {'a': 3}))
          [[1, 2], {'a': 3}]
        """
        out = []
        stack = [tree]
        pop = stack.pop
        for kind, aux, n in self._records:
            x = pop()
            if kind is None:
                out.append(x)
                continue
            children = _match_children(kind, aux, n, x)
            if children is None:
                raise _prefix_mismatch_error(self, tree)
            stack.extend(reversed(children))
        return out

    def children(self) -> list[PyTreeDef]:
        """The structures of the root's direct children (empty for a leaf)."""
        records = self._records
        out = []
        start = 1
        for _ in range(records[0][2]):
            end = _subtree_end(records, start)
            sub = records[start:end]
            out.append(PyTreeDef(sub, sum(1 for r in sub if r[0] is None)))
            start = end
        return out

    def node_data(self) -> tuple[type, Any] | None:
        """`(node type, aux_data)` of the root, or None when the root is a leaf."""
        kind, aux, _ = self._records[0]
        return None if kind is None else (kind.type, aux)

    def compose(self, inner: PyTreeDef) -> PyTreeDef:
        """The structure made by putting `inner` at every leaf of `self`."""
        records = []
        for record in self._records:
            if record[0] is None:
                records.extend(inner._records)
            else:
                records.append(record)
        return PyTreeDef(tuple(records), self._num_leaves * inner._num_leaves)


def _subtree_end(records: tuple, start: int) -> int:
    """The index just past the subtree whose root record is at `start`."""
    pending, i = 1, start
    while pending:
        pending += records[i][2] - 1
        i += 1
    return i


def _structure_str(records: tuple) -> str:
    out = []
    frames = []  # one [labels, closer, num_children, children_started] per open node
    for kind, aux, n in records:
        if frames:
            frame = frames[-1]
            i = frame[3]
            frame[3] = i + 1
            if i:
                out.append(", ")
            if frame[0] is not None:
                out.append(frame[0][i])
        if kind is None:
            out.append("*")
        else:
            opener, labels, closer = kind.repr_parts(aux, n)
            out.append(opener)
            if n:
                frames.append([labels, closer, n, 0])
                continue
            out.append(closer)
        # A subtree just ended: close every open node whose last child it was.
        while frames and frames[-1][3] == frames[-1][2]:
            out.append(frames.pop()[1])
    return "".join(out)


def _match_children(kind: _NodeKind, aux, n: int, x) -> list | tuple | None:
    """The children of `x` if it is the node described by the record, else None."""
    if kind is _TUPLE or kind is _LIST:
        ok = isinstance(x, kind.type) and len(x) == n
        return x if ok else None
    if kind in _DICT_KINDS:
        keys = _dict_keys(kind, aux)
        if isinstance(x, dict) and len(x) == n and all(map(x.__contains__, keys)):
            return [x[k] for k in keys]
        return None
    if kind is _NONE:
        return () if x is None else None
    if type(x) is not kind.type:
        return None
    children, x_aux = _call_flatten(kind, x)
    if len(children) != n or not (x_aux is aux or x_aux == aux):
        return None
    return children


def _child_keys(kind: _NodeKind, aux, x, n: int) -> list:
    if kind is _TUPLE or kind is _LIST:
        return [SequenceKey(i) for i in range(n)]
    if kind in _DICT_KINDS:
        return [DictKey(k) for k in _dict_keys(kind, aux)]
    return [k for k, _ in kind.flatten_with_keys(x)[0]]


def _prefix_mismatch_error(treedef: PyTreeDef, tree) -> ValueError:
    """Walks again, tracking key paths, to explain where `tree` departs from `treedef`."""
    # Imported here: flattening builds PyTreeDefs, so it imports this module.
    from fneedle.core.tree_flattening import tree_structure

    records = treedef._records
    stack = [((), tree)]
    for i, (kind, aux, n) in enumerate(records):
        path, x = stack.pop()
        if kind is None:
            continue
        children = _match_children(kind, aux, n, x)
        if children is None:
            expected = _truncate(_structure_str(records[i:_subtree_end(records, i)]))
            try:
                actual = _short(tree_structure(tree))
            except (TypeError, ValueError) as e:
                actual = f"not flattenable ({e})"
            where = f"at key path {keystr(path)}" if path else "at the root"
            return ValueError(
                f"Pytree structure mismatch {where}: expected a subtree of structure "
                f"{expected}, but got {_describe_value(x)}{_mismatch_detail(kind, aux, n, x)}. "
                f"The tree must have the structure {_short(treedef)} as a prefix (a '*' "
                f"matches any subtree), but its structure is {actual}.")
        keys = _child_keys(kind, aux, x, n)
        stack.extend(zip(reversed([path + (k,) for k in keys]), reversed(children), strict=True))
    return ValueError(f"Pytree structure mismatch against {_short(treedef)}.")


def _mismatch_detail(kind: _NodeKind, aux, n: int, x) -> str:
    """Why `x` failed to match a node of the same general type, or '' if it is another type."""
    if kind in _DICT_KINDS and isinstance(x, dict):
        aux_keys = _dict_keys(kind, aux)
        keys = set(aux_keys)
        missing, extra = [k for k in aux_keys if k not in x], [k for k in x if k not in keys]
        parts = [f"missing keys {_short(missing)}"] if missing else []
        parts += [f"unexpected keys {_short(extra)}"] if extra else []
        return f" ({', '.join(parts)})" if parts else ""
    if kind.type is type(x) and kind not in (_TUPLE, _LIST, _NONE, *_DICT_KINDS):
        children, x_aux = _call_flatten(kind, x)
        if len(children) != n:
            return f" with {len(children)} children instead of {n}"
        return f" whose aux data {_short(x_aux)} differs from the expected {_short(aux)}"
    return ""


def _describe_value(x) -> str:
    if isinstance(x, dict):
        return f"a {type(x).__name__} with keys {_short(list(x))}"
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of length {len(x)}"
    if x is None:
        return "None"
    return f"a value of type {type(x).__name__}: {_short(x)}"



def treedef_is_leaf(treedef: PyTreeDef) -> bool:
    """True when the structure has a single node: a leaf, or a childless node such as None.

    This matches JAX; use `treedef_is_strict_leaf` to exclude None and empty containers.
    """
    return treedef.num_nodes == 1


def treedef_is_strict_leaf(treedef: PyTreeDef) -> bool:
    """True when the structure is exactly one leaf, `PyTreeDef(*)`."""
    return treedef.num_nodes == 1 and treedef.num_leaves == 1


def treedef_children(treedef: PyTreeDef) -> list[PyTreeDef]:
    """The structures of the root's direct children.

    Example:
      >>> treedef_children(tree_structure((1, [2, 3])))
      [PyTreeDef(*), PyTreeDef([*, *])]
    """
    return treedef.children()


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
    """The structure of a tuple whose children have the given structures.

    Example:
      >>> treedef_tuple([tree_structure(1), tree_structure([1, 2])])
      PyTreeDef((*, [*, *]))
    """
    treedefs = list(treedefs)
    records = [(_TUPLE, None, len(treedefs))]
    for td in treedefs:
        records.extend(td._records)
    return PyTreeDef(tuple(records), sum(td.num_leaves for td in treedefs))
