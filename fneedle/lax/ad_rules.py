"""Helpers for writing jvp and transpose rules: symbolic zeros, per-argument jvps, linearity."""

from fneedle.core.interpreter import get_aval
from fneedle.core.linear import UndefinedPrimal, Zero, is_undefined_primal, tangent_aval

__all__ = ["Zero", "UndefinedPrimal", "is_undefined_primal", "instantiate", "add_tangents",
           "defjvp", "defjvp_ans", "deflinear", "linear_jvp", "primal_aval", "zeros_like_aval"]


def _lax():
    import fneedle.lax as lax
    return lax


def zeros_like_aval(aval):
    return _lax().full(aval.shape, 0, aval.dtype)


def instantiate(t):
    """A concrete array for a tangent that may be a symbolic Zero."""
    return zeros_like_aval(t.aval) if type(t) is Zero else t


def add_tangents(a, b):
    if type(a) is Zero:
        return b
    if type(b) is Zero:
        return a
    return _lax().add(a, b)


def defjvp(primitive, *jvp_fns):
    """Defines primitive's jvp as a sum of per-argument terms.

    Each jvp_fns[i](tangent_i, *primals, **params) gives the output tangent contributed by
    argument i; None marks a non-differentiable argument. Zero tangents are skipped.
    """
    _def_sum_of_terms_jvp(primitive, jvp_fns, pass_out=False)


def defjvp_ans(primitive, *jvp_fns):
    """As defjvp, but each term also gets the primal output: fn(t, ans, *primals, **params)."""
    _def_sum_of_terms_jvp(primitive, jvp_fns, pass_out=True)


def _def_sum_of_terms_jvp(primitive, jvp_fns, pass_out):
    def rule(primals, tangents, **params):
        out = primitive.bind(*primals, **params)
        total = Zero(tangent_aval(get_aval(out)))
        lead = (out,) if pass_out else ()
        for fn, t in zip(jvp_fns, tangents):
            if fn is not None and type(t) is not Zero:
                total = add_tangents(total, fn(t, *lead, *primals, **params))
        return out, total
    primitive.def_jvp(rule)


def linear_jvp(primitive, linear_argnums=None):
    """Defines the jvp of a primitive linear in the args `linear_argnums` taken together (all
    args when None); the other args (indices) are held fixed: out_tangent = prim(tangents)."""
    def jvp(primals, tangents, **params):
        out = primitive.bind(*primals, **params)
        lin = range(len(primals)) if linear_argnums is None else linear_argnums
        if all(type(tangents[i]) is Zero for i in lin):
            return out, Zero(tangent_aval(get_aval(out)))
        args = [instantiate(t) if i in lin else p
                for i, (p, t) in enumerate(zip(primals, tangents, strict=True))]
        return out, primitive.bind(*args, **params)
    primitive.def_jvp(jvp)
    return jvp


def deflinear(primitive, transpose_fn):
    """A primitive linear in all its inputs: its jvp applies it to the tangents.

    transpose_fn(cotangent, *args, **params) -> list of cotangents, one per argument.
    """
    linear_jvp(primitive)
    primitive.def_transpose(transpose_fn)


def primal_aval(x):
    """The aval of a transpose rule's primal argument, whether it is defined or not."""
    return x.aval if is_undefined_primal(x) else get_aval(x)
