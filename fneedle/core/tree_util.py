"""Pytrees: nested containers flattened to a list of leaves plus a hashable PyTreeDef, and back.

Mirrors `jax.tree_util`. Every walk uses an explicit stack, so trees nested 10,000 deep work.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import Any

from fneedle.core.tree_keys import (
    DictKey,
    FlattenedIndexKey,
    GetAttrKey,
    KeyPath,
    SequenceKey,
    keystr,
)

__all__ = [
    "PyTreeDef", "SequenceKey", "DictKey", "GetAttrKey", "FlattenedIndexKey", "keystr",
    "register_pytree_node", "register_pytree_with_keys", "register_pytree_node_class",
    "register_dataclass", "tree_flatten", "tree_unflatten", "tree_leaves", "tree_structure",
    "tree_map", "tree_flatten_with_path", "tree_leaves_with_path", "tree_map_with_path",
    "tree_transpose", "tree_all", "tree_reduce", "treedef_is_leaf", "treedef_is_strict_leaf",
    "all_leaves", "treedef_children", "treedef_tuple", "broadcast_prefix",
]

_MISSING = object()  # "argument not given", where None is a meaningful value


# ---------------------------------------------------------------------------------------------
# Node kinds and the registry
# ---------------------------------------------------------------------------------------------

class _NodeKind:
    """How one node type splits into (children, aux_data), is rebuilt, names children, prints.

    `repr_parts(aux, n)` returns (opener, per-child labels or None, closer) for PyTreeDef's repr.
    """

    __slots__ = ("type", "flatten", "unflatten", "flatten_with_keys", "repr_parts")

    def __init__(self, type_, flatten, unflatten, flatten_with_keys, repr_parts):
        self.type = type_
        self.flatten = flatten
        self.unflatten = unflatten
        self.flatten_with_keys = flatten_with_keys
        self.repr_parts = repr_parts

    def __repr__(self):
        return f"_NodeKind({self.type.__name__})"


def _sorted_keys(d: dict) -> tuple:
    try:
        return tuple(sorted(d))
    except TypeError as e:
        raise ValueError(
            f"A dict in a pytree has keys that cannot be sorted against each other "
            f"({_short(list(d))}): {e}. Pytrees order dict children by sorted key, so use keys "
            f"of one comparable type, or use a collections.OrderedDict to keep insertion order."
        ) from None


def _dict_labels(keys) -> list:
    return [f"{k!r}: " for k in keys]


def _fn_name(f) -> str:
    return getattr(f, "__name__", None) or repr(f)


def _dict_flatten(x):
    keys = _sorted_keys(x)
    return [x[k] for k in keys], keys


def _dict_flatten_with_keys(x):
    keys = _sorted_keys(x)
    return [(DictKey(k), x[k]) for k in keys], keys


def _default_dict_flatten(x):
    children, keys = _dict_flatten(x)
    return children, (x.default_factory, keys)


def _default_dict_flatten_with_keys(x):
    key_children, keys = _dict_flatten_with_keys(x)
    return key_children, (x.default_factory, keys)


_TUPLE = _NodeKind(
    tuple, lambda x: (x, None), lambda aux, ch: tuple(ch),
    lambda x: ([(SequenceKey(i), c) for i, c in enumerate(x)], None),
    lambda aux, n: ("(", None, ",)" if n == 1 else ")"))
_LIST = _NodeKind(
    list, lambda x: (x, None), lambda aux, ch: list(ch),
    lambda x: ([(SequenceKey(i), c) for i, c in enumerate(x)], None),
    lambda aux, n: ("[", None, "]"))
_DICT = _NodeKind(
    dict, _dict_flatten, lambda keys, ch: dict(zip(keys, ch, strict=True)), _dict_flatten_with_keys,
    lambda keys, n: ("{", _dict_labels(keys), "}"))
_NONE = _NodeKind(
    type(None), lambda x: ((), None), lambda aux, ch: None, lambda x: ((), None),
    lambda aux, n: ("None", None, ""))
_ORDERED_DICT = _NodeKind(
    collections.OrderedDict, lambda x: (list(x.values()), tuple(x)),
    lambda keys, ch: collections.OrderedDict(zip(keys, ch, strict=True)),
    lambda x: ([(DictKey(k), v) for k, v in x.items()], tuple(x)),
    lambda keys, n: ("OrderedDict({", _dict_labels(keys), "})"))
# A defaultdict's aux data is (default_factory, sorted keys).
_DEFAULT_DICT = _NodeKind(
    collections.defaultdict, _default_dict_flatten,
    lambda aux, ch: collections.defaultdict(aux[0], zip(aux[1], ch, strict=True)),
    _default_dict_flatten_with_keys,
    lambda aux, n: (f"defaultdict({_fn_name(aux[0])}, {{", _dict_labels(aux[1]), "})"))
_DICT_KINDS = (_DICT, _ORDERED_DICT, _DEFAULT_DICT)

_BUILTIN_KINDS = {k.type: k for k in (_TUPLE, _LIST, _DICT, _NONE, _ORDERED_DICT, _DEFAULT_DICT)}
_registered: dict[type, _NodeKind] = dict(_BUILTIN_KINDS)  # built-ins plus register_* calls
# type -> kind, or None for a leaf type. Also caches namedtuple kinds and leaf types seen.
_kinds: dict[type, _NodeKind | None] = dict(_registered)
_KINDS_CACHE_LIMIT = 4096  # bounds the cache when many classes are made at run time
_namedtuple_kinds: dict[type, _NodeKind] = {}


def _namedtuple_kind(cls: type) -> _NodeKind:
    name = cls.__name__
    return _NodeKind(
        cls, lambda x: (x, None), lambda aux, ch: cls(*ch),
        lambda x: ([(GetAttrKey(f), c) for f, c in zip(x._fields, x, strict=True)], None),
        lambda aux, n: (f"{name}(", [f"{f}=" for f in cls._fields], ")"))


def _classify(cls: type) -> _NodeKind | None:
    """Finds (and caches) the kind of a type not seen before: a namedtuple class or a leaf."""
    kind = None
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        # Kept apart from the clearable cache: one kind object per class keeps treedefs equal.
        kind = _namedtuple_kinds.get(cls)
        if kind is None:
            kind = _namedtuple_kinds[cls] = _namedtuple_kind(cls)
    if len(_kinds) > _KINDS_CACHE_LIMIT:
        _kinds.clear()
        _kinds.update(_registered)
    _kinds[cls] = kind
    return kind


def _kind_of(x) -> _NodeKind | None:
    kind = _kinds.get(type(x), _MISSING)
    return _classify(type(x)) if kind is _MISSING else kind


def _register(cls, flatten, unflatten, flatten_with_keys) -> None:
    if not isinstance(cls, type):
        raise TypeError(f"Only classes can be registered as pytree nodes, but got {cls!r}. "
                        f"Pass the class itself, not an instance of it.")
    if cls in _registered:
        raise ValueError(f"Duplicate pytree node registration: {cls.__qualname__} is already "
                         f"registered as a pytree node type. Register each type only once.")
    name = cls.__name__
    kind = _NodeKind(cls, flatten, unflatten, flatten_with_keys,
                     lambda aux, n: (f"CustomNode({name}[{aux!r}], [", None, "])"))
    _registered[cls] = kind
    _kinds[cls] = kind


def register_pytree_node(nodetype: type, flatten_func: Callable, unflatten_func: Callable,
                         flatten_with_keys_func: Callable | None = None) -> None:
    """Makes instances of `nodetype` pytree nodes instead of leaves.

    Args:
      nodetype: the class to register (exact type; subclasses are not included).
      flatten_func: `obj -> (children, aux_data)`; aux_data must be hashable and comparable.
      unflatten_func: `(aux_data, children) -> obj`; children arrive as a tuple.
      flatten_with_keys_func: optional `obj -> ([(key, child), ...], aux_data)`; without it,
        children get `FlattenedIndexKey(i)` keys.

    Example:
      >>> class Pair:
      ...     def __init__(self, a, b): self.a, self.b = a, b
      >>> register_pytree_node(Pair, lambda p: ((p.a, p.b), None), lambda _, ch: Pair(*ch))
      >>> tree_leaves(Pair(1, [2, 3]))
      [1, 2, 3]
    """
    if flatten_with_keys_func is None:
        def flatten_with_keys_func(x):
            children, aux = flatten_func(x)
            return [(FlattenedIndexKey(i), c) for i, c in enumerate(children)], aux
    _register(nodetype, flatten_func, unflatten_func, flatten_with_keys_func)


def register_pytree_with_keys(nodetype: type, flatten_with_keys: Callable,
                              unflatten_func: Callable, flatten_func: Callable | None = None):
    """Registers a pytree node type whose children have their own key path entries.

    Args:
      nodetype: the class to register.
      flatten_with_keys: `obj -> ([(key, child), ...], aux_data)`.
      unflatten_func: `(aux_data, children) -> obj`.
      flatten_func: optional faster `obj -> (children, aux_data)`; derived if not given.

    Example:
      >>> class Pair:
      ...     def __init__(self, a, b): self.a, self.b = a, b
      >>> register_pytree_with_keys(
      ...     Pair, lambda p: (((GetAttrKey('a'), p.a), (GetAttrKey('b'), p.b)), None),
      ...     lambda _, ch: Pair(*ch))
      >>> [keystr(path) for path, _ in tree_leaves_with_path(Pair(1, 2))]
      ['.a', '.b']
    """
    if flatten_func is None:
        def flatten_func(x):
            key_children, aux = flatten_with_keys(x)
            return [c for _, c in key_children], aux
    _register(nodetype, flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_node_class(cls: type) -> type:
    """Class decorator: registers `cls` using its `tree_flatten` and `tree_unflatten` methods.

    Args:
      cls: a class with `tree_flatten(self) -> (children, aux_data)` and a classmethod
        `tree_unflatten(cls, aux_data, children)`.

    Returns:
      `cls`, unchanged.

    Example:
      >>> @register_pytree_node_class
      ... class Pair:
      ...     def tree_flatten(self): return (self.a, self.b), None
      ...     @classmethod
      ...     def tree_unflatten(cls, aux, children): return cls(*children)
    """
    register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)
    return cls


def register_dataclass(nodetype: type | None = None, data_fields: Iterable[str] | None = None,
                       meta_fields: Iterable[str] | None = None):
    """Registers a dataclass as a pytree node; works as a bare decorator.

    Data fields are children; meta fields are hashable aux data (static, part of the PyTreeDef).
    Without explicit lists, a field is meta if declared `field(metadata=dict(static=True))`.
    Unflattening rebuilds the object without calling `__init__`/`__post_init__`, so checks in
    those never see the placeholder values that transformations put in the leaves.

    Args:
      nodetype: the class; leave it out to get a decorator taking the other arguments.
      data_fields: names of fields that hold children.
      meta_fields: names of fields that go into the aux data.

    Returns:
      `nodetype`, unchanged.

    Example:
      >>> @register_dataclass
      ... @dataclasses.dataclass(frozen=True)
      ... class Linear:
      ...     w: Any
      ...     activation: str = dataclasses.field(default="relu", metadata=dict(static=True))
    """
    if nodetype is None:
        return functools.partial(register_dataclass, data_fields=data_fields,
                                 meta_fields=meta_fields)
    data, meta = _dataclass_field_names(nodetype, data_fields, meta_fields)
    set_attr = object.__setattr__  # also works on frozen dataclasses

    def flatten(x):
        return [getattr(x, n) for n in data], tuple(getattr(x, n) for n in meta)

    def flatten_with_keys(x):
        return [(GetAttrKey(n), getattr(x, n)) for n in data], tuple(getattr(x, n) for n in meta)

    def unflatten(meta_values, children):
        obj = object.__new__(nodetype)
        for name, value in zip(meta, meta_values, strict=True):
            set_attr(obj, name, value)
        for name, value in zip(data, children, strict=True):
            set_attr(obj, name, value)
        return obj

    _register(nodetype, flatten, unflatten, flatten_with_keys)
    return nodetype


def _dataclass_field_names(cls, data_fields, meta_fields) -> tuple[tuple, tuple]:
    is_dc = dataclasses.is_dataclass(cls)
    if data_fields is None and meta_fields is None:
        if not is_dc:
            raise TypeError(f"register_dataclass needs a dataclass, but {cls.__qualname__} is "
                            f"not one. Apply @dataclasses.dataclass first (register_dataclass "
                            f"goes above it), or pass data_fields= and meta_fields= explicitly.")
        fields = dataclasses.fields(cls)
        meta = tuple(f.name for f in fields if f.metadata.get("static", False))
        return tuple(f.name for f in fields if f.name not in meta), meta
    data, meta = tuple(data_fields or ()), tuple(meta_fields or ())
    if set(data) & set(meta) or len(set(data)) != len(data) or len(set(meta)) != len(meta):
        raise ValueError(f"register_dataclass for {cls.__qualname__}: data_fields {list(data)} "
                         f"and meta_fields {list(meta)} must name each field exactly once.")
    if is_dc:
        names = {f.name for f in dataclasses.fields(cls)}
        missing, unknown = names - set(data) - set(meta), (set(data) | set(meta)) - names
        if missing or unknown:
            raise ValueError(
                f"register_dataclass for {cls.__qualname__}: every dataclass field must be in "
                f"exactly one of data_fields and meta_fields; missing {sorted(missing)}, not "
                f"fields of the class {sorted(unknown)}.")
    return data, meta


# ---------------------------------------------------------------------------------------------
# PyTreeDef
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Flattening and unflattening
# ---------------------------------------------------------------------------------------------

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


def _call_flatten(kind: _NodeKind, x) -> tuple[list | tuple, Any]:
    result = kind.flatten(x)
    try:
        children, aux = result
    except (TypeError, ValueError):
        raise TypeError(f"The flatten function registered for {kind.type.__qualname__} must "
                        f"return a pair (children, aux_data), but it returned "
                        f"{_short(result)}.") from None
    if type(children) is not list and type(children) is not tuple:
        children = list(children)
    return children, aux


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


# ---------------------------------------------------------------------------------------------
# Mapping over trees
# ---------------------------------------------------------------------------------------------

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


def _match_children(kind: _NodeKind, aux, n: int, x) -> list | tuple | None:
    """The children of `x` if it is the node described by the record, else None."""
    if kind is _TUPLE or kind is _LIST:
        ok = isinstance(x, kind.type) and len(x) == n
        return x if ok else None
    if kind in _DICT_KINDS:
        keys = aux[1] if kind is _DEFAULT_DICT else aux
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
        return [DictKey(k) for k in (aux[1] if kind is _DEFAULT_DICT else aux)]
    return [k for k, _ in kind.flatten_with_keys(x)[0]]


def _prefix_mismatch_error(treedef: PyTreeDef, tree) -> ValueError:
    """Walks again, tracking key paths, to explain where `tree` departs from `treedef`."""
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
        aux_keys = aux[1] if kind is _DEFAULT_DICT else aux
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


def _truncate(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _short(x, limit: int = 200) -> str:
    return _truncate(repr(x), limit)


# ---------------------------------------------------------------------------------------------
# Other tree utilities
# ---------------------------------------------------------------------------------------------

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
