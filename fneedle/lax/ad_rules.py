"""Helpers for writing jvp and transpose rules: symbolic zeros, per-argument jvps, linearity."""

from fneedle.core.interpreter import get_aval
from fneedle.core.linear import UndefinedPrimal, Zero, is_undefined_primal, tangent_aval

__all__ = ["Zero", "UndefinedPrimal", "is_undefined_primal", "instantiate", "add_tangents",
           "defjvp", "defjvp_ans", "deflinear", "zeros_like_aval"]


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
    def rule(primals, tangents, **params):
        out = primitive.bind(*primals, **params)
        total = Zero(tangent_aval(get_aval(out)))
        for fn, t in zip(jvp_fns, tangents):
            if fn is not None and type(t) is not Zero:
                total = add_tangents(total, fn(t, *primals, **params))
        return out, total
    primitive.def_jvp(rule)


def defjvp_ans(primitive, *jvp_fns):
    """As defjvp, but each term also gets the primal output: fn(t, ans, *primals, **params)."""
    def rule(primals, tangents, **params):
        out = primitive.bind(*primals, **params)
        total = Zero(tangent_aval(get_aval(out)))
        for fn, t in zip(jvp_fns, tangents):
            if fn is not None and type(t) is not Zero:
                total = add_tangents(total, fn(t, out, *primals, **params))
        return out, total
    primitive.def_jvp(rule)


def deflinear(primitive, transpose_fn):
    """A primitive linear in all its inputs: its jvp applies it to the tangents.

    transpose_fn(cotangent, *args, **params) -> list of cotangents, one per argument.
    """
    def jvp(primals, tangents, **params):
        out = primitive.bind(*primals, **params)
        if all(type(t) is Zero for t in tangents):
            return out, Zero(tangent_aval(get_aval(out)))
        return out, primitive.bind(*[instantiate(t) for t in tangents], **params)
    primitive.def_jvp(jvp)
    primitive.def_transpose(transpose_fn)
