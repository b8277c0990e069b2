"""Tests for fneedle.core.tree_util: node kinds, registration, key paths, maps and deep trees."""

import collections
import copy
import dataclasses
from typing import Any, NamedTuple

import pytest

import fneedle.core.tree_util as tu
from fneedle.core.tree_util import DictKey, FlattenedIndexKey, GetAttrKey, SequenceKey

# ---------------------------------------------------------------------------------------------
# Node types used below (registered once, at import)
# ---------------------------------------------------------------------------------------------

class Point(NamedTuple):
    x: Any
    y: Any


OtherPoint = collections.namedtuple("OtherPoint", ["x", "y"])


class Box:
    """A plain class registered with register_pytree_node (no keys)."""

    def __init__(self, contents, label):
        self.contents, self.label = contents, label

    def __eq__(self, other):
        return type(other) is Box and (self.contents, self.label) == (other.contents, other.label)


tu.register_pytree_node(Box, lambda b: (list(b.contents), b.label),
                        lambda label, children: Box(list(children), label))


class Pair:
    """A class registered with keys."""

    def __init__(self, left, right):
        self.left, self.right = left, right


tu.register_pytree_with_keys(
    Pair, lambda p: (((GetAttrKey("left"), p.left), (GetAttrKey("right"), p.right)), None),
    lambda _, children: Pair(*children))


@tu.register_pytree_node_class
class Wrapper:
    def __init__(self, value, tag):
        self.value, self.tag = value, tag

    def tree_flatten(self):
        return (self.value,), self.tag

    @classmethod
    def tree_unflatten(cls, tag, children):
        return cls(children[0], tag)


@tu.register_dataclass
@dataclasses.dataclass(frozen=True)
class Linear:
    w: Any
    b: Any
    activation: str = dataclasses.field(default="relu", metadata=dict(static=True))

    def __post_init__(self):
        if self.activation not in ("relu", "tanh"):
            raise ValueError("bad activation")


@tu.register_dataclass(data_fields=["value"], meta_fields=["name"])
@dataclasses.dataclass
class Named:
    value: Any
    name: str


def roundtrip(tree, **kwargs):
    leaves, treedef = tu.tree_flatten(tree, **kwargs)
    return leaves, treedef, tu.tree_unflatten(treedef, leaves)


def deep_list(depth):
    t = []
    for _ in range(depth):
        t = [t, 1]
    return t


def deep_dict(depth):
    d = {}
    for _ in range(depth):
        d = {"b": 1, "a": d}
    return d


# ---------------------------------------------------------------------------------------------
# Round trips and node kinds
# ---------------------------------------------------------------------------------------------

ROUND_TRIP_CASES = [
    1, "leaf", (), [], {}, None, (1,), [1, (2, 3)], {"b": 1, "a": [2, 3]},
    Point(1, [2, 3]), OtherPoint((1,), None),
    collections.OrderedDict([("z", 1), ("a", (2, 3))]),
    collections.defaultdict(list, {"b": [1], "a": None}), Box([1, (2, 3)], "label"),
    Linear(1.0, [2.0, 3.0], "tanh"), Named({"v": 1}, "name"),
    {"x": [None, (), {"y": Point(4, 5)}], "w": collections.OrderedDict(k=[6])},
]


@pytest.mark.parametrize("tree", ROUND_TRIP_CASES, ids=repr)
def test_round_trip(tree):
    leaves, treedef, rebuilt = roundtrip(tree)
    assert rebuilt == tree
    assert type(rebuilt) is type(tree)
    assert tu.tree_structure(rebuilt) == treedef
    assert treedef.num_leaves == len(leaves)
    assert treedef.unflatten(leaves) == tree


def test_leaf_order_and_counts():
    tree = {"b": [1, (2, 3)], "a": 0, "c": None}
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == [0, 1, 2, 3]
    assert treedef.num_leaves == 4
    assert treedef.num_nodes == 8  # dict, leaf, list, leaf, tuple, leaf, leaf, None
    assert tu.tree_leaves(tree) == leaves


def test_dict_keys_are_sorted():
    leaves, treedef, rebuilt = roundtrip({"b": 1, "c": 2, "a": 3})
    assert leaves == [3, 1, 2]
    assert list(rebuilt) == ["a", "b", "c"]
    assert repr(treedef) == "PyTreeDef({'a': *, 'b': *, 'c': *})"
    assert tu.tree_structure({"a": 0, "b": 0}) == tu.tree_structure({"b": 0, "a": 0})


def test_unsortable_dict_keys_explain_the_fix():
    with pytest.raises(ValueError, match="OrderedDict"):
        tu.tree_flatten({1: "a", "b": 2})


def test_ordered_dict_keeps_insertion_order():
    tree = collections.OrderedDict([("b", 1), ("a", 2)])
    leaves, treedef, rebuilt = roundtrip(tree)
    assert leaves == [1, 2]
    assert type(rebuilt) is collections.OrderedDict and list(rebuilt) == ["b", "a"]
    assert treedef != tu.tree_structure(collections.OrderedDict([("a", 1), ("b", 2)]))
    assert treedef != tu.tree_structure({"b": 1, "a": 2})


def test_defaultdict_keeps_factory_and_sorts_keys():
    tree = collections.defaultdict(list, {"b": 1, "a": 2})
    leaves, treedef, rebuilt = roundtrip(tree)
    assert leaves == [2, 1]
    assert type(rebuilt) is collections.defaultdict
    assert rebuilt.default_factory is list
    assert list(rebuilt) == ["a", "b"]
    assert treedef != tu.tree_structure(collections.defaultdict(set, {"b": 1, "a": 2}))
    assert repr(treedef) == "PyTreeDef(defaultdict(list, {'a': *, 'b': *}))"


def test_namedtuple_classes_are_distinct_node_types():
    p_def = tu.tree_structure(Point(1, 2))
    assert repr(p_def) == "PyTreeDef(Point(x=*, y=*))"
    assert p_def != tu.tree_structure(OtherPoint(1, 2))
    assert p_def != tu.tree_structure((1, 2))
    assert tu.tree_map(lambda v: v * 10, Point(1, (2,))) == Point(10, (20,))


def test_none_is_an_empty_node_not_a_leaf():
    assert tu.tree_leaves([None, 1, {"a": None}]) == [1]
    none_def = tu.tree_structure(None)
    assert none_def.num_leaves == 0 and none_def.num_nodes == 1
    assert repr(none_def) == "PyTreeDef(None)"
    assert tu.tree_unflatten(none_def, []) is None
    assert tu.tree_map(lambda x: x + 1, [None, 1]) == [None, 2]
    assert tu.treedef_is_leaf(none_def) and not tu.treedef_is_strict_leaf(none_def)
    assert tu.tree_leaves([None, 1], is_leaf=lambda x: x is None) == [None, 1]


def test_unregistered_types_and_subclasses_are_leaves():
    class MyTuple(tuple):
        pass

    class MyDict(dict):
        pass

    tree = [MyTuple((1, 2)), MyDict(a=1), "str", b"bytes", 3.5, object]
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == tree
    assert repr(treedef) == "PyTreeDef([*, *, *, *, *, *])"
    assert tu.tree_structure(1) == tu.tree_structure("anything")
    assert tu.treedef_is_strict_leaf(tu.tree_structure(1))


@pytest.mark.parametrize("tree, text", [
    (1, "PyTreeDef(*)"),
    ((), "PyTreeDef(())"),
    ((1,), "PyTreeDef((*,))"),
    ([1, [2, []]], "PyTreeDef([*, [*, []]])"),
    ({"a": 1, "b": [2, 3]}, "PyTreeDef({'a': *, 'b': [*, *]})"),
    (collections.OrderedDict(z=1, a=None), "PyTreeDef(OrderedDict({'z': *, 'a': None}))"),
    (Box([1, 2], "lbl"), "PyTreeDef(CustomNode(Box['lbl'], [*, *]))"),
])
def test_repr(tree, text):
    assert repr(tu.tree_structure(tree)) == text


# ---------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------

def test_registered_class_round_trip_and_paths():
    tree = {"box": Box([1, (2, 3)], "lbl")}
    leaves, treedef, rebuilt = roundtrip(tree)
    assert leaves == [1, 2, 3]
    assert rebuilt == tree
    assert treedef != tu.tree_structure({"box": Box([1, (2, 3)], "other")})
    paths = [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(tree)]
    assert paths == ["['box'][<flat index 0>]", "['box'][<flat index 1>][0]",
                     "['box'][<flat index 1>][1]"]


def test_register_with_keys_uses_its_keys():
    tree = Pair(1, [2])
    pairs = tu.tree_leaves_with_path(tree)
    assert [p for p, _ in pairs] == [(GetAttrKey("left"),), (GetAttrKey("right"), SequenceKey(0))]
    rebuilt = tu.tree_map(lambda x: x + 1, tree)
    assert (rebuilt.left, rebuilt.right) == (2, [3])


def test_register_pytree_node_class():
    leaves, treedef, rebuilt = roundtrip(Wrapper([1, 2], "t"))
    assert leaves == [1, 2]
    assert type(rebuilt) is Wrapper and rebuilt.value == [1, 2] and rebuilt.tag == "t"
    assert repr(treedef) == "PyTreeDef(CustomNode(Wrapper['t'], [[*, *]]))"


@pytest.mark.parametrize("cls", [Box, Linear, tuple, dict, type(None)])
def test_duplicate_registration_names_the_type(cls):
    with pytest.raises(ValueError, match=cls.__qualname__):
        tu.register_pytree_node(cls, lambda x: ((), None), lambda aux, ch: None)


def test_register_rejects_non_classes():
    with pytest.raises(TypeError, match="class itself"):
        tu.register_pytree_node(Box([], ""), lambda x: ((), None), lambda aux, ch: None)


def test_bad_flatten_function_is_explained():
    class Bad:
        pass

    tu.register_pytree_node(Bad, lambda x: [1, 2, 3], lambda aux, ch: Bad())
    with pytest.raises(TypeError, match="must return a pair"):
        tu.tree_flatten(Bad())


def test_dataclass_round_trip_with_static_field():
    model = {"layer": Linear(w=1.0, b=2.0, activation="tanh")}
    leaves, treedef, rebuilt = roundtrip(model)
    assert leaves == [1.0, 2.0]  # data fields in declaration order: w, b
    assert rebuilt == model
    assert treedef.node_data()[0] is dict
    assert treedef.children()[0].node_data() == (Linear, ("tanh",))
    assert treedef != tu.tree_structure({"layer": Linear(1.0, 2.0, "relu")})
    same = tu.tree_structure({"layer": Linear(5.0, 6.0, "tanh")})
    assert treedef == same and hash(treedef) == hash(same)
    paths = [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(model)]
    assert paths == ["['layer'].w", "['layer'].b"]


def test_dataclass_unflatten_skips_post_init():
    # Transformations put placeholders in the leaves; __post_init__ checks must not see them.
    treedef = tu.tree_structure(Linear(1.0, 2.0))
    rebuilt = treedef.unflatten([object(), None])
    assert rebuilt.activation == "relu" and rebuilt.b is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        rebuilt.w = 3


def test_dataclass_explicit_fields():
    leaves, treedef, rebuilt = roundtrip(Named([1, 2], "n"))
    assert leaves == [1, 2]
    assert rebuilt == Named([1, 2], "n")
    assert treedef != tu.tree_structure(Named([1, 2], "m"))


def test_dataclass_field_errors():
    @dataclasses.dataclass
    class Two:
        a: Any
        b: Any

    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        tu.register_dataclass(Two, data_fields=["a"], meta_fields=[])
    with pytest.raises(ValueError, match="exactly once"):
        tu.register_dataclass(Two, data_fields=["a", "b"], meta_fields=["a"])

    class NotADataclass:
        pass

    with pytest.raises(TypeError, match="dataclasses.dataclass"):
        tu.register_dataclass(NotADataclass)


def test_unhashable_static_field_fails_to_hash_with_explanation():
    treedef = tu.tree_structure(Named(1, ["unhashable"]))
    with pytest.raises(TypeError, match="hashable"):
        hash(treedef)


# ---------------------------------------------------------------------------------------------
# Key paths
# ---------------------------------------------------------------------------------------------

def test_key_classes_print_like_jax():
    assert str(SequenceKey(0)) == "[0]"
    assert str(DictKey("a")) == "['a']"
    assert str(GetAttrKey("name")) == ".name"
    assert str(FlattenedIndexKey(2)) == "[<flat index 2>]"
    assert repr(SequenceKey(0)) == "SequenceKey(idx=0)"
    assert SequenceKey(1) == SequenceKey(1) and hash(DictKey("a")) == hash(DictKey("a"))
    assert DictKey("a") != GetAttrKey("a")


def test_flatten_with_path_and_keystr():
    tree = {"a": [1, Point(2, 3)], "b": (4,)}
    pairs, treedef = tu.tree_flatten_with_path(tree)
    assert treedef == tu.tree_structure(tree)
    assert [x for _, x in pairs] == [1, 2, 3, 4]
    assert pairs[1][0] == (DictKey("a"), SequenceKey(1), GetAttrKey("x"))
    assert [tu.keystr(p) for p, _ in pairs] == ["['a'][0]", "['a'][1].x", "['a'][1].y", "['b'][0]"]
    assert tu.keystr(pairs[1][0], simple=True, separator="/") == "a/1/x"
    assert tu.keystr(()) == ""
    assert tu.tree_leaves_with_path(tree) == pairs


def test_tree_map_with_path():
    out = tu.tree_map_with_path(lambda p, x, y: (tu.keystr(p), x + y), {"a": 1, "b": [2]},
                                {"a": 10, "b": [20]})
    assert out == {"a": ("['a']", 11), "b": [("['b'][0]", 22)]}


# ---------------------------------------------------------------------------------------------
# tree_map, is_leaf, prefixes
# ---------------------------------------------------------------------------------------------

def test_tree_map_over_several_trees():
    a = {"x": 1, "y": (2, 3)}
    b = {"x": 10, "y": (20, 30)}
    c = {"y": (200, 300), "x": 100}
    assert tu.tree_map(lambda *v: sum(v), a, b, c) == {"x": 111, "y": (222, 333)}


def test_tree_map_rest_may_be_deeper():
    # The first tree is a prefix of the second: f receives whole subtrees of the second.
    out = tu.tree_map(lambda axis, sub: (axis, sub), (0, 1), ([1, 2], {"k": 3}))
    assert out == ((0, [1, 2]), (1, {"k": 3}))


def test_tree_map_mismatch_names_path_and_structures():
    with pytest.raises(ValueError) as info:
        tu.tree_map(lambda x, y: x, {"a": 1, "b": [1, 2]}, {"a": 1, "b": (1, 2)})
    message = str(info.value)
    assert "rest[0]" in message
    assert "at key path ['b']" in message
    assert "PyTreeDef({'a': *, 'b': [*, *]})" in message
    assert "PyTreeDef({'a': *, 'b': (*, *)})" in message

    with pytest.raises(ValueError, match=r"missing keys \['b'\], unexpected keys \['c'\]"):
        tu.tree_map(lambda x, y: x, {"a": 1, "b": 2}, {"a": 1, "c": 2})
    with pytest.raises(ValueError, match=r"at key path \[1\]: .* list of length 3"):
        tu.tree_map(lambda x, y: x, [1, [2, 3]], [1, [2, 3, 4]])
    with pytest.raises(ValueError, match="at key path .*aux data"):
        tu.tree_map(lambda x, y: x, [Box([1], "a")], [Box([1], "b")])


def test_is_leaf_stops_descent():
    tree = {"a": (1, 2), "b": [(3, 4), 5]}
    is_pair = lambda x: isinstance(x, tuple)  # noqa: E731
    leaves, treedef = tu.tree_flatten(tree, is_leaf=is_pair)
    assert leaves == [(1, 2), (3, 4), 5]
    assert repr(treedef) == "PyTreeDef({'a': *, 'b': [*, *]})"
    assert tu.tree_map(lambda x: x if isinstance(x, int) else sum(x), tree,
                       is_leaf=is_pair) == {"a": 3, "b": [7, 5]}
    assert tu.tree_leaves(tree, is_leaf=lambda x: x is tree) == [tree]


def test_flatten_up_to():
    treedef = tu.tree_structure((0, {"a": 0}))
    assert treedef.flatten_up_to(([1, 2], {"a": (3,)})) == [[1, 2], (3,)]
    with pytest.raises(ValueError, match=r"at key path \[1\]: .*structure \{'a': \*\}") as info:
        treedef.flatten_up_to(([1, 2], {"a": (3,), "b": 4}))
    assert "unexpected keys ['b']" in str(info.value)
    with pytest.raises(ValueError, match="at the root"):
        treedef.flatten_up_to([1, {"a": 2}])


def test_broadcast_prefix():
    assert tu.broadcast_prefix((0, 1), ([1, 2], {"a": 3, "b": (4, 5)})) == [0, 0, 1, 1, 1]
    # vmap-style in_axes: None is a prefix leaf that covers a whole argument.
    args = ({"w": 1, "b": 2}, [3, 4])
    assert tu.broadcast_prefix((None, 0), args, is_leaf=lambda x: x is None) == [None, None, 0, 0]
    assert tu.broadcast_prefix(0, args) == [0, 0, 0, 0]
    with pytest.raises(ValueError, match=r"prefix_tree is not a prefix.*at key path \[1\]"):
        tu.broadcast_prefix((0, (1, 2)), args)


def test_tree_transpose():
    outer = tu.tree_structure([0, 0, 0])
    inner = tu.tree_structure({"a": 0, "b": 0})
    tree = [{"a": 1, "b": 2}, {"a": 3, "b": 4}, {"a": 5, "b": 6}]
    expected = {"a": [1, 3, 5], "b": [2, 4, 6]}
    assert tu.tree_transpose(outer, inner, tree) == expected
    assert tu.tree_transpose(outer, None, tree) == expected
    assert tu.tree_transpose(inner, outer, expected) == tree
    with pytest.raises(ValueError, match="tree_transpose expected"):
        tu.tree_transpose(outer, tu.tree_structure((0, 0)), tree)


# ---------------------------------------------------------------------------------------------
# PyTreeDef and small utilities
# ---------------------------------------------------------------------------------------------

def test_treedef_equality_and_hash():
    a = tu.tree_structure({"x": [1, 2], "y": (3,)})
    b = tu.tree_structure({"y": ("other",), "x": [0, "leaf"]})
    assert a == b and hash(a) == hash(b)
    assert {a: "cached"}[b] == "cached"
    assert tu.tree_structure([1, 2]) != tu.tree_structure((1, 2))
    assert tu.tree_structure({"a": 1}) != tu.tree_structure({"b": 1})
    assert tu.tree_structure([1, None]) != tu.tree_structure([1, 2])
    assert tu.tree_structure((1, 2)) != (1, 2)
    assert copy.copy(a) is a and copy.deepcopy(a) is a


def test_unflatten_wrong_leaf_count_names_both_counts():
    treedef = tu.tree_structure((1, 2, 3))
    with pytest.raises(ValueError, match=r"got 2, but .* has 3"):
        tu.tree_unflatten(treedef, [1, 2])
    assert tu.tree_unflatten(treedef, iter("abc")) == ("a", "b", "c")


def test_unflatten_does_not_alias_leaves_list():
    leaves = [1, 2]
    rebuilt = tu.tree_unflatten(tu.tree_structure([0, 0]), leaves)
    assert rebuilt == leaves and rebuilt is not leaves


def test_children_tuple_and_compose():
    treedef = tu.tree_structure((1, [2, 3], None))
    children = tu.treedef_children(treedef)
    assert children == [tu.tree_structure(1), tu.tree_structure([2, 3]), tu.tree_structure(None)]
    assert tu.treedef_tuple(children) == treedef
    assert tu.treedef_children(tu.tree_structure(1)) == []
    composed = tu.tree_structure([0, 0]).compose(tu.tree_structure((0, 0)))
    assert composed == tu.tree_structure([(1, 2), (3, 4)])
    assert composed.num_leaves == 4


def test_reductions_and_leaf_checks():
    assert tu.tree_all({"a": True, "b": [1, 2]})
    assert not tu.tree_all({"a": True, "b": [1, 0]})
    assert tu.tree_all([None, ()])
    assert tu.tree_reduce(lambda a, b: a + b, {"x": 1, "y": [2, 3]}) == 6
    assert tu.tree_reduce(lambda a, b: a + b, [], initializer=7) == 7
    with pytest.raises(TypeError, match="initializer"):
        tu.tree_reduce(lambda a, b: a + b, [None])
    assert tu.all_leaves([1, "a", 2.0])
    assert not tu.all_leaves([1, (2,)])
    assert not tu.all_leaves([None])
    assert tu.all_leaves([None, (1,)], is_leaf=lambda x: x is None or isinstance(x, tuple))
    assert tu.treedef_is_leaf(tu.tree_structure(1))
    assert not tu.treedef_is_leaf(tu.tree_structure([1]))


# ---------------------------------------------------------------------------------------------
# Deep trees: every walk is iterative
# ---------------------------------------------------------------------------------------------

DEPTH = 10_000


def test_deep_nested_list():
    tree = deep_list(DEPTH)
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == [1] * DEPTH
    assert treedef.num_nodes == 2 * DEPTH + 1

    rebuilt = tu.tree_unflatten(treedef, leaves)
    assert tu.tree_structure(rebuilt) == treedef

    doubled = tu.tree_map(lambda x: 2 * x, tree)
    assert tu.tree_leaves(doubled) == [2] * DEPTH
    assert tu.tree_structure(doubled) == treedef
    summed = tu.tree_map(lambda x, y: x + y, tree, doubled)  # flatten_up_to, deep
    assert tu.tree_leaves(summed) == [3] * DEPTH

    other = tu.tree_structure(deep_list(DEPTH))
    assert treedef == other and hash(treedef) == hash(other)
    assert treedef != tu.tree_structure(deep_list(DEPTH - 1))

    text = repr(treedef)
    assert text.startswith("PyTreeDef(" + "[" * (DEPTH + 1) + "], *]")
    assert text.endswith(", *]" * (DEPTH - 1) + ")")
    assert len(treedef.children()) == 2


def test_deep_nested_dict():
    tree = deep_dict(DEPTH)
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == [1] * DEPTH
    rebuilt = tu.tree_unflatten(treedef, leaves)
    assert tu.tree_structure(rebuilt) == treedef
    assert tu.tree_structure(tu.tree_map(str, tree)) == treedef
    assert treedef == tu.tree_structure(deep_dict(DEPTH))
    assert repr(treedef).startswith("PyTreeDef({'a': {'a': ")


def test_deep_tree_mismatch_error_and_paths():
    depth = 2_000  # key paths are O(depth) each, so all of them together are O(depth**2)
    tree = deep_list(depth)
    pairs = tu.tree_leaves_with_path(tree)
    assert len(pairs) == depth and pairs[-1][0] == (SequenceKey(1),)
    bad = deep_list(depth)
    inner = bad
    for _ in range(depth - 1):
        inner = inner[0]
    inner[0] = (1, 2)  # the innermost [] becomes a tuple
    with pytest.raises(ValueError, match=r"\[0\]\[0\]"):
        tu.tree_map(lambda x, y: x, tree, bad)


# ---------------------------------------------------------------------------------------------
# Agreement with JAX, where it happens to be installed
# ---------------------------------------------------------------------------------------------

def test_matches_jax_where_available():
    jtu = pytest.importorskip("jax.tree_util")
    trees = [{"b": [1, (2, None)], "a": Point(3, 4)}, (1,), None, [None, {}],
             collections.OrderedDict(z=1, a=2)]
    for tree in trees:
        assert tu.tree_leaves(tree) == jtu.tree_leaves(tree)
        ours = [(tu.keystr(p), x) for p, x in tu.tree_leaves_with_path(tree)]
        theirs = [(jtu.keystr(p), x) for p, x in jtu.tree_leaves_with_path(tree)]
        assert ours == theirs
    # Reprs agree for the built-in containers (JAX prints namedtuples as CustomNode(...)).
    for tree in [{"b": [1, (2, None)], "a": {}}, (1,), (), None, 5, [None, [()]]]:
        assert repr(tu.tree_structure(tree)) == repr(jtu.tree_structure(tree))
        assert tu.tree_structure(tree).num_nodes == jtu.tree_structure(tree).num_nodes
    outer, inner = jtu.tree_structure([0, 0]), jtu.tree_structure((0, 0))
    ours = tu.tree_transpose(tu.tree_structure([0, 0]), None, [(1, 2), (3, 4)])
    assert ours == jtu.tree_transpose(outer, inner, [(1, 2), (3, 4)])
