"""Eager grad of a long chain of equations: `x = sin(x) * 1.01`, repeated, then sum(x).

Each repetition is two equations (sin, mul), so a chain of length L has L/2 repetitions. Rows
(`grad_chain`): the time of one `fneedle.grad` call for L in 250 .. 2000, and JAX's eager
`jax.grad` and torch autograd for the same L, with `per_eq_s` = time / L. A time linear in L
shows as a flat per_eq_s; the `grad_chain_linearity` row gives the slope of a least-squares
line and the per-equation ratio of the longest to the shortest chain. A final row runs
fneedle at L = 10,000 under Python's default recursion limit (no RecursionError: graphs are
walked iteratively). Every gradient is checked against NumPy's product of cos(x_i) * 1.01.

Usage: python benchmarks/bench_grad_chain.py [--quick] [--lengths 250,500,1000,2000]
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
N = 10  # elements of x


def chain(m, length):
    def f(x):
        for _ in range(length // 2):
            x = m.sin(x) * 1.01
        return m.sum(x)
    return f


def reference(x, length):
    """d sum(chain(x)) / dx in float64: the product of the per-step derivatives."""
    x, d = x.astype(np.float64), np.ones_like(x, np.float64)
    for _ in range(length // 2):
        d *= np.cos(x) * 1.01
        x = np.sin(x) * 1.01
    return d.astype(np.float32)


def sync(out):
    return out.block_until_ready() if hasattr(out, "block_until_ready") else out


def bench(length, args, peers=True):
    x = np.linspace(0.1, 1.0, N, dtype=np.float32)
    xf = fn.Array(x)
    g = fn.grad(chain(fnp, length))
    impls = {"fneedle.grad": lambda: g(xf)}
    if peers and jax is not None:
        jg = jax.grad(chain(jnp, length))
        xj = jnp.asarray(x)
        impls["jax.grad (eager)"] = lambda: jg(xj)
    if peers and torch is not None:
        xt = torch.from_numpy(x.copy()).requires_grad_(True)
        tf = chain(torch, length)
        impls["torch (autograd)"] = lambda: torch.autograd.grad(tf(xt), xt)[0]
    eqs = len(fn.make_jaxpr(chain(fnp, length))(xf).jaxpr.equations)
    rows = measure(impls, bench="grad_chain", size=length, reference=reference(x, length),
                   rtol=1e-3, atol=1e-6, rounds=args.rounds, sync=sync, warmup=1,
                   min_sample_s=2e-3, extra={"dtype": "float32", "jaxpr_equations": eqs,
                                             "recursion_limit": sys.getrecursionlimit()})
    for row in rows:
        if "median_s" in row:
            row["per_eq_s"] = row["median_s"] / length
    return rows


def linearity(all_rows):
    """Per impl: least-squares slope (s per equation), intercept, and how much the
    per-equation time grows from the shortest chain to the longest (1.0: exactly linear)."""
    out = []
    for impl in dict.fromkeys(r["impl"] for r in all_rows):
        pts = sorted((r["size"], r["median_s"]) for r in all_rows
                     if r["impl"] == impl and "median_s" in r)
        if len(pts) < 2:
            continue
        ls, ts = np.array(pts, dtype=float).T
        slope, intercept = np.polyfit(ls, ts, 1)
        out.append({"bench": "grad_chain_linearity", "impl": impl, "lengths": ls.tolist(),
                    "slope_s_per_eq": slope, "intercept_s": intercept,
                    "per_eq_growth": (ts[-1] / ls[-1]) / (ts[0] / ls[0])})
    return out


def main():
    p = bench_args(__doc__.splitlines()[0])
    p.add_argument("--lengths", default="")
    p.add_argument("--long", type=int, default=10_000, help="the fneedle-only long chain")
    args = settle_args(p.parse_args())
    lengths = args.lengths or ("250,500,1000" if args.quick else "250,500,1000,2000")
    threads = impl_threads(torch)
    rows = []
    for length in [int(s) for s in lengths.split(",")]:
        rows += finish(bench(length, args), args, target="jax.grad (eager)", threads=threads)
    if args.long:
        rows += finish(bench(args.long, args, peers=False), args, threads=threads)
    finish(linearity(rows), args, is_peer=lambda impl: False)


if __name__ == "__main__":
    main()
