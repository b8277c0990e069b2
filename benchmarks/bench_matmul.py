"""Square float32 matrix products (256 .. 2048) in GFLOP/s: fneedle against NumPy, JAX, torch.

Impls: `fneedle` (fnp.matmul on fneedle Arrays, eager), `fneedle.jit` (the same under jit),
`numpy` (np.matmul), `jax.jit`, `torch` (torch.matmul). gflops = 2 n^3 / time. Every row
names the BLAS behind it: fneedle's dot_general calls NumPy's matmul, so both use NumPy's
OpenBLAS, whose kernels depend on OPENBLAS_CORETYPE (`openblas_core` is the one running);
JAX uses XLA's CPU dot (Eigen); torch uses MKL (`torch_blas`).

Usage: python benchmarks/bench_matmul.py [--quick] [--sizes 256,512,1024,2048] [--json F]
"""

import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import (  # noqa: E402
    bench_args,
    finish,
    impl_threads,
    load_peers,
    measure,
    openblas_info,
    settle_args,
)

import fneedle as fn  # noqa: E402
import fneedle.numpy as fnp  # noqa: E402

jax, jnp, torch = load_peers()


def blas_names():
    """Which BLAS each impl uses, as far as each library tells."""
    info = openblas_info()
    names = {"openblas_core": info.get("openblas_core", "?"),
             "OPENBLAS_CORETYPE": info["OPENBLAS_CORETYPE"]}
    numpy_blas = f"{info.get('numpy_blas', 'NumPy BLAS')} ({names['openblas_core']} kernels)"
    names["blas_of"] = {"fneedle": numpy_blas + " via NumPy", "numpy": numpy_blas,
                        "jax": "XLA CPU dot (Eigen)"}
    if torch is not None:
        cfg = torch.__config__.show()
        m = re.search(r"BLAS_INFO=(\w+)", cfg)
        names["blas_of"]["torch"] = (m.group(1) if m else "?") + (
            ", CPU capability " + re.search(r"CPU capability usage: (\w+)", cfg).group(1)
            if "CPU capability usage" in cfg else "")
    return names


def sync(out):
    return out.block_until_ready() if hasattr(out, "block_until_ready") else out


def bench(n, args):
    rng = np.random.default_rng(n)
    a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    want = (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)
    af, bf = fn.Array(a), fn.Array(b)
    jm = fn.jit(fnp.matmul)
    impls = {"fneedle": lambda: fnp.matmul(af, bf), "fneedle.jit": lambda: jm(af, bf),
             "numpy": lambda: np.matmul(a, b)}
    if jax is not None:
        aj, bj = jnp.asarray(a), jnp.asarray(b)
        jj = jax.jit(jnp.matmul)
        impls["jax.jit"] = lambda: jj(aj, bj)
    if torch is not None:
        at, bt = torch.from_numpy(a), torch.from_numpy(b)
        impls["torch"] = lambda: torch.matmul(at, bt)
    # float32 sums of n products differ from float64's by ~sqrt(n) * eps * |terms|.
    return measure(impls, bench="matmul", size=n, reference=want, rtol=1e-3,
                   atol=1e-5 * n, rounds=args.rounds, sync=sync, flops=2.0 * n ** 3,
                   extra={"dtype": "float32", "shape": [n, n]})


def main():
    p = bench_args(__doc__.splitlines()[0])
    p.add_argument("--sizes", default="")
    args = settle_args(p.parse_args())
    sizes = args.sizes or ("256,512" if args.quick else "256,512,1024,2048")
    names = blas_names()
    blas_of = names.pop("blas_of")
    threads = impl_threads(torch, blas=True)

    def per_impl(impl):
        return {**threads(impl), "blas": blas_of.get(impl.split(".")[0], "?")}
    for n in [int(s) for s in sizes.split(",")]:
        finish(bench(n, args), args, threads=per_impl, extra=names)


if __name__ == "__main__":
    main()
