"""The public API for defining new primitives outside fneedle (as `fneedle.nerf` does).

A primitive is a name plus rules. Give it a NumPy reference (`def_impl`, the specification),
a type rule (`def_abstract_eval`), and the rules of the transformations it must support;
optionally a faster kernel per platform (`def_lowering('cpu', fn)`), which eager evaluation and
`jit` then call instead of the reference. Everything else (jit caching, fusion around it,
vmap of grad of jit, ...) comes from the interpreters, which hold no per-primitive code.

    from fneedle import extend as fx

    scale_p = fx.Primitive("scale")
    scale_p.def_impl(lambda x, *, k: x * k)
    scale_p.def_abstract_eval(lambda x, *, k: fx.ShapedArray(x.shape, x.dtype))
    fx.deflinear(scale_p, lambda ct, x, *, k: [scale_p.bind(ct, k=k)])
    fx.elementwise_batch(scale_p)

Rules take and return arrays or tracers: write them with `fneedle.lax` / `fneedle.numpy`
(or other primitives' `bind`), so that they can themselves be traced and transformed. A
linear primitive's transpose rule receives `UndefinedPrimal`s for its linear inputs; a jvp
rule may receive `Zero` tangents. `tests/test_user_primitive.py` defines a complete example
(an interpolation with a hand-written backward primitive) and checks it under every
transformation.
"""

from fneedle.core.aval import ShapedArray
from fneedle.core.interpreter import get_aval
from fneedle.core.linear import UndefinedPrimal, Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.lax.ad_rules import add_tangents, defjvp, defjvp_ans, deflinear, instantiate
from fneedle.lax.batch_rules import (
    batch_size, bdim_at_front, elementwise_batch, move_axis, move_to_front, not_mapped)

__all__ = [
    "Primitive", "ShapedArray", "get_aval",
    # differentiation
    "Zero", "UndefinedPrimal", "is_undefined_primal", "tangent_aval", "instantiate",
    "add_tangents", "defjvp", "defjvp_ans", "deflinear",
    # batching
    "not_mapped", "batch_size", "bdim_at_front", "move_to_front", "move_axis",
    "elementwise_batch",
]
