"""The vocabulary of differentiation rules: symbolic zeros and undefined primals."""

from fneedle.core.aval import ShapedArray


class Zero:
    """A symbolic zero tangent or cotangent: costs nothing until a rule must instantiate it."""

    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    @staticmethod
    def from_primal_value(x):
        from fneedle.core.interpreter import get_aval
        return Zero(tangent_aval(get_aval(x)))

    def __repr__(self):
        return f"Zero({self.aval.str_short()})"


class UndefinedPrimal:
    """The linear input of a primitive being transposed: only its type is known."""

    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"UndefinedPrimal({self.aval.str_short()})"


def is_undefined_primal(x):
    return type(x) is UndefinedPrimal


def tangent_aval(aval):
    """Tangents share the primal's shape and dtype, without weak typing."""
    return ShapedArray(aval.shape, aval.dtype)
