"""Checks the public wrappers of primitives run before binding: static int parameters, and
abstract evaluation of eager calls (so misuse gets the rule's error, not NumPy's)."""

import operator

from fneedle.core.interpreter import get_aval


def static_ints(values, what):
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError as e:
        raise TypeError(f"{what} must be a sequence of Python ints, got {values!r}; these are "
                        f"static, so they cannot be traced values.") from e


def checked_bind(primitive, *args, **params):
    """Binds after running abstract_eval on the arguments' avals. Eager evaluation calls
    impls directly, so without this a misuse would surface as a NumPy error, not as the
    rule's full-sentence ShapeError / DtypeError. Rules bind well-formed calls directly."""
    primitive.abstract_eval(*[get_aval(a) for a in args], **params)
    return primitive.bind(*args, **params)
