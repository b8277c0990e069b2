"""Per-call overhead on tiny inputs: a cached jitted call, a cached jit(grad), one eager op.

Benches (one JSON row per impl, see benchmarks/README.md):
  jit_call       `x * 2 + 1` on 8 float32: fneedle.jit, jax.jit, torch.compile, torch eager,
                 NumPy. Each library gets its own array type; the "/np-in" impls pass a NumPy
                 array instead (the conversion a user pays when feeding NumPy data).
  jit_grad_call  grad of `sum(sin(x) * x)` on 10 float32: fneedle.jit(grad), fneedle.grad
                 (eager), jax.jit(grad), torch.compile(torch.func.grad), torch autograd, and
                 the hand-written NumPy gradient `cos(x) * x + sin(x)`.
  eager_op       `sin` on 8 float32: fneedle.numpy.sin, jnp.sin (JAX eager), torch.sin, np.sin.

Usage: python benchmarks/bench_overhead.py [--quick] [--json rows.jsonl] [--torch-compile on]
"""

import os
import sys

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


def sync(out):
    """Waits for JAX's asynchronous results; the others are ready when they return."""
    return out.block_until_ready() if hasattr(out, "block_until_ready") else out


def jit_call(args):
    x = np.linspace(-1, 1, 8, dtype=np.float32)
    xf = fn.Array(x)
    f = fn.jit(lambda x: x * 2 + 1)
    impls = {"fneedle.jit": lambda: f(xf), "fneedle.jit/np-in": lambda: f(x),
             "numpy": lambda: x * 2 + 1}
    if jax is not None:
        xj = jnp.asarray(x)
        g = jax.jit(lambda x: x * 2 + 1)
        impls["jax.jit"] = lambda: g(xj)
        impls["jax.jit/np-in"] = lambda: g(x)
    if torch is not None:
        xt = torch.from_numpy(x.copy())
        if args.use_torch_compile:
            tc = torch.compile(lambda x: x * 2 + 1)
            impls["torch.compile"] = lambda: tc(xt)
        impls["torch"] = lambda: xt * 2 + 1
    return measure(impls, bench="jit_call", size=8, reference=x * 2 + 1, rounds=args.rounds,
                   sync=sync, extra={"dtype": "float32", "what": "x * 2 + 1"})


def jit_grad_call(args):
    x = np.linspace(0, 1, 10, dtype=np.float32)
    xf = fn.Array(x)
    want = np.cos(x) * x + np.sin(x)
    fg = fn.jit(fn.grad(lambda x: fnp.sum(fnp.sin(x) * x)))
    eager = fn.grad(lambda x: fnp.sum(fnp.sin(x) * x))
    impls = {"fneedle.jit": lambda: fg(xf), "fneedle.grad (eager)": lambda: eager(xf),
             "numpy (by hand)": lambda: np.cos(x) * x + np.sin(x)}
    if jax is not None:
        xj = jnp.asarray(x)
        jg = jax.jit(jax.grad(lambda x: jnp.sum(jnp.sin(x) * x)))
        impls["jax.jit"] = lambda: jg(xj)
    if torch is not None:
        xt = torch.from_numpy(x.copy())
        if args.use_torch_compile:
            tg = torch.compile(torch.func.grad(lambda x: torch.sum(torch.sin(x) * x)))
            impls["torch.compile"] = lambda: tg(xt)
        xr = xt.clone().requires_grad_(True)

        def torch_autograd():
            return torch.autograd.grad(torch.sum(torch.sin(xr) * xr), xr)[0]
        impls["torch (autograd)"] = torch_autograd
    return measure(impls, bench="jit_grad_call", size=10, reference=want, rtol=1e-5,
                   atol=1e-6, rounds=args.rounds, sync=sync,
                   extra={"dtype": "float32", "what": "grad of sum(sin(x) * x)"})


def eager_op(args):
    x = np.linspace(-1, 1, 8, dtype=np.float32)
    xf = fn.Array(x)
    impls = {"fneedle": lambda: fnp.sin(xf), "fneedle/np-in": lambda: fnp.sin(x),
             "numpy": lambda: np.sin(x)}
    if jax is not None:
        xj = jnp.asarray(x)
        impls["jax"] = lambda: jnp.sin(xj)
    if torch is not None:
        xt = torch.from_numpy(x.copy())
        impls["torch"] = lambda: torch.sin(xt)
    return measure(impls, bench="eager_op", size=8, reference=np.sin(x), rtol=1e-6,
                   rounds=args.rounds, sync=sync, extra={"dtype": "float32", "what": "sin"})


def main():
    p = bench_args(__doc__.splitlines()[0])
    p.add_argument("--only", default="jit_call,jit_grad_call,eager_op")
    args = settle_args(p.parse_args())
    threads = impl_threads(torch)
    for name in args.only.split(","):
        rows = {"jit_call": jit_call, "jit_grad_call": jit_grad_call, "eager_op": eager_op}[name](
            args)
        finish(rows, args, target="jax" if name == "eager_op" else "jax.jit", threads=threads)


if __name__ == "__main__":
    main()
