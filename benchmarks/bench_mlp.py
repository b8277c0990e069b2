"""One SGD training step of an MLP 784-512-512-10 (tanh, batch 256, softmax cross-entropy).

Benches:
  mlp_step        steady state: fneedle.jit(step), jax.jit(step), torch.compile(step) (via
                  torch.func.grad_and_value), torch eager (autograd), and a hand-written
                  NumPy forward + backward. Params are a pytree (a list of {"w", "b"} dicts);
                  each impl's new params and loss are checked against NumPy's before timing.
  mlp_first_call  the first call of a freshly jitted step (trace + compile + run), each
                  library already initialized; fneedle's and JAX's rows also split it into
                  trace_s / lower_s / compile_s.

flops = 3 x forward GEMM flops (forward, and two GEMMs per layer backward), ~1.03 GFLOP.
Usage: python benchmarks/bench_mlp.py [--quick] [--json rows.jsonl] [--torch-compile on]
"""

import json
import os
import sys
import time
from itertools import pairwise

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import (  # noqa: E402
    bench_args,
    finish,
    impl_threads,
    load_peers,
    measure,
    settle_args,
)

import fneedle as fn  # noqa: E402
import fneedle.numpy as fnp  # noqa: E402

jax, jnp, torch = load_peers()
SIZES, BATCH, LR = (784, 512, 512, 10), 256, 0.01


def make_step(m, logsumexp, tree_map, grad_and_value):
    """The step written once for a JAX-like library (fneedle or JAX). A new function object
    on every call, so each jit of it traces and compiles afresh."""
    def loss_fn(params, x, y):
        h = x
        for layer in params[:-1]:
            h = m.tanh(h @ layer["w"] + layer["b"])
        logits = h @ params[-1]["w"] + params[-1]["b"]
        logp = logits - logsumexp(logits, axis=1, keepdims=True)
        return -m.mean(m.take_along_axis(logp, y[:, None], axis=1))

    def step(params, x, y):
        loss, grads = grad_and_value(loss_fn)(params, x, y)
        return tree_map(lambda p, g: p - LR * g, params, grads), loss
    return step


def fneedle_step():
    return make_step(fnp, fnp.logsumexp, fn.tree_map, fn.value_and_grad)


def jax_step():
    return make_step(jnp, jax.nn.logsumexp, jax.tree_util.tree_map, jax.value_and_grad)


def numpy_step(params, x, y):
    """Forward and backward by hand: the floor a library's autodiff is measured against."""
    hs, h = [x], x
    for layer in params[:-1]:
        h = np.tanh(h @ layer["w"] + layer["b"])
        hs.append(h)
    logits = h @ params[-1]["w"] + params[-1]["b"]
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = -np.mean(shifted[rows, y] - np.log(s[:, 0]))
    d = e / s
    d[rows, y] -= 1
    d /= np.float32(len(y))  # d loss / d logits
    new = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        w, b = params[i]["w"], params[i]["b"]
        new[i] = {"w": w - LR * (hs[i].T @ d), "b": b - LR * d.sum(axis=0)}
        if i:
            d = (d @ w.T) * (1 - hs[i] * hs[i])
    return new, loss


def torch_steps():
    """(eager autograd step, functional step for torch.compile)."""
    def loss_fn(params, x, y):
        h = x
        for layer in params[:-1]:
            h = torch.tanh(h @ layer["w"] + layer["b"])
        logits = h @ params[-1]["w"] + params[-1]["b"]
        logp = logits - torch.logsumexp(logits, 1, keepdim=True)
        return -logp.gather(1, y[:, None]).mean()

    def eager(params, x, y):
        leaves = [layer[k] for layer in params for k in ("w", "b")]
        loss = loss_fn(params, x, y)
        grads = iter(torch.autograd.grad(loss, leaves))
        with torch.no_grad():
            new = [{k: layer[k] - LR * next(grads) for k in ("w", "b")} for layer in params]
        return new, loss.detach()

    def functional(params, x, y):
        grads, loss = torch.func.grad_and_value(loss_fn)(params, x, y)
        return [{k: p[k] - LR * g[k] for k in ("w", "b")} for p, g in zip(params, grads)], loss
    return eager, functional


def leaves(tree):
    """Leaves of a params/loss tree as NumPy arrays, dict keys sorted (as pytrees do)."""
    if isinstance(tree, dict):
        return [x for k in sorted(tree) for x in leaves(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [x for t in tree for x in leaves(t)]
    if hasattr(tree, "detach"):
        tree = tree.detach()
    return [np.asarray(tree)]


def sync(out):
    for leaf in (out[0] if isinstance(out, tuple) else []):
        for v in leaf.values():
            if hasattr(v, "block_until_ready"):
                v.block_until_ready()
    return out


def check(name, out, ref):
    got, want = leaves(out), leaves(ref)
    if len(got) != len(want):
        raise AssertionError(f"{name}: {len(got)} leaves, NumPy has {len(want)}")
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5,
                                   err_msg=f"{name}: leaf {i} disagrees with NumPy")


def inputs():
    rng = np.random.default_rng(0)
    params = [{"w": (rng.standard_normal((i, o)) / np.sqrt(i)).astype(np.float32),
               "b": np.zeros(o, np.float32)} for i, o in pairwise(SIZES)]
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH).astype(np.int32)
    return params, x, y


def timed(f):
    start = time.perf_counter()
    out = f()
    return time.perf_counter() - start, out


def bench(args):
    params, x, y = inputs()
    want = numpy_step(params, x, y)
    impls, first = {}, {}
    pf = fn.tree_map(fn.Array, params)
    xf, yf = fn.Array(x), fn.Array(y)
    fn.jit(lambda v: v + 1)(xf)  # fneedle initialized: the first call below is the step's
    step = fn.jit(fneedle_step())
    first["fneedle.jit"], _ = timed(lambda: step(pf, xf, yf))
    impls["fneedle.jit"] = lambda: step(pf, xf, yf)
    if jax is not None:
        pj = jax.tree_util.tree_map(jnp.asarray, params)
        xj, yj = jnp.asarray(x), jnp.asarray(y)
        jax.jit(lambda v: v + 1)(xj).block_until_ready()
        jstep = jax.jit(jax_step())
        first["jax.jit"], _ = timed(lambda: sync(jstep(pj, xj, yj)))
        impls["jax.jit"] = lambda: jstep(pj, xj, yj)
    if torch is not None:
        pt = [{k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in layer.items()}
              for layer in params]
        xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
        eager, functional = torch_steps()
        first["torch"], _ = timed(lambda: eager(pt, xt, yt))
        impls["torch"] = lambda: eager(pt, xt, yt)
        if args.use_torch_compile:
            cstep = torch.compile(functional)
            try:
                first["torch.compile"], _ = timed(lambda: cstep(pt, xt, yt))
                impls["torch.compile"] = lambda: cstep(pt, xt, yt)
            except Exception as e:  # noqa: BLE001  (a compiler failure is a row, not a crash)
                print(json.dumps({"bench": "mlp_step", "impl": "torch.compile", "size": BATCH,
                                  "error": f"{type(e).__name__}: {e}"[:500]}), flush=True)
    impls["numpy (by hand)"] = lambda: numpy_step(params, x, y)
    flops = 3 * 2.0 * BATCH * sum(i * o for i, o in pairwise(SIZES))
    rows = measure(impls, bench="mlp_step", size=BATCH, reference=want, check=check,
                   rounds=args.rounds, sync=sync, flops=flops,
                   extra={"dtype": "float32", "what": "MLP 784-512-512-10 tanh, SGD step"})
    return rows, first_call_rows(first, (pf, xf, yf), (pj, xj, yj) if jax else None, args)


def first_call_rows(first, fargs, jargs, args):
    """One row per library: the first call's time, plus (fneedle, JAX) its phases measured
    on further fresh functions, `reps` times, as median and p10/p90."""
    reps = 1 if args.quick else 3
    rows = []
    for impl, t in first.items():
        row = {"bench": "mlp_first_call", "impl": impl, "size": BATCH, "first_call_s": t}
        samples = [t]
        if impl == "fneedle.jit":
            phases = {"trace_s": [], "compile_s": []}
            for _ in range(reps):
                samples.append(timed(lambda: fn.jit(fneedle_step())(*fargs))[0])
                dt, lowered = timed(lambda: fn.jit(fneedle_step()).lower(*fargs))
                phases["trace_s"].append(dt)
                phases["compile_s"].append(timed(lowered.compile)[0])
            row.update({k: float(np.median(v)) for k, v in phases.items()})
        elif impl == "jax.jit":
            phases = {"trace_s": [], "lower_s": [], "compile_s": []}
            for _ in range(reps):
                samples.append(timed(lambda: sync(jax.jit(jax_step())(*jargs)))[0])
                dt, traced = timed(lambda: jax.jit(jax_step()).trace(*jargs))
                phases["trace_s"].append(dt)
                dt, lowered = timed(traced.lower)
                phases["lower_s"].append(dt)
                phases["compile_s"].append(timed(lowered.compile)[0])
            row.update({k: float(np.median(v)) for k, v in phases.items()})
        samples.sort()
        row.update(median_s=float(np.median(samples)), p10_s=float(np.percentile(samples, 10)),
                   p90_s=float(np.percentile(samples, 90)), samples=len(samples))
        rows.append(row)
    return rows


def main():
    args = settle_args(bench_args(__doc__.splitlines()[0]).parse_args())
    threads = impl_threads(torch, blas=True)
    steady, first = bench(args)
    finish(steady, args, threads=threads)
    finish(first, args, threads=threads, is_peer=lambda impl: impl.startswith(("jax", "torch.c")))


if __name__ == "__main__":
    main()
