"""fneedle.core: avals, primitives, interpreters and bind, tracers, the jaxpr IR, pytrees,
Array and devices. It names no particular primitive and no particular transformation."""

from fneedle.core import dtypes  # noqa: F401
from fneedle.core.array import Array, device_put  # noqa: F401
from fneedle.core.aval import ShapedArray  # noqa: F401
from fneedle.core.config import config  # noqa: F401
from fneedle.core.device import Device, default_device, devices  # noqa: F401
from fneedle.core.eval import eval_interpreter  # noqa: F401  (installs eager evaluation)
from fneedle.core.interpreter import (  # noqa: F401
    Interpreter, Tracer, bind, current_interpreter, get_aval, set_interpreter)
from fneedle.core.jaxpr import (  # noqa: F401
    ClosedJaxpr, Equation, Jaxpr, Literal, Var, eval_jaxpr, typecheck_jaxpr)
from fneedle.core.primitive import Primitive  # noqa: F401
