"""fneedle: a functional, JAX-style array library with its own CPU (and CUDA) kernels.

    import fneedle as fn, fneedle.numpy as fnp
    grads = fn.grad(loss)(params, x, y)
"""

from fneedle import core as _core  # noqa: F401  (installs eager evaluation first)
from fneedle.core import tree_util  # noqa: F401
from fneedle.core.array import Array, device_put  # noqa: F401
from fneedle.core.config import config  # noqa: F401
from fneedle.core.device import Device, default_device, devices  # noqa: F401
from fneedle.core.errors import (  # noqa: F401
    BatchAxisError, ConcretizationTypeError, FneedleError, JaxprTypeError, MissingRuleError,
    ShapeError, TracerArrayConversionError, UnexpectedTracerError)
from fneedle.core.tree_util import (  # noqa: F401
    register_dataclass, register_pytree_node, tree_flatten, tree_leaves, tree_map,
    tree_structure, tree_unflatten)
from fneedle import debug, lax, random  # noqa: F401
from fneedle import extend  # noqa: F401,E402  (the API for new primitives)
from fneedle import numpy  # noqa: F401  (installs Array operators)
from fneedle.transforms.checkpoint import checkpoint, checkpoint_policies, remat  # noqa: F401
from fneedle.transforms.custom_derivatives import custom_jvp, custom_vjp, stop_gradient  # noqa: F401
from fneedle.transforms.grad import grad, linear_transpose, value_and_grad, vjp  # noqa: F401
from fneedle.transforms.jacobians import hessian, jacfwd, jacobian, jacrev  # noqa: F401
from fneedle.transforms.jit import disable_jit, jit  # noqa: F401
from fneedle.transforms.jvp import jvp  # noqa: F401
from fneedle.transforms.partial_eval import linearize  # noqa: F401
from fneedle.transforms.staging import make_jaxpr  # noqa: F401
from fneedle.transforms.vmap import vmap  # noqa: F401

from fneedle.numpy import from_dlpack  # noqa: F401,E402

__version__ = "0.1.0"
