"""Registering classes as pytree nodes: flatten/unflatten pairs, keyed children, classes with
tree_flatten methods, and dataclasses."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable

from fneedle.core.tree_keys import FlattenedIndexKey, GetAttrKey
from fneedle.core.tree_node_kinds import _register_kind


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
    _register_kind(nodetype, flatten_func, unflatten_func, flatten_with_keys_func)


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
    _register_kind(nodetype, flatten_func, unflatten_func, flatten_with_keys)


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

    _register_kind(nodetype, flatten, unflatten, flatten_with_keys)
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

