"""The rules every call-like primitive shares (jit, checkpoint, custom_jvp/vjp calls): run
the closed jaxpr it carries, compiled; its output types; inlining by the compiler."""


def define_call_primitive(primitive, jaxpr_param):
    """Gives `primitive` (multiple_results) the impl, type and inlining rules of a call of
    the ClosedJaxpr held in its param `jaxpr_param`."""
    def impl(*args, **params):
        from fneedle.transforms.compiler import compile_jaxpr
        return compile_jaxpr(params[jaxpr_param]).run(args)

    primitive.def_impl(impl)
    primitive.def_abstract_eval(lambda *avals, **params: list(params[jaxpr_param].out_avals))
    primitive.weak_type_rule = lambda in_weak, **params: [
        a.weak_type for a in params[jaxpr_param].out_avals]
    primitive.inline_param = jaxpr_param
