"""Installs NumPy's operators and methods (x + y, x[i], x.sum(), x.at[i].set(v), ...) on
fneedle.Array and on tracers, so user code reads like NumPy inside and outside transforms."""

from fneedle import lax
from fneedle.core.array import Array
from fneedle.core.interpreter import Tracer
from fneedle.numpy import (
    indexing,
    logic,
    manipulation,
    products,
    reductions,
    selection,
    sorting,
    ufuncs,
)


def _swap(fn):
    def reflected(self, other):
        return fn(other, self)
    return reflected


def _method(fn):
    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


def _reshape(self, *shape, order="C", **kwargs):
    """a.reshape(2, 3) or a.reshape((2, 3))."""
    if "shape" in kwargs:
        shape = (kwargs.pop("shape"),)
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return manipulation.reshape(self, shape, order)


def _transpose(self, *axes):
    """a.transpose(), a.transpose(1, 0) or a.transpose((1, 0))."""
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    return manipulation.transpose(self, axes or None)


def _astype(self, dtype, copy=False):
    """a converted to `dtype` (floats truncate toward zero when converted to ints)."""
    return lax.convert_element_type(self, dtype)


def _nonzero(self, *, size=None, fill_value=None):
    return selection.nonzero(self, size=size, fill_value=fill_value)


def _sort(self, axis=-1, **kwargs):
    return sorting.sort(self, axis, **kwargs)


def _setitem(self, idx, value):
    raise TypeError("fneedle arrays are immutable and do not support item assignment. Use "
                    "x = x.at[idx].set(value) (or .add, .multiply, ...) instead.")


_OPERATORS = {
    "__add__": ufuncs.add, "__radd__": _swap(ufuncs.add),
    "__sub__": ufuncs.subtract, "__rsub__": _swap(ufuncs.subtract),
    "__mul__": ufuncs.multiply, "__rmul__": _swap(ufuncs.multiply),
    "__truediv__": ufuncs.true_divide, "__rtruediv__": _swap(ufuncs.true_divide),
    "__floordiv__": ufuncs.floor_divide, "__rfloordiv__": _swap(ufuncs.floor_divide),
    "__mod__": ufuncs.remainder, "__rmod__": _swap(ufuncs.remainder),
    "__divmod__": ufuncs.divmod, "__rdivmod__": _swap(ufuncs.divmod),
    "__pow__": ufuncs.power, "__rpow__": _swap(ufuncs.power),
    "__matmul__": products.matmul, "__rmatmul__": _swap(products.matmul),
    "__and__": ufuncs.bitwise_and, "__rand__": _swap(ufuncs.bitwise_and),
    "__or__": ufuncs.bitwise_or, "__ror__": _swap(ufuncs.bitwise_or),
    "__xor__": ufuncs.bitwise_xor, "__rxor__": _swap(ufuncs.bitwise_xor),
    "__lshift__": ufuncs.left_shift, "__rlshift__": _swap(ufuncs.left_shift),
    "__rshift__": ufuncs.right_shift, "__rrshift__": _swap(ufuncs.right_shift),
    "__lt__": ufuncs.less, "__le__": ufuncs.less_equal,
    "__gt__": ufuncs.greater, "__ge__": ufuncs.greater_equal,
    "__eq__": ufuncs.equal, "__ne__": ufuncs.not_equal,
    "__neg__": ufuncs.negative, "__pos__": ufuncs.positive, "__abs__": ufuncs.absolute,
    "__invert__": ufuncs.bitwise_not,
    "__getitem__": indexing.getitem,
}

_METHODS = {
    "sum": reductions.sum, "prod": reductions.prod, "mean": reductions.mean,
    "max": reductions.max, "min": reductions.min, "std": reductions.std,
    "var": reductions.var, "argmax": reductions.argmax, "argmin": reductions.argmin,
    "all": reductions.all, "any": reductions.any, "cumsum": reductions.cumsum,
    "cumprod": reductions.cumprod, "ptp": reductions.ptp,
    "ravel": manipulation.ravel, "flatten": manipulation.ravel,
    "squeeze": manipulation.squeeze, "swapaxes": manipulation.swapaxes,
    "repeat": manipulation.repeat,
    "clip": logic.clip, "round": ufuncs.round, "conj": ufuncs.conjugate,
    "conjugate": ufuncs.conjugate,
    "dot": products.dot, "diagonal": products.diagonal, "trace": products.trace,
    "take": selection.take, "argsort": sorting.argsort,
    "searchsorted": sorting.searchsorted,
}


def _install():
    for cls in (Array, Tracer):
        for name, fn in _OPERATORS.items():
            setattr(cls, name, fn)
        for name, fn in _METHODS.items():
            setattr(cls, name, _method(fn))
        cls.reshape = _reshape
        cls.transpose = _transpose
        cls.astype = _astype
        cls.nonzero = _nonzero
        cls.sort = _sort
        cls.T = property(lambda self: manipulation.transpose(self))
        cls.mT = property(lambda self: manipulation.matrix_transpose(self))
        cls.real = property(lambda self: ufuncs.real(self))
        cls.imag = property(lambda self: ufuncs.imag(self))
        cls.at = property(lambda self: indexing.IndexUpdateHelper(self))
        cls.__round__ = lambda self, ndigits=None: ufuncs.round(self, ndigits or 0)
        cls.__setitem__ = _setitem
    # NumPy binary operators then defer to the tracer's reflected operators.
    Tracer.__array_ufunc__ = None
    Tracer.copy = lambda self: self


_install()
