"""`Primitive`: a named operation and the slots for its rules (impl, abstract_eval, jvp, ...).

A primitive's rules are written next to it in `fneedle.lax`; interpreters look them up here
and never contain per-primitive code. A missing rule raises an error naming rule and primitive.
"""

from fneedle.core.errors import MissingRuleError
from fneedle.core import interpreter as _interpreter

# The rule slots and what each one is for (used in error messages).
RULES = {
    "impl": "the NumPy reference implementation (eager evaluation)",
    "abstract_eval": "shape and dtype inference (tracing, make_jaxpr, jit)",
    "jvp": "forward-mode differentiation (jvp, grad, linearize)",
    "transpose": "transposition of a linear primitive (vjp, grad)",
    "batch": "batching (vmap)",
}


class Primitive:
    """An operation fneedle can trace, transform and lower.

    Rules (all optional at construction, each set by a `def_*` method next to the primitive):
      impl(*arrays, **params) -> array: NumPy reference; the specification (DESIGN.md 2.4).
      abstract_eval(*avals, **params) -> aval (or list of avals if multiple_results).
      jvp(primals, tangents, **params) -> (primal_out, tangent_out); tangents may be `Zero`.
      transpose(cotangent, *args, **params) -> list of input cotangents (None for non-linear
          inputs); linear inputs arrive as `UndefinedPrimal`.
      batch(args, dims, **params) -> (out, out_dim); dims entries are ints or None.
      partial_eval(interpreter, args, params): optional, for primitives carrying jaxprs.
      lowerings[platform](*buffers, **params): faster kernels for 'cpu', 'cuda', ...
    Example:
      sin_p = Primitive("sin"); sin_p.def_impl(np.sin)
    """

    def __init__(self, name, *, multiple_results=False):
        self.name = name
        self.multiple_results = multiple_results
        self.impl = None
        self.abstract_eval = None
        self.jvp = None
        self.transpose = None
        self.batch = None
        self.partial_eval = None
        self.weak_type_rule = None
        # Optional fast test, eager_check(*buffers) -> bool, that the operands are valid;
        # False means "run abstract_eval to find out (and raise its error)".
        self.eager_check = None
        # For call-like primitives (jit, checkpoint, custom rules): the param holding the
        # closed jaxpr that the compiler may inline in place of the call.
        self.inline_param = None
        # Primitives with side effects (debug printing) are never removed or merged by jit.
        self.effectful = False
        self.lowerings = {}
        # What eager evaluation calls on the CPU: the 'cpu' lowering if there is one.
        self.cpu_kernel = None

    def bind(self, *args, **params):
        return _interpreter._current.get().process_primitive(self, args, params)

    def def_impl(self, fn):
        self.impl = fn
        if "cpu" not in self.lowerings:
            self.cpu_kernel = fn
        return fn

    def def_abstract_eval(self, fn):
        self.abstract_eval = fn
        return fn

    def def_jvp(self, fn):
        self.jvp = fn
        return fn

    def def_transpose(self, fn):
        self.transpose = fn
        return fn

    def def_batch(self, fn):
        self.batch = fn
        return fn

    def def_partial_eval(self, fn):
        self.partial_eval = fn
        return fn

    def def_lowering(self, platform, fn):
        self.lowerings[platform] = fn
        if platform == "cpu":
            self.cpu_kernel = fn
        return fn

    def rule(self, slot):
        """The rule in `slot`, or a MissingRuleError naming the rule and this primitive."""
        fn = getattr(self, slot)
        if fn is None:
            raise MissingRuleError(
                f"Primitive '{self.name}' has no {slot} rule, which {RULES.get(slot, slot)} "
                f"needs. Define it next to the primitive with {self.name}_p.def_{slot}(...).")
        return fn

    def out_weak_type(self, in_weak, params):
        """Whether the output dtype is weak: by default, when every input is weak.

        A multiple-results primitive's rule may return a list, one entry per output.
        """
        if self.weak_type_rule is not None:
            return self.weak_type_rule(in_weak, **params)
        return bool(in_weak) and all(in_weak)

    def __repr__(self):
        return self.name

