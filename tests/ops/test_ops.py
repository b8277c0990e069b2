"""The four checks of DESIGN.md section 6 on every record of every tests/ops/rows_*.py module,
at every shape case and dtype, plus kernel-vs-NumPy-impl parity:

  test_reference  result vs the NumPy/SciPy reference; dtype and shape vs make_jaxpr's
  test_grads      jvp and vjp vs finite differences to the record's order, in float64
                  (and, where the op is linear, its transpose by the inner-product identity)
  test_vmap       vmap vs a Python loop, batching each argument at axis 0 and -1, then all
  test_jit        jit vs eager; a second call with same-shaped inputs does not trace again
  test_parity     the C++ kernels vs the NumPy impls (config numpy_impl=True)

FNEEDLE_OPS_ROWS=rows_elementwise,rows_dot pytest tests/ops runs some families only.
"""

import pkgutil

import numpy as np
import pytest

import fneedle
import fneedle.lax
from fneedle.core import dtypes
from fneedle.core.linear import UndefinedPrimal, Zero, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.test_util import check_grads
from fneedle.transforms.grad import backward_pass

from . import harness

MODULES = harness.load_rows_modules()
CASES = harness.cases(MODULES)
GRAD_CASES = harness.grad_cases(MODULES)
PARITY_CASES = harness.parity_cases(MODULES)
RECORDS = [(m.name, r) for m in MODULES for r in m.records]

# Primitives of fneedle.lax that the table does not cover (yet), each with its reason.
_CONTROL_FLOW = ("carries jaxprs; checked by tests/test_control_flow.py until the control-flow "
                 "rows exist")
NOT_IN_TABLE = {"cond": _CONTROL_FLOW, "scan": _CONTROL_FLOW, "while": _CONTROL_FLOW}


def _params(cases):
    return [pytest.param(c, id=c.id) for c in cases]


def _fneedle_args(np_args):
    return [harness.to_fneedle(a) for a in np_args]


# ---------------------------------------------------------------------------------------
# The table itself.

@pytest.mark.parametrize("module", [pytest.param(m, id=m.name) for m in MODULES])
def test_rows_module_imports(module):
    if module.error is not None:
        pytest.fail(f"tests/ops/{module.name}.py could not be imported: {module.error}")
    assert module.records, f"tests/ops/{module.name}.py has an empty ROWS list."


def test_record_names_are_unique():
    seen = {}
    for module, rec in RECORDS:
        assert rec.name not in seen, (f"Record name {rec.name!r} is used in both "
                                      f"{seen[rec.name]} and {module}; test ids must differ.")
        seen[rec.name] = module


@pytest.mark.parametrize("module,record", [pytest.param(m, r, id=r.name) for m, r in RECORDS])
def test_record_is_well_formed(module, record):
    where = f"{module}: record {record.name!r}"
    assert record.shapes, f"{where} has no shape cases."
    assert record.dtypes, f"{where} has no dtypes."
    for shapes in record.shapes:
        n = len(shapes)
        assert all(isinstance(s, tuple) for s in shapes), \
            f"{where}: shape case {shapes!r} must be a tuple of shape tuples."
        kinds = harness.record_kinds(record, n)
        assert len(kinds) == n, f"{where}: {len(kinds)} input kinds for {n} arguments."
        for dt in record.dtypes:
            arg_dts = harness.record_arg_dtypes(record, dtypes.canonicalize(dt), n)
            assert len(arg_dts) == n, f"{where}: arg_dtypes gives {len(arg_dts)} for {n} args."
        assert all(0 <= i < n for i in record.diff_argnums), \
            f"{where}: diff_argnums {record.diff_argnums} out of range for {n} arguments."
    assert record.grad_order >= 1


def _lax_primitives():
    out = {}
    for info in pkgutil.iter_modules(fneedle.lax.__path__):
        module = __import__(f"fneedle.lax.{info.name}", fromlist=["_"])
        for value in vars(module).values():
            if isinstance(value, Primitive):
                out[value.name] = f"fneedle.lax.{info.name}"
    return out


def _primitives_of(jaxpr, found):
    stack = [jaxpr.jaxpr if hasattr(jaxpr, "consts") else jaxpr]
    while stack:
        j = stack.pop()
        for eq in j.equations:
            found.add(eq.primitive.name)
            for v in eq.params.values():
                for w in (v if isinstance(v, (tuple, list)) else (v,)):
                    inner = getattr(w, "jaxpr", w)
                    if hasattr(inner, "equations"):
                        stack.append(inner)


def test_table_covers_every_lax_primitive():
    if harness.rows_filter():
        pytest.skip("FNEEDLE_OPS_ROWS selects some rows modules only.")
    found = set()
    for module, rec in RECORDS:
        for shapes in rec.shapes:
            case = harness.Case(rec, module, tuple(tuple(s) for s in shapes),
                                dtypes.canonicalize(rec.dtypes[0]))
            try:
                jaxpr = fneedle.make_jaxpr(rec.fn)(*_fneedle_args(harness.make_args(case)))
            except Exception:  # noqa: BLE001 (test_reference reports records that fail)
                jaxpr = None
            if jaxpr is not None:
                _primitives_of(jaxpr, found)
    missing = {name: where for name, where in _lax_primitives().items()
               if name not in found and name not in NOT_IN_TABLE}
    assert not missing, ("These primitives appear in no record of tests/ops/rows_*.py; add "
                         "rows for them (or list them in NOT_IN_TABLE with a reason): "
                         + ", ".join(f"{n} ({w})" for n, w in sorted(missing.items())))


# ---------------------------------------------------------------------------------------
# a. The NumPy reference.

@pytest.mark.parametrize("case", _params(CASES))
def test_reference(case):
    rec = case.record
    np_args = harness.make_args(case)
    args = _fneedle_args(np_args)
    out = rec.fn(*args)
    out_avals = fneedle.make_jaxpr(rec.fn)(*args).out_avals
    got = harness.leaves(out)
    assert len(got) == len(out_avals), f"eager gives {len(got)} outputs, make_jaxpr " \
                                       f"{len(out_avals)}."
    for i, (o, aval) in enumerate(zip(got, out_avals)):
        assert isinstance(o, fneedle.Array), f"output {i} is a {type(o).__name__}, not an Array."
        assert (o.shape, o.dtype) == (aval.shape, aval.dtype), (
            f"output {i}: eager gives {o.dtype}{list(o.shape)} but make_jaxpr (abstract "
            f"evaluation) says {aval.str_short()}.")
    expected = rec.reference(*[a.copy() for a in np_args])
    expected = list(expected) if isinstance(expected, (tuple, list)) else [expected]
    assert len(got) == len(expected), f"{len(got)} outputs, reference gives {len(expected)}."
    for i, (o, e) in enumerate(zip(got, expected)):
        with np.errstate(all="ignore"):
            e = np.asarray(e).astype(o.dtype)
        atol, rtol = harness.tolerance(harness.REFERENCE_TOLERANCE, o.dtype, rec.atol, rec.rtol)
        harness.assert_close(o, e, atol, rtol,
                             f"{case.id}: output {i} ({o.dtype}) vs the NumPy reference")


# ---------------------------------------------------------------------------------------
# b. Derivatives against finite differences (float64).

@pytest.mark.parametrize("case", _params(GRAD_CASES))
def test_grads(case):
    rec = case.record
    if np.float64 not in [np.dtype(d) for d in rec.dtypes]:
        pytest.skip(f"{rec.name} is not tested in float64, where derivatives are checked.")
    args = _fneedle_args(harness.make_args(case))
    for i in rec.diff_argnums:
        if not dtypes.is_float(args[i].dtype):
            pytest.skip(f"argument {i} of {rec.name} is {args[i].dtype}, not a float.")

    def f(*diff_args):
        full = list(args)
        for i, a in zip(rec.diff_argnums, diff_args, strict=True):
            full[i] = a
        return rec.fn(*full)
    f.__name__ = rec.name
    diff_args = [args[i] for i in rec.diff_argnums]
    check_grads(f, diff_args, order=rec.grad_order, modes=("fwd", "rev"), atol=rec.grad_atol,
                rtol=rec.grad_rtol, eps=rec.eps)
    _check_transpose_if_linear(f, diff_args, case)


def _check_transpose_if_linear(f, diff_args, case):
    """Where f's jaxpr is linear in its inputs, transposes it directly and checks
    <ct, f(t)> == <f^T(ct), t>. This reaches transpose rules that vjp never uses because
    jvp rules emit other primitives (sub's jvp emits neg and add, for example)."""
    closed = fneedle.make_jaxpr(f)(*diff_args)
    if not closed.jaxpr.equations:
        return
    rng = np.random.default_rng(case.seed)

    def rand(aval):
        return fneedle.Array(np.asarray(rng.standard_normal(aval.shape), aval.dtype))
    tangents = [rand(a) for a in closed.in_avals]
    cotangents = [rand(a) for a in closed.out_avals]
    try:
        cts_in = backward_pass(closed.jaxpr, closed.consts,
                               [UndefinedPrimal(tangent_aval(a)) for a in closed.in_avals],
                               cotangents)
    except NotImplementedError:  # no transpose rule (MissingRuleError), or one that declines
        return
    except ValueError as e:  # mul/div transpose rules refuse a non-linear use
        if "linear" in str(e):
            return
        raise
    # f may be affine (sub 1.0 x): its transpose is that of its linear part f(t) - f(0).
    zeros = [fneedle.Array(np.zeros(a.shape, a.dtype)) for a in closed.in_avals]
    outs = [np.asarray(o, np.float64) - np.asarray(z, np.float64)
            for o, z in zip(closed(*tangents), closed(*zeros), strict=True)]
    pairs = list(zip(cotangents, outs, strict=True)) + [
        (c, t) for c, t in zip(cts_in, tangents, strict=True) if type(c) is not Zero]
    lhs, rhs, scale = 0.0, 0.0, 0.0
    for k, (a, b) in enumerate(pairs):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        lhs, rhs = (lhs + float(np.vdot(a, b)), rhs) if k < len(outs) else \
            (lhs, rhs + float(np.vdot(a, b)))
        scale += float(np.vdot(np.abs(a), np.abs(b)))
    # Exact up to the rounding of the narrowest float dtype in the program.
    eps = max([float(dtypes.finfo(v.aval.dtype).eps) for eq in closed.jaxpr.equations
               for v in eq.outputs if dtypes.is_float(v.aval.dtype)] + [1e-13])
    assert abs(lhs - rhs) <= 8 * eps * scale, (
        f"{case.id}: the transpose of the linear jaxpr\n{closed}\nbreaks <ct, f(t)> == "
        f"<f^T(ct), t>: {lhs!r} != {rhs!r}.")


# ---------------------------------------------------------------------------------------
# c. vmap against a Python loop.

def _batch_configs(shapes):
    """in_axes tuples: each argument alone at axis 0 and at -1, then all at 0 and all at -1."""
    n = len(shapes)
    configs = []
    for i, s in enumerate(shapes):
        for ax in ((0, -1) if s else (0,)):
            configs.append(tuple(ax if j == i else None for j in range(n)))
    if n > 1:
        configs.append((0,) * n)
        if any(shapes):
            configs.append(tuple(-1 if s else 0 for s in shapes))
    return configs


def _batched_shape(shape, axis):
    shape = list(shape)
    shape.insert(len(shape) + 1 + axis if axis < 0 else axis, harness.BATCH)
    return tuple(shape)


@pytest.mark.parametrize("case", _params(CASES))
def test_vmap(case):
    rec = case.record
    if not rec.batch:
        pytest.skip(f"{rec.name} opts out of the vmap check (batch=False).")
    rng = np.random.default_rng(case.seed)
    unbatched = harness.make_args(case, rng)
    kinds, arg_dtypes = case.kinds(), case.arg_dtypes
    for in_axes in _batch_configs(case.shapes):
        np_args = [x if ax is None else
                   harness.make_input(rng, k, _batched_shape(x.shape, ax), d)
                   for x, ax, k, d in zip(unbatched, in_axes, kinds, arg_dtypes, strict=True)]
        got = fneedle.vmap(rec.fn, in_axes=in_axes)(*_fneedle_args(np_args))
        per_example = []
        for b in range(harness.BATCH):
            ex = [x if ax is None else np.take(x, b, axis=ax) for x, ax in zip(np_args, in_axes)]
            per_example.append([np.asarray(o) for o in harness.leaves(rec.fn(
                *_fneedle_args(ex)))])
        expected = [np.stack(outs) for outs in zip(*per_example)]
        harness.assert_trees_close(harness.leaves(got), expected, harness.REFERENCE_TOLERANCE,
                                   f"{case.id}: vmap(in_axes={in_axes}) vs a loop", rec.atol,
                                   rec.rtol)


# ---------------------------------------------------------------------------------------
# d. jit against eager.

def _other_shape_case(case):
    for shapes in case.record.shapes:
        shapes = tuple(tuple(s) for s in shapes)
        if shapes != case.shapes:
            return shapes
    return None


@pytest.mark.parametrize("case", _params(CASES))
def test_jit(case):
    jit = getattr(fneedle, "jit", None)
    if jit is None:
        pytest.skip("fneedle.jit does not exist yet (fneedle/transforms/jit.py is being "
                    "written); this check runs once it does.")
    rec = case.record
    traces = []

    def counted(*args):
        traces.append(1)
        return rec.fn(*args)
    counted.__name__ = rec.name
    jitted = jit(counted)
    rng = np.random.default_rng(case.seed)
    for call in range(2):
        args = _fneedle_args(harness.make_args(case, rng))
        harness.assert_trees_close(jitted(*args), rec.fn(*args), harness.REFERENCE_TOLERANCE,
                                   f"{case.id}: jit vs eager (call {call + 1})", rec.atol,
                                   rec.rtol)
        assert len(traces) == 1, (f"{case.id}: call {call + 1} of the jitted function with "
                                  f"inputs of the same shapes and dtypes traced it "
                                  f"{len(traces)} times in all; a cached call must not trace.")
    other = _other_shape_case(case)
    if other is not None:
        args = _fneedle_args(harness.make_args(case, rng, shapes=other))
        harness.assert_trees_close(jitted(*args), rec.fn(*args), harness.REFERENCE_TOLERANCE,
                                   f"{case.id}: jit vs eager at shapes {other}", rec.atol,
                                   rec.rtol)
        assert len(traces) == 2, (f"{case.id}: a call with new shapes {other} must trace "
                                  f"again (traced {len(traces)} times in all).")


# ---------------------------------------------------------------------------------------
# Kernels against the NumPy impls. Below a size threshold the CPU backend runs the NumPy impl
# itself, so records list `parity_shapes` big enough to reach the kernels.

@pytest.mark.parametrize("case", _params(PARITY_CASES))
def test_parity(case):
    rec = case.record
    np_args = harness.make_args(case)
    with fneedle.config.override(numpy_impl=True):
        spec = [np.asarray(o) for o in harness.leaves(rec.fn(*_fneedle_args(np_args)))]
    with fneedle.config.override(numpy_impl=False):
        got = [np.asarray(o) for o in harness.leaves(rec.fn(*_fneedle_args(np_args)))]
    assert len(got) == len(spec)
    for i, (g, s) in enumerate(zip(got, spec)):
        what = f"{case.id}: output {i} ({s.dtype}), kernel vs NumPy impl"
        if s.dtype in harness.PARITY_TOLERANCE:
            if g.dtype != s.dtype:
                raise AssertionError(f"{what}: dtype {g.dtype}, expected {s.dtype}.")
            harness.assert_close(g, s, *harness.PARITY_TOLERANCE[s.dtype], what)
        elif s.dtype == np.float64 and getattr(rec, "parity_rtol", 0.0):
            if g.dtype != s.dtype:
                raise AssertionError(f"{what}: dtype {g.dtype}, expected {s.dtype}.")
            harness.assert_close(g, s, rec.parity_rtol, rec.parity_rtol, what)
        else:
            harness.assert_identical(g, s, what)

