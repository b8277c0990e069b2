"""Installs NumPy-style operators and methods on fneedle.Array and on tracers."""

from fneedle.core.array import Array
from fneedle.core.interpreter import Tracer


def _install():
    import fneedle.numpy as fnp

    def binop(name, swap=False):
        fn = getattr(fnp, name)
        if swap:
            return lambda self, other: fn(other, self)
        return lambda self, other: fn(self, other)

    ops = {
        "__add__": binop("add"), "__radd__": binop("add", True),
        "__sub__": binop("subtract"), "__rsub__": binop("subtract", True),
        "__mul__": binop("multiply"), "__rmul__": binop("multiply", True),
        "__truediv__": binop("true_divide"), "__rtruediv__": binop("true_divide", True),
        "__pow__": binop("power"), "__rpow__": binop("power", True),
        "__matmul__": binop("matmul"), "__rmatmul__": binop("matmul", True),
        "__lt__": binop("less"), "__le__": binop("less_equal"),
        "__gt__": binop("greater"), "__ge__": binop("greater_equal"),
        "__eq__": binop("equal"), "__ne__": binop("not_equal"),
        "__neg__": lambda self: fnp.negative(self),
    }
    for cls in (Array, Tracer):
        for name, fn in ops.items():
            setattr(cls, name, fn)
