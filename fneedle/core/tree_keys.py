"""Key path entries that name where a leaf sits in a pytree (`[0]`, `['a']`, `.name`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable
from typing import Any


@dataclasses.dataclass(frozen=True, slots=True)
class SequenceKey:
    """The child at position `idx` of a tuple, list or namedtuple-like sequence."""

    idx: int

    def __str__(self) -> str:
        return f"[{self.idx!r}]"


@dataclasses.dataclass(frozen=True, slots=True)
class DictKey:
    """The child stored under `key` in a dict, OrderedDict or defaultdict."""

    key: Hashable

    def __str__(self) -> str:
        return f"[{self.key!r}]"


@dataclasses.dataclass(frozen=True, slots=True)
class GetAttrKey:
    """The child stored in attribute `name` (namedtuple fields, dataclass fields)."""

    name: str

    def __str__(self) -> str:
        return f".{self.name}"


@dataclasses.dataclass(frozen=True, slots=True)
class FlattenedIndexKey:
    """The `key`-th child of a registered node type that gave no keys of its own."""

    key: int

    def __str__(self) -> str:
        return f"[<flat index {self.key}>]"


KeyEntry = Any  # one of the classes above, or any key a registered flatten_with_keys returns
KeyPath = tuple  # a tuple of KeyEntry, outermost first


def _simple_str(key: KeyEntry) -> str:
    if isinstance(key, SequenceKey):
        return str(key.idx)
    if isinstance(key, DictKey):
        return str(key.key)
    if isinstance(key, GetAttrKey):
        return key.name
    if isinstance(key, FlattenedIndexKey):
        return str(key.key)
    return str(key)


def keystr(keys: Iterable[KeyEntry], *, simple: bool = False, separator: str = "") -> str:
    """Renders a key path as text.

    Args:
      keys: a key path, as found in `tree_flatten_with_path` results.
      simple: if True, print bare indices, keys and names (`0`, `a`) instead of `[0]`, `['a']`.
      separator: text placed between entries.

    Returns:
      The key path as one string; the empty path gives `''`.

    Example:
      >>> keystr((DictKey('a'), SequenceKey(0), GetAttrKey('w')))
      "['a'][0].w"
    """
    return separator.join(_simple_str(k) if simple else str(k) for k in keys)
