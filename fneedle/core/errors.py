"""fneedle's exception classes: each names one kind of mistake (DESIGN.md 2.9)."""


class FneedleError(Exception):
    """Base class of the errors fneedle raises about how it is used."""


class MissingRuleError(FneedleError, NotImplementedError):
    """A primitive lacks the rule a transformation needs (e.g. no 'batch' rule for 'sort')."""


class ConcretizationTypeError(FneedleError, TypeError):
    """A traced value was used where a concrete Python value is needed (bool, int, shape)."""


class TracerArrayConversionError(FneedleError, TypeError):
    """A traced value was converted to a NumPy array."""


class UnexpectedTracerError(FneedleError):
    """A tracer escaped the transformation that made it and was used after it finished."""


class ShapeError(FneedleError, ValueError):
    """Operand shapes do not fit together."""


class BatchAxisError(FneedleError, ValueError):
    """vmap's in_axes/out_axes/axis_size do not fit the arguments."""


class JaxprTypeError(FneedleError, TypeError):
    """A jaxpr is ill-typed: an equation's declared types disagree with its inputs."""


class DtypeError(FneedleError, TypeError):
    """An operand has a dtype the operation does not accept."""


def user_location():
    """'file.py:12 (in loss)' for the innermost stack frame outside fneedle, for messages."""
    import os
    import sys

    pkg_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(pkg_dir + os.sep):
            return f"{filename}:{frame.f_lineno} (in {frame.f_code.co_name})"
        frame = frame.f_back
    return "<unknown location>"
