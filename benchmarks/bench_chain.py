"""The 8-op elementwise chain `tanh(x*a + b) * exp(-x*x) + sqrt(|x|) + 1` on float32.

One JSON row per (size, impl): fneedle.jit, jax.jit, torch.compile, torch eager, NumPy, and
`copy` (np.copyto into a warm buffer: the machine's copy bandwidth, measured in the same run).
The chain reads x and writes the result, 8 bytes per element as a copy does, so `gbps` =
8 * n / time puts every impl on the copy's scale. Allocation of the output matters at 1e7
(40 MB): run under both malloc settings of BENCHMARKING.md (benchmarks/run_all.py does).

Usage: python benchmarks/bench_chain.py [--quick] [--sizes 1e5,1e6,1e7] [--json rows.jsonl]
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
A, B = 0.7, 0.3


def chain(m):
    """The chain written once against a NumPy-like module m (fnp, jnp, torch, np)."""
    return lambda x: m.tanh(x * A + B) * m.exp(-x * x) + m.sqrt(m.abs(x)) + 1


def sync(out):
    return out.block_until_ready() if hasattr(out, "block_until_ready") else out


def bench(n, args):
    x = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    want = chain(np)(x)
    warm = np.empty_like(x)
    f = fn.jit(chain(fnp))
    xf = fn.Array(x)
    impls = {"fneedle.jit": lambda: f(xf), "numpy": lambda: chain(np)(x),
             "copy": lambda: np.copyto(warm, x) or warm}
    if jax is not None:
        g = jax.jit(chain(jnp))
        xj = jnp.asarray(x)
        impls["jax.jit"] = lambda: g(xj)
    if torch is not None:
        xt = torch.from_numpy(x.copy())
        if args.use_torch_compile:
            tc = torch.compile(chain(torch), dynamic=False)
            impls["torch.compile"] = lambda: tc(xt)
        impls["torch"] = lambda: chain(torch)(xt)

    def check(name, out, ref):
        if name != "copy":
            np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-5, atol=1e-5,
                                       err_msg=f"{name} disagrees with NumPy on the chain")
    return measure(impls, bench="chain", size=n, reference=want, check=check,
                   rounds=args.rounds, sync=sync, nbytes=8 * n,
                   extra={"dtype": "float32", "what": "tanh(x*a+b)*exp(-x*x)+sqrt(|x|)+1"})


def main():
    p = bench_args(__doc__.splitlines()[0])
    p.add_argument("--sizes", default="")
    args = settle_args(p.parse_args())
    sizes = args.sizes or ("1e5,1e6" if args.quick else "1e5,1e6,1e7")
    threads = impl_threads(torch)
    for n in [int(float(s)) for s in sizes.split(",")]:
        rows = bench(n, args)
        copy = next((r for r in rows if r["impl"] == "copy" and "gbps" in r), None)
        finish(rows, args, threads=threads,
               extra={"copy_gbps": copy["gbps"]} if copy else None)


if __name__ == "__main__":
    main()
