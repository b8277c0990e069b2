"""`jit`: stage a function to a jaxpr once per input signature, compile it, and call it.

`jit_p` is a call primitive carrying a closed jaxpr (DESIGN.md 2.3). Its rules transform the
jaxpr it carries, so `grad(jit(f))`, `jit(grad(f))`, `vmap(jit(f))` all stay compiled.
"""

import logging

import numpy as np

from fneedle.core import dtypes, tree_util
from fneedle.core.api_util import flatten_fun, fun_name
from fneedle.core.array import Array, to_buffer
from fneedle.core.config import config
from fneedle.core.derived_cache import DerivedCache
from fneedle.core.device import default_device
from fneedle.core.eval import eval_interpreter
from fneedle.core.interpreter import Tracer, current_interpreter, get_aval
from fneedle.core.jaxpr import ClosedJaxpr, Jaxpr
from fneedle.core.linear import Zero, is_undefined_primal, tangent_aval
from fneedle.core.primitive import Primitive
from fneedle.core.staging import trace_to_jaxpr
from fneedle.transforms.call_primitive import define_call_primitive
from fneedle.transforms.compiler import compile_jaxpr, optimize

logger = logging.getLogger("fneedle.jit")
_SUPPORTED = frozenset(dtypes.SUPPORTED)
RECOMPILE_WARNING_THRESHOLD = 8

jit_p = Primitive("jit", multiple_results=True)


define_call_primitive(jit_p, "jaxpr")


# Derived jaxprs (jvp, batched, partially evaluated, transposed) are cached per jaxpr object,
# so transforming a jitted function repeatedly reuses them and their compiled executables.
_cached = DerivedCache().get


def _jit_jvp(primals, tangents, jaxpr, name):
    from fneedle.transforms.jvp import jvp_jaxpr
    nonzeros = tuple(type(t) is not Zero for t in tangents)
    new, out_nz = _cached(jaxpr, ("jvp", nonzeros), lambda: jvp_jaxpr(jaxpr, nonzeros))
    outs = jit_p.bind(*primals, *[t for t in tangents if type(t) is not Zero],
                      jaxpr=new, name=f"jvp({name})")
    n = len(jaxpr.out_avals)
    it = iter(outs[n:])
    out_t = [next(it) if nz else Zero(tangent_aval(a)) for nz, a in zip(out_nz, jaxpr.out_avals)]
    return outs[:n], out_t


def _jit_batch(args, dims, jaxpr, name):
    from fneedle.transforms.vmap import batch_jaxpr
    size = next(get_aval(a).shape[d] for a, d in zip(args, dims) if d is not None)
    dims = tuple(dims)
    new, out_dims = _cached(jaxpr, ("batch", size, dims),
                            lambda: batch_jaxpr(jaxpr, size, dims))
    return jit_p.bind(*args, jaxpr=new, name=f"vmap({name})"), out_dims


def _jit_partial_eval(pe, args, params):
    from fneedle.core.staging import StagingInterpreter
    from fneedle.transforms.partial_eval import partial_eval_jaxpr
    jaxpr, name = params["jaxpr"], params["name"]
    unknowns = tuple(pe.is_unknown(a) for a in args)
    known, unknown, out_unk, n_res = _cached(jaxpr, ("pe", unknowns),
                                             lambda: partial_eval_jaxpr(jaxpr, unknowns))
    known_args = [a for a, u in zip(args, unknowns) if not u]
    known_outs = pe.parent.process_primitive(jit_p, known_args,
                                             {"jaxpr": known, "name": f"known({name})"})
    n_known = len(known_outs) - n_res
    residuals = known_outs[n_known:]
    unknown_args = [a for a, u in zip(args, unknowns) if u]
    unknown_outs = StagingInterpreter.process_primitive(
        pe, jit_p, list(residuals) + unknown_args, {"jaxpr": unknown, "name": f"lin({name})"})
    k, u = iter(known_outs[:n_known]), iter(unknown_outs)
    return [next(u) if unk else next(k) for unk in out_unk]


def _jit_transpose(cts, *args, jaxpr, name):
    from fneedle.lax.ad_rules import instantiate
    from fneedle.transforms.grad import transpose_jaxpr
    linear = tuple(is_undefined_primal(a) for a in args)
    new = _cached(jaxpr, ("transpose", linear), lambda: transpose_jaxpr(jaxpr, linear))
    cts = [instantiate(c) for c in cts]
    outs = jit_p.bind(*[a for a in args if not is_undefined_primal(a)], *cts, jaxpr=new,
                      name=f"transpose({name})")
    it = iter(outs)
    return [next(it) if lin else None for lin in linear]


jit_p.def_jvp(_jit_jvp)
jit_p.def_batch(_jit_batch)
jit_p.def_partial_eval(_jit_partial_eval)
jit_p.def_transpose(_jit_transpose)


# ---------------------------------------------------------------------------------------
# The user-facing wrapper.

class _CacheEntry:
    __slots__ = ("closed", "out_tree", "executable", "const_args")

    def __init__(self, closed, out_tree, const_args):
        self.closed = closed
        self.out_tree = out_tree
        self.const_args = const_args
        self.executable = None


def _leaf_signature(x):
    t = type(x)
    if t is Array:
        return (x._buf.shape, x._buf.dtype, x.weak_type)
    if t is float or t is int or t is bool:
        return (t,)
    if isinstance(x, Tracer):
        a = x.aval
        return (a.shape, a.dtype, a.weak_type)
    a = get_aval(x)
    return (a.shape, a.dtype, a.weak_type)


class Jitted:
    """A jit-compiled function: `Jitted(f)(*args)`; `.lower(*args)` shows what it runs."""

    def __init__(self, fun, static_argnums=(), static_argnames=(), donate_argnums=()):
        self.fun = fun
        self.__name__ = fun_name(fun)
        self.__doc__ = getattr(fun, "__doc__", None)
        self.__wrapped__ = fun
        self.static_argnums = _as_tuple(static_argnums)
        self.static_argnames = _as_tuple(static_argnames)
        self.donate_argnums = _as_tuple(donate_argnums)
        self._cache = {}
        # Calls with only positional Arrays skip flattening: signature -> (entry, out leaf?)
        self._fast = {}
        self._simple = not (self.static_argnums or self.static_argnames or self.donate_argnums)
        self._compiles = 0
        self._warned = False

    # -- tracing -------------------------------------------------------------------------
    def _split(self, args, kwargs):
        """(dynamic leaves, key of everything static about this call, rebuild info)."""
        n = len(args)
        static = []
        if self.static_argnums:
            for i in self.static_argnums:
                j = i % n if -n <= i < n else None
                if j is None:
                    raise ValueError(f"jit of {self.__name__}: static_argnums has {i} but the "
                                     f"call passed {n} positional arguments.")
                static.append((j, args[j]))
            static_pos = {j for j, _ in static}
            dyn_args = tuple(a for i, a in enumerate(args) if i not in static_pos)
        else:
            dyn_args = args
        if kwargs and self.static_argnames:
            static_kw = tuple(sorted((k, v) for k, v in kwargs.items()
                                     if k in self.static_argnames))
            kwargs = {k: v for k, v in kwargs.items() if k not in self.static_argnames}
        else:
            static_kw = ()
        static_key = (tuple(static), static_kw)
        if static or static_kw:
            try:
                hash(static_key)
            except TypeError:
                bad = [(i, v) for i, v in static + list(static_kw) if not _hashable(v)]
                where, val = bad[0]
                raise TypeError(f"jit of {self.__name__}: static argument {where!r} has "
                                f"unhashable type {type(val).__name__}; static arguments are "
                                f"cache keys and must be hashable. Pass a tuple instead of "
                                f"a list, or make the argument dynamic.") from None
        leaves, treedef = tree_util.tree_flatten((dyn_args, kwargs))
        return leaves, treedef, static_key, static

    def _trace(self, leaves, treedef, static, static_kw, n_args):
        positions = {j: v for j, v in static}

        def rebuilt(*dyn, **kw):
            it = iter(dyn)
            full = [positions[i] if i in positions else next(it) for i in range(n_args)]
            return self.fun(*full, **kw, **dict(static_kw))

        flat, store = flatten_fun(rebuilt, treedef)
        closed = trace_to_jaxpr(flat, [get_aval(x) for x in leaves], f"jit of {self.__name__}")
        # Constants that are tracers of enclosing transformations become explicit
        # arguments, so the cached jaxpr never holds a tracer (closure conversion).
        tracer_consts = [i for i, c in enumerate(closed.consts) if isinstance(c, Tracer)]
        const_args = []
        if tracer_consts:
            jaxpr = closed.jaxpr
            moved = [jaxpr.constvars[i] for i in tracer_consts]
            kept = [i for i in range(len(jaxpr.constvars)) if i not in tracer_consts]
            const_args = [closed.consts[i] for i in tracer_consts]
            closed = ClosedJaxpr(Jaxpr([jaxpr.constvars[i] for i in kept], moved + jaxpr.inputs,
                                       jaxpr.equations, jaxpr.outputs),
                                 [closed.consts[i] for i in kept])
        return _CacheEntry(closed, store(), const_args)

    def _lookup(self, args, kwargs):
        leaves, treedef, static_key, static = self._split(args, kwargs)
        key = (treedef, tuple(map(_leaf_signature, leaves)), static_key, default_device())
        entry = self._cache.get(key)
        if entry is None:
            self._note_miss(key)
            entry = self._trace(leaves, treedef, static, static_key[1], len(args))
            if not entry.const_args:  # a trace that closed over tracers is not reusable
                self._cache[key] = entry
        return entry, leaves

    def _note_miss(self, key):
        self._compiles += 1
        if config.explain_cache_misses and self._cache:
            logger.warning("jit of %s: cache miss: %s", self.__name__,
                           _explain(key, list(self._cache)))
        if config.log_compiles:
            logger.warning("jit of %s: compiling for %s", self.__name__, _describe(key))
        if self._compiles > RECOMPILE_WARNING_THRESHOLD and not self._warned:
            self._warned = True
            logger.warning("jit of %s has been compiled %d times. Each new input shape, dtype, "
                           "tree structure or static argument value compiles again; keep "
                           "them fixed, or set fneedle.config.update('explain_cache_misses', "
                           "True) to see what changes.", self.__name__, self._compiles)

    # -- calling -------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if config.disable_jit:
            return self.fun(*args, **kwargs)
        if self._simple and not kwargs:
            # The fast path: the signature already compiled, nothing being traced, and every
            # argument an Array, a NumPy array (read in place) or scalar, or a Python scalar.
            sig = _fast_signature(args)
            if sig is not None:
                fast = self._fast.get(sig)
                if (fast is not None and current_interpreter() is eval_interpreter
                        and not config.debug_nans):
                    exe, out_tree, single = fast
                    outs = exe.run([a._buf if type(a) is Array else
                                    a if type(a) is np.ndarray else
                                    np.asarray(a, sig[i][1]) for i, a in enumerate(args)])
                    user = [a for a in args if type(a) is np.ndarray]
                    if single:
                        o = outs[0]
                        o = o if type(o) is np.ndarray else np.asarray(o)
                        return Array(_unaliased(o, user) if user else o, exe.out_weak[0])
                    return tree_util.tree_unflatten(out_tree, [
                        Array(_unaliased(o, user), w) for o, w in zip(outs, exe.out_weak)])
        else:
            sig = None
        entry, leaves = self._lookup(args, kwargs)
        if current_interpreter() is eval_interpreter and not entry.const_args:
            exe = entry.executable
            if exe is None:
                exe = entry.executable = compile_jaxpr(entry.closed)
            bufs = [x._buf if type(x) is Array else _to_buf(x) for x in leaves]
            outs = exe.run(bufs)
            user = [b for x, b in zip(leaves, bufs) if type(x) is np.ndarray]
            outs = [Array(_unaliased(o, user), w) for o, w in zip(outs, exe.out_weak)]
            if config.debug_nans:
                _check_nans(entry.closed, bufs, outs, self.__name__)
            elif sig is not None and not entry.const_args and len(self._fast) < 64:
                single = entry.out_tree.num_leaves == 1 and tree_util.treedef_is_strict_leaf(
                    entry.out_tree)
                self._fast[sig] = (exe, entry.out_tree, single)
        else:
            outs = jit_p.bind(*entry.const_args, *leaves, jaxpr=entry.closed,
                              name=self.__name__)
        if self.donate_argnums:
            _invalidate_donated(args, self.donate_argnums)
        return tree_util.tree_unflatten(entry.out_tree, outs)

    def lower(self, *args, **kwargs):
        """The staged, optimized program for these arguments, without running it."""
        entry, _ = self._lookup(args, kwargs)
        return Lowered(entry.closed, self.__name__)

    def clear_cache(self):
        self._cache.clear()
        self._fast.clear()

    def __repr__(self):
        return f"<jit of {self.__name__}>"


class Lowered:
    """What jit compiles for one input signature: `.jaxpr` (as traced), `.optimized_jaxpr`,
    and `.as_text()` (the optimized jaxpr and the kernel plan)."""

    def __init__(self, closed, name):
        self.jaxpr = closed
        self.name = name

    @property
    def optimized_jaxpr(self):
        return optimize(self.jaxpr)

    def compile(self):
        return compile_jaxpr(self.jaxpr)

    def as_text(self):
        return f"jit of {self.name}\n" + self.compile().as_text()

    def __str__(self):
        return self.as_text()


def _check_nans(closed, bufs, outs, name):
    from fneedle.debug import _has_nan, check_nans_in_jaxpr
    if any(_has_nan(o._buf) for o in outs):
        check_nans_in_jaxpr(closed, [Array(b) for b in bufs])
        raise FloatingPointError(f"jit of {name} produced a NaN, but re-running it op by op "
                                 f"did not; the compiled and eager programs disagree.")


# Python scalars are weakly typed (DESIGN.md 2.6): their signature entry is fixed by type.
_PY_SCALAR_SIG = {float: ((), dtypes.default_float, True), int: ((), dtypes.default_int, True),
                  bool: ((), dtypes.bool_, True)}


def _fast_signature(args):
    """The key of jit's fast path: (shape, dtype, weak) per argument when every argument is an
    Array, a NumPy array or scalar of a supported dtype, or a Python scalar; else None."""
    sig = []
    for a in args:
        t = type(a)
        if t is Array:
            buf = a._buf
            sig.append((buf.shape, buf.dtype, a.weak_type))
        elif t is np.ndarray or isinstance(a, np.generic):
            if a.dtype not in _SUPPORTED:
                return None
            sig.append((a.shape, a.dtype, False))
        elif t in _PY_SCALAR_SIG:
            sig.append(_PY_SCALAR_SIG[t])
        else:
            return None
    return tuple(sig)


def _to_buf(x):
    """A buffer for a leaf that is not an Array. NumPy arrays are read in place (kernels never
    write their inputs); outputs that could alias them are copied by `_unaliased`."""
    if type(x) is np.ndarray and x.dtype in _SUPPORTED:
        return x
    if isinstance(x, Tracer):
        x._interp.check_foreign(x)
    return to_buffer(x)[0]


def _unaliased(out, user_arrays):
    """An output buffer that shares no memory with the caller's NumPy arrays, which the
    caller may mutate later: Arrays are immutable."""
    out = out if type(out) is np.ndarray else np.asarray(out)
    if any(np.may_share_memory(out, u) for u in user_arrays):
        return out.copy()
    return out


def _hashable(v):
    try:
        hash(v)
        return True
    except TypeError:
        return False


def _as_tuple(x):
    if x is None:
        return ()
    return (x,) if isinstance(x, (int, str)) else tuple(x)


def _invalidate_donated(args, donate_argnums):
    for i in donate_argnums:
        if i < len(args):
            for leaf in tree_util.tree_leaves(args[i]):
                if type(leaf) is Array:
                    leaf._buf = _DeletedBuffer()


class _DeletedBuffer:
    """Stands in for the buffer of a donated Array; any use says what happened."""

    def __getattr__(self, name):
        raise RuntimeError("This Array was donated to a jitted function (donate_argnums) and "
                           "its buffer was given to the outputs; it can no longer be used. "
                           "Keep a copy, or do not donate it.")


def _describe(key):
    treedef, sigs, static, device = key
    leaves = ", ".join(_sig_str(s) for s in sigs)
    return f"inputs ({leaves}), static {static}, device {device}"


def _sig_str(sig):
    if len(sig) == 1:
        return f"python {sig[0].__name__}"
    shape, dtype, weak = sig
    from fneedle.core.dtypes import short_name
    return f"{short_name(dtype)}[{','.join(map(str, shape))}]" + ("*" if weak else "")


def _explain(key, previous):
    """What differs between `key` and the closest earlier cache key."""
    treedef, sigs, static, device = key

    def diff(old):
        o_tree, o_sigs, o_static, o_device = old
        out = []
        if o_tree != treedef:
            out.append(f"the argument structure changed from {o_tree} to {treedef}")
        elif o_sigs != sigs:
            for i, (a, b) in enumerate(zip(o_sigs, sigs)):
                if a != b:
                    out.append(f"input leaf {i} changed from {_sig_str(a)} to {_sig_str(b)}")
        if o_static != static:
            out.append(f"static arguments changed from {o_static} to {static}")
        if o_device != device:
            out.append(f"the device changed from {o_device} to {device}")
        return out
    best = min((diff(old) for old in previous), key=len)
    return "; ".join(best) if best else "no difference found (a retrace was forced)"


def jit(fun=None, *, static_argnums=(), static_argnames=(), donate_argnums=()):
    """Compiles fun: traced once per input signature, then run as one optimized program.

    Args:
      fun: a function of pytrees of arrays (pure: no side effects but fneedle.debug.print).
      static_argnums / static_argnames: arguments passed as hashable Python values; each new
        value compiles again.
      donate_argnums: arguments whose buffers the call may reuse for its outputs; the caller
        must not use them afterwards.
    Returns:
      The compiled function (usable as a decorator, with or without arguments).
    Example:
      step = fneedle.jit(lambda p, x: fneedle.tree_map(lambda a, g: a - 0.1 * g, p,
                                                       fneedle.grad(loss)(p, x)))
    """
    if fun is None:
        return lambda f: jit(f, static_argnums=static_argnums,
                             static_argnames=static_argnames, donate_argnums=donate_argnums)
    return Jitted(fun, static_argnums, static_argnames, donate_argnums)


class disable_jit:
    """Context manager (and decorator) that runs jitted functions eagerly, for debugging."""

    def __enter__(self):
        self._old = config.disable_jit
        config.update("disable_jit", True)
        return self

    def __exit__(self, *exc):
        config.update("disable_jit", self._old)
        return False
