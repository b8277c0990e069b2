"""Dispatch by context (DESIGN.md 2.1): one current interpreter, tracers, and `bind`.

Every primitive application goes through `bind`, which hands it to the current interpreter.
A transformation installs its interpreter while it runs the user's function; each interpreter
runs its rules under its parent, so nested transformations compose without a global stack.
"""

import contextlib
import contextvars

import numpy as np

from fneedle.core import dtypes
from fneedle.core.aval import ShapedArray
from fneedle.core.errors import (ConcretizationTypeError, TracerArrayConversionError,
                                 UnexpectedTracerError, user_location)


class Interpreter:
    """Base class: handles each primitive application while it is the current interpreter."""

    parent = None
    alive = True  # False once the transformation that owns it has returned
    description = "a transformation"

    def process_primitive(self, primitive, args, params):
        raise NotImplementedError

    def concretize(self, tracer, purpose):
        """Returns a concrete value for `tracer`, or raises; `purpose` is e.g. 'bool'."""
        raise ConcretizationTypeError(
            f"A value traced by {self.description} was used where a concrete value is needed "
            f"({purpose}()) at {user_location()}. Its abstract value is "
            f"{tracer.aval.str_short()}; the actual value is not known while tracing. Use "
            f"fneedle.lax.cond / fneedle.numpy.where instead of Python control flow, or mark "
            f"the argument static (jit(..., static_argnums=...)).")

    def check_foreign(self, tracer):
        """Raises if a tracer of another interpreter can no longer be used."""
        if not tracer._interp.alive:
            raise UnexpectedTracerError(
                f"A tracer created by {tracer._interp.description} was used at "
                f"{user_location()} after that transformation finished. It leaked out, "
                f"for example by being stored in a global or a closure, or returned through "
                f"a side channel. Pass values in and out of transformed functions as "
                f"arguments and return values. The tracer: {tracer.aval.str_short()}.")


_current = contextvars.ContextVar("fneedle_interpreter")


def install_base_interpreter(interp):
    """Makes `interp` the interpreter of every thread that has not installed another."""
    global _current
    _current = contextvars.ContextVar("fneedle_interpreter", default=interp)


def current_interpreter():
    return _current.get()


@contextlib.contextmanager
def set_interpreter(interp):
    token = _current.set(interp)
    try:
        yield interp
    finally:
        _current.reset(token)


def trace_with(interp, flat_fun, inputs, finish):
    """Calls flat_fun(*inputs) with `interp` current and returns finish(outputs). `interp` is
    retired afterwards, even on error, so a tracer of it that leaks is caught when used."""
    try:
        with set_interpreter(interp):
            outs = flat_fun(*inputs)
        return finish(outs)
    finally:
        interp.alive = False


def bind(primitive, args, params):
    """Applies `primitive` to `args` with the current interpreter."""
    return _current.get().process_primitive(primitive, args, params)


class Tracer:
    """A stand-in for an array while a transformation runs; `_interp` is its owner.

    Array operators and methods (x + y, x[i], x.sum()) are installed by fneedle.numpy.
    """

    __slots__ = ("_interp",)
    __array_priority__ = 1000

    @property
    def aval(self):
        raise NotImplementedError

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    weak_type = property(lambda self: self.aval.weak_type)
    ndim = property(lambda self: len(self.aval.shape))
    size = property(lambda self: self.aval.size)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d (scalar) traced array is undefined.")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("Iteration over a 0-d (scalar) traced array is undefined.")
        return (self[i] for i in range(self.shape[0]))

    def __bool__(self):
        return bool(self._interp.concretize(self, "bool"))

    def __int__(self):
        return int(self._interp.concretize(self, "int"))

    def __float__(self):
        return float(self._interp.concretize(self, "float"))

    def __index__(self):
        if not dtypes.is_integer(self.dtype):
            raise TypeError(f"Only integer arrays can be used as an index, not {self.dtype}.")
        return int(self._interp.concretize(self, "index"))

    def __array__(self, dtype=None, copy=None):
        raise TracerArrayConversionError(
            f"A value traced by {self._interp.description} ({self.aval.str_short()}) was "
            f"converted to a NumPy array at {user_location()}. NumPy functions cannot see "
            f"traced values: use fneedle.numpy in the traced function instead of numpy.")

    def __hash__(self):
        raise TypeError(f"Traced arrays are unhashable ({self.aval.str_short()}). If it must "
                        f"be a dictionary key or a static argument, pass a Python value.")

    def __repr__(self):
        return f"Traced<{self.aval.str_short()}> by {self._interp.description}"


def get_aval(x):
    """The ShapedArray of a tracer, an Array, a NumPy value or a Python scalar."""
    if isinstance(x, Tracer):
        return x.aval
    aval = getattr(x, "aval", None)  # fneedle.Array
    if aval is not None:
        return aval
    if isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
        return ShapedArray((), dtypes.python_scalar_dtype(x), weak_type=True)
    if isinstance(x, (np.ndarray, np.generic)):
        return ShapedArray(x.shape, dtypes.canonicalize(x.dtype))
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid fneedle array. "
                    f"Pass arrays, NumPy arrays or Python scalars.")


def concrete_value(x, purpose="value"):
    """The concrete NumPy value of x, concretizing tracers through their interpreters."""
    while isinstance(x, Tracer):
        x = x._interp.concretize(x, purpose)
    return np.asarray(x)
