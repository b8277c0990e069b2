"""Checking derivatives against finite differences: `check_grads`, `check_jvp`, `check_vjp`
(fneedle's counterparts of `jax.test_util`'s).

Derivatives are checked in one random direction, so the cost does not grow with the number
of inputs or outputs. Forward mode compares `jvp` with a central difference
(f(x + eps t) - f(x - eps t)) / 2 eps; reverse mode checks that the pullback is the adjoint of
the pushforward, <ct, J t> == <J^T ct, t>, with J t both from `jvp` and from differences.
"""

import functools

import numpy as np

from fneedle.core import dtypes, tree_util
from fneedle.core.array import Array
from fneedle.core.interpreter import get_aval

__all__ = ["EPS", "check_grads", "check_jvp", "check_vjp", "numerical_jvp"]

EPS = 1e-4

# Default tolerances of a derivative check, by the dtype of what is compared: a central
# difference in float32 carries errors near 1e-7 / eps, in float64 near 1e-16 / eps.
_GRAD_TOLERANCE = {dtypes.float64: 1e-5, dtypes.float32: 2e-3, dtypes.float16: 1e-2,
                   dtypes.bfloat16: 1e-1}


def _is_float_leaf(x):
    return dtypes.is_float(get_aval(x).dtype)


def _tolerance(tol, dtype):
    """The tolerance for `dtype`: tol itself if a number, else from a {dtype: tol} dict."""
    if tol is not None and not isinstance(tol, dict):
        return float(tol)
    table = dict(_GRAD_TOLERANCE)
    for k, v in (tol or {}).items():
        table[dtypes.canonicalize(k)] = v
    return table.get(dtype, 0.0)


def _as_fneedle(x):
    """NumPy values become fneedle Arrays; fneedle values and Python scalars stay."""
    if isinstance(x, (np.ndarray, np.generic)):
        return Array(np.array(x, dtypes.canonicalize(x.dtype)))
    return x


def _rand_like(rng, x):
    """A random direction shaped like x: normal for float leaves, zero for int/bool ones."""
    aval = get_aval(x)
    if not dtypes.is_float(aval.dtype):
        value = np.zeros(aval.shape, aval.dtype)
    else:
        value = rng.standard_normal(aval.shape).astype(aval.dtype)
    if isinstance(x, float):
        return float(value)
    return Array(value)


def _to_f64(x):
    return np.asarray(x).astype(np.float64)


def _step(x, t, scale):
    """x + scale * t for a float leaf, rounded to x's dtype; other leaves unchanged."""
    if not _is_float_leaf(x):
        return x
    aval = get_aval(x)
    value = (_to_f64(x) + scale * _to_f64(t)).astype(aval.dtype)
    if isinstance(x, float):
        return float(value)
    return Array(np.array(value, order="C"), weak_type=aval.weak_type)


def numerical_jvp(f, primals, tangents, eps=EPS):
    """The central difference (f(p + eps t) - f(p - eps t)) / (2 eps), leaves as float64.

    Args:
      f: a function of len(primals) positional pytree arguments.
      primals, tangents: tuples of pytrees of the same structure.
    Returns:
      A pytree shaped like f's output of float64 NumPy arrays.
    """
    plus = tree_util.tree_map(lambda x, t: _step(x, t, eps), tuple(primals), tuple(tangents))
    minus = tree_util.tree_map(lambda x, t: _step(x, t, -eps), tuple(primals), tuple(tangents))
    f_pos, f_neg = f(*plus), f(*minus)

    def diff(a, b):
        a, b = _to_f64(a), _to_f64(b)
        with np.errstate(invalid="ignore"):
            d = np.where(a == b, 0.0, a - b)  # inf - inf counts as no change
        return d / (2 * eps)
    return tree_util.tree_map(diff, f_pos, f_neg)


def _inner_product(xs, ys):
    """(sum over float leaves of <x, y>, sum of <|x|, |y|>) in float64, and the leaf dtypes."""
    x_leaves, x_tree = tree_util.tree_flatten(xs)
    y_leaves, y_tree = tree_util.tree_flatten(ys)
    if x_tree != y_tree:
        raise AssertionError(f"Trees of different structure in an inner product: {x_tree} and "
                             f"{y_tree}.")
    total, scale, kinds = 0.0, 0.0, []
    for x, y in zip(x_leaves, y_leaves, strict=True):
        if not (_is_float_leaf(x) and _is_float_leaf(y)):
            continue
        a, b = _to_f64(x).ravel(), _to_f64(y).ravel()
        total += float(a @ b)
        scale += float(np.abs(a) @ np.abs(b))
        kinds += [get_aval(x).dtype, get_aval(y).dtype]
    return total, scale, kinds


def _fail(err_msg, what, abs_err, rel_err, atol, rtol, detail=""):
    raise AssertionError(f"{err_msg}: {what} mismatch: max abs error {abs_err:.3g}, max rel "
                         f"error {rel_err:.3g} (atol {atol:.3g}, rtol {rtol:.3g}).{detail}")


def _check_close(actual, expected, atol, rtol, err_msg, what, float_only=False):
    """Leafwise |actual - expected| <= atol + rtol |expected|, with tolerances by dtype."""
    a_leaves, a_tree = tree_util.tree_flatten(actual)
    e_leaves, e_tree = tree_util.tree_flatten(expected)
    if a_tree != e_tree:
        raise AssertionError(f"{err_msg}: {what} has structure {a_tree}, expected {e_tree}.")
    for i, (a, e) in enumerate(zip(a_leaves, e_leaves, strict=True)):
        a_aval, e_aval = get_aval(a), get_aval(e)
        if float_only and not (dtypes.is_float(a_aval.dtype) and
                               dtypes.is_float(e_aval.dtype)):
            continue
        if a_aval.shape != e_aval.shape:
            raise AssertionError(f"{err_msg}: {what} leaf {i} has shape {a_aval.shape}, "
                                 f"expected {e_aval.shape}.")
        at = max(_tolerance(atol, a_aval.dtype), _tolerance(atol, e_aval.dtype))
        rt = max(_tolerance(rtol, a_aval.dtype), _tolerance(rtol, e_aval.dtype))
        x, y = _to_f64(a), _to_f64(e)
        with np.errstate(invalid="ignore"):
            same = (x == y) | (np.isnan(x) & np.isnan(y))
            err = np.where(same, 0.0, np.abs(x - y))
        err = np.where(np.isnan(err), np.inf, err)
        bad = err > at + rt * np.abs(y)
        if bad.any():
            rel = err / np.maximum(np.abs(y), np.finfo(np.float64).tiny)
            k = int(np.argmax(bad.ravel()))
            _fail(err_msg, f"{what} (leaf {i}, {e_aval.str_short()})", float(err.max()),
                  float(rel.max()), at, rt, f" First bad element at flat index {k}: got "
                  f"{float(x.ravel()[k])!r}, expected {float(y.ravel()[k])!r}.")


def _check_scalar(got, expected, scale, kinds, atol, rtol, err_msg, what):
    """|got - expected| <= atol + rtol * scale, scale being the sum of |terms| of the sums."""
    at = max([_tolerance(atol, d) for d in kinds] or [0.0])
    rt = max([_tolerance(rtol, d) for d in kinds] or [0.0])
    err = abs(got - expected)
    if not err <= at + rt * scale:  # also fails on NaN
        _fail(err_msg, what, err, err / max(scale, np.finfo(np.float64).tiny), at, rt,
              f" Got {got!r}, expected {expected!r}.")


def _check_tangent_dtypes(primals_out, tangents_out, err_msg):
    for p, t in zip(tree_util.tree_leaves(primals_out), tree_util.tree_leaves(tangents_out)):
        if _is_float_leaf(p) and get_aval(p).dtype != get_aval(t).dtype:
            raise AssertionError(f"{err_msg}: a tangent has dtype {get_aval(t).dtype} but its "
                                 f"primal has dtype {get_aval(p).dtype}; they must match.")


def check_jvp(f, f_jvp, args, atol=None, rtol=None, eps=EPS, err_msg=""):
    """Checks a jvp against a central finite difference in one random direction.

    Args:
      f: the function, called as f(*args).
      f_jvp: f_jvp(primals, tangents) -> (f(*primals), J tangents), typically
        functools.partial(fneedle.jvp, f).
      args: a tuple of pytrees of arrays.
      atol, rtol: a number, a {dtype: tolerance} dict, or None for defaults by dtype.
      eps: the finite-difference step.
      err_msg: prefix of the error message.
    Raises:
      AssertionError naming what disagreed and the largest absolute and relative errors.
    Example:
      check_jvp(fneedle.lax.sin, functools.partial(fneedle.jvp, fneedle.lax.sin), (x,))
    """
    err_msg = err_msg or "check_jvp"
    args = tree_util.tree_map(_as_fneedle, tuple(args))
    rng = np.random.default_rng(0)
    tangents = tree_util.tree_map(functools.partial(_rand_like, rng), args)
    out, t_out = f_jvp(args, tangents)
    _check_tangent_dtypes(out, t_out, err_msg)
    _check_close(out, f(*args), atol, rtol, err_msg, "primal output")
    t_expected = numerical_jvp(f, args, tangents, eps)
    _check_close(t_out, t_expected, atol, rtol, err_msg,
                 "tangent output vs finite differences", float_only=True)


def check_vjp(f, f_vjp, args, atol=None, rtol=None, eps=EPS, err_msg=""):
    """Checks a vjp by the inner-product identity <ct, J t> == <J^T ct, t>.

    J t comes from `fneedle.jvp` (the identity must hold to rounding) and from a central
    finite difference (it must hold to the difference's accuracy); t and ct are random.

    Args:
      f: the function, called as f(*args).
      f_vjp: f_vjp(*args) -> (f(*args), pullback), typically functools.partial(fneedle.vjp, f).
      args, atol, rtol, eps, err_msg: as for check_jvp.
    Raises:
      AssertionError naming what disagreed and the largest absolute and relative errors.
    Example:
      check_vjp(fneedle.lax.sin, functools.partial(fneedle.vjp, fneedle.lax.sin), (x,))
    """
    from fneedle.transforms.jvp import jvp
    err_msg = err_msg or "check_vjp"
    args = tree_util.tree_map(_as_fneedle, tuple(args))
    rng = np.random.default_rng(0)
    out, pullback = f_vjp(*args)
    _check_close(out, f(*args), atol, rtol, err_msg, "primal output")
    tangents = tree_util.tree_map(functools.partial(_rand_like, rng), args)
    cotangents = tree_util.tree_map(functools.partial(_rand_like, rng), out)
    ct_in = tuple(pullback(cotangents))
    ip_rev, scale_rev, kinds_rev = _inner_product(tangents, ct_in)
    _, jt = jvp(f, args, tangents)
    ip_fwd, scale_fwd, kinds_fwd = _inner_product(jt, cotangents)
    _check_scalar(ip_rev, ip_fwd, max(scale_rev, scale_fwd), kinds_rev + kinds_fwd, atol,
                  rtol, err_msg, "<J^T ct, t> (vjp) vs <ct, J t> (jvp)")
    jt_fd = numerical_jvp(f, args, tangents, eps)
    fd_leaves = [Array(np.asarray(x)) for x in tree_util.tree_leaves(jt_fd)]
    ct_leaves = tree_util.tree_leaves(cotangents)
    ip_fd, scale_fd, _ = _inner_product(
        [x for x, c in zip(fd_leaves, ct_leaves, strict=True) if _is_float_leaf(c)],
        [c for c in ct_leaves if _is_float_leaf(c)])
    _check_scalar(ip_rev, ip_fd, max(scale_rev, scale_fd), kinds_rev + kinds_fwd, atol, rtol,
                  err_msg, "<J^T ct, t> (vjp) vs <ct, J t> (finite differences)")


def _jvp_of(f):
    from fneedle.transforms.jvp import jvp

    def f_jvp(primals, tangents):
        return jvp(f, tuple(primals), tuple(tangents))
    f_jvp.__name__ = f"jvp({_name(f)})"
    return f_jvp


def _vjp_of(f):
    from fneedle.transforms.grad import vjp
    return functools.partial(vjp, f)


def _pullback_of_output(f):
    """x -> J(x)^T f(x): the pullback applied to the primal output, nonlinear in x."""
    from fneedle.transforms.grad import vjp

    def g(*args):
        out, pullback = vjp(f, *args)
        return pullback(out)
    g.__name__ = f"vjp({_name(f)})"
    return g


def _name(f):
    return getattr(f, "__name__", None) or type(f).__name__


def check_grads(f, args, order, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Checks f's derivatives up to `order` against finite differences.

    Order 1 checks jvp ("fwd") and vjp ("rev") of f; order k checks them again on the
    jvp function (primals, tangents) -> jvp(f, primals, tangents) and on the function
    x -> vjp(f, x)[1](f(x)), recursively.

    Args:
      f: a function of pytrees of float arrays, called as f(*args).
      args: a tuple of argument values.
      order: the highest order of derivatives checked (1, 2, ...).
      modes: the modes to check, "fwd" and/or "rev".
      atol, rtol: a number, a {dtype: tolerance} dict, or None for defaults by dtype
        (float64 1e-5, float32 2e-3, float16 1e-2, bfloat16 1e-1).
      eps: the finite-difference step (default 1e-4).
    Raises:
      AssertionError naming the mode, the order and the largest absolute and relative
      errors of the first check that fails.
    Example:
      check_grads(fneedle.lax.sin, (x,), order=2)
    """
    args = tuple(args)
    eps = EPS if eps is None else eps
    for m in modes:
        if m not in ("fwd", "rev"):
            raise ValueError(f"check_grads: unknown mode {m!r}; use 'fwd' and/or 'rev'.")
    if order < 1:
        raise ValueError(f"check_grads: order must be at least 1, got {order}.")

    def check(fun, fun_args, k, label):
        if "fwd" in modes:
            name = f"JVP of {label}"
            check_jvp(fun, _jvp_of(fun), fun_args, atol, rtol, eps,
                      f"check_grads: fwd mode, order {k} ({name})")
            if k < order:
                check(_jvp_of(fun), (fun_args, fun_args), k + 1, name)
        if "rev" in modes:
            name = f"VJP of {label}"
            check_vjp(fun, _vjp_of(fun), fun_args, atol, rtol, eps,
                      f"check_grads: rev mode, order {k} ({name})")
            if k < order:
                check(_pullback_of_output(fun), fun_args, k + 1, name)

    check(f, args, 1, _name(f))
