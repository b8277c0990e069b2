"""Pytree node kinds: how each container type splits into children and is rebuilt.

The table behind every flatten: built-in kinds (tuple, list, dict, None, OrderedDict,
defaultdict), namedtuples found on first sight, and the classes added by registration.
"""

from __future__ import annotations

import collections
from typing import Any

from fneedle.core.tree_keys import DictKey, GetAttrKey, SequenceKey

_MISSING = object()  # "argument not given", where None is a meaningful value


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


def _dict_keys(kind: _NodeKind, aux) -> tuple:
    """The keys, in child order, of a dict-like node's record."""
    return aux[1] if kind is _DEFAULT_DICT else aux


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


def _register_kind(cls, flatten, unflatten, flatten_with_keys) -> None:
    """Adds a class to the table; the public register_* functions all end here."""
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


# Error messages quote values through these, so one huge value cannot swamp the message.
def _truncate(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _short(x, limit: int = 200) -> str:
    return _truncate(repr(x), limit)
