"""`make_jaxpr`: a function's jaxpr, for reading (the staging interpreter is in core)."""

from fneedle.core import tree_util
from fneedle.core.api_util import flatten_fun, fun_name
from fneedle.core.interpreter import get_aval
from fneedle.core.staging import trace_to_jaxpr


def make_jaxpr(fun, static_argnums=()):
    """A function that returns the ClosedJaxpr of fun at the given arguments.

    Args:
      fun: a function of pytrees of arrays.
      static_argnums: positions of arguments passed as Python values, not traced.
    Returns:
      make_jaxpr(fun)(*args, **kwargs) -> ClosedJaxpr; print it to read the program.
    Example:
      print(fneedle.make_jaxpr(fneedle.numpy.sin)(1.0))
      # { lambda ; a:f32[]. let b:f32[] = sin a in (b,) }
    """
    static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    def make(*args, **kwargs):
        n = len(args)
        static_set = {s % n for s in static}
        dyn = [a for i, a in enumerate(args) if i not in static_set]

        def with_static(*dyn_args, **kw):
            it = iter(dyn_args)
            full = [args[i] if i in static_set else next(it) for i in range(n)]
            return fun(*full, **kw)

        leaves, in_tree = tree_util.tree_flatten((tuple(dyn), kwargs))
        flat, _ = flatten_fun(with_static, in_tree)
        return trace_to_jaxpr(flat, [get_aval(x) for x in leaves],
                              f"make_jaxpr of {fun_name(fun)}")
    make.__name__ = f"make_jaxpr({fun_name(fun)})"
    return make
