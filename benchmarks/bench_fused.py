"""The fused register machine and the caching allocator against NumPy, JAX and the copy
bandwidth, one JSON row per measurement (shared BENCHMARKING.md; timing by _harness.py).

Benches:
  chain     tanh(x*a + b) * exp(-x*x) + sqrt(|x|) + 1 on float32 (8 ops): the kernel called
            directly with a warm output buffer, `fneedle.jit` end to end (on an Array, so jit
            does not copy the argument), NumPy, jax.jit, and np.copyto (the bandwidth floor:
            the chain reads and writes as much as a copy).
  reduce    sum(tanh(x) * y, axis=-1): the row-sum epilogue, via fneedle.jit, NumPy and JAX.
  overhead  the chain on 8 elements: per-call cost of the kernel and of fneedle.jit.
  alloc     allocate + write 4 MB and 40 MB: np.empty against _C.empty and a warm buffer (run
            it under both malloc settings of BENCHMARKING.md).
  block     (--sweep) the chain at 1e6 for several block sizes and thread thresholds.

`ratio` is NumPy's median over this one (the warm fill's in `alloc`); `ratio_to_best_peer`
compares with the fastest of NumPy and JAX.
Usage: python benchmarks/bench_fused.py [--bench chain reduce overhead alloc] [--sizes N ...]
       [--sweep] [--rounds R] [--json FILE]
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import add_peer_ratios, emit, impl_threads, load_peers, measure, write_rows

import fneedle as fn
from fneedle import lax
from fneedle.backend import cpu as cpu_backend
from fneedle.backend.fused_ops import OPCODE

C = cpu_backend._C
jax, jnp, _ = load_peers()
PEERS = ("numpy", "jax_jit")


def check_except(skip, rtol, atol):
    """A harness check that leaves the impls in `skip` (which return nothing) unchecked."""
    def check(name, out, ref):
        if name not in skip:
            np.testing.assert_allclose(np.asarray(out), ref, rtol=rtol, atol=atol,
                                       err_msg=f"{name} disagrees with NumPy")
    return check


def report(rows, args):
    threads = impl_threads()
    for row in rows:
        impl = row["impl"]
        row.update(threads("fneedle" if impl == "fused_kernel" else impl) or {"threads": 1})
    add_peer_ratios(rows, lambda impl: impl in PEERS, target="jax_jit")
    emit(rows)
    if args.json:
        write_rows(args.json, rows)


def chain_code():
    """Register code for tanh(x*a + b) * exp(-x*x) + sqrt(|x|) + 1; x is register 0."""
    op = OPCODE
    code = np.array([
        (op["mul"], 4, 0, 1, 0), (op["add"], 4, 4, 2, 0), (op["tanh"], 4, 4, 0, 0),
        (op["mul"], 5, 0, 0, 0), (op["neg"], 5, 5, 0, 0), (op["exp"], 5, 5, 0, 0),
        (op["mul"], 4, 4, 5, 0), (op["abs"], 5, 0, 0, 0), (op["sqrt"], 5, 5, 0, 0),
        (op["add"], 4, 4, 5, 0), (op["add"], 4, 4, 3, 0)], np.int32)
    return code, np.array([0.7, 0.3, 1.0]), 6, 4


def chain_impls(n):
    a, b = np.float32(0.7), np.float32(0.3)
    x = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    want = np.tanh(x * a + b) * np.exp(-x * x) + np.sqrt(np.abs(x)) + np.float32(1)
    code, consts, n_regs, out_reg = chain_code()
    out = np.empty(n, np.float32)

    def kernel():
        C.fused_elementwise(code, [x], consts, n_regs, [(out_reg, out)], "float32")
        return out

    jf = fn.jit(lambda x, a, b: lax.tanh(x * a + b) * lax.exp(-x * x) + lax.sqrt(lax.abs(x))
                + 1.0)
    xa = fn.device_put(x)
    impls = {
        "fused_kernel": kernel,
        "fneedle_jit": lambda: np.asarray(jf(xa, a, b)),
        "numpy": lambda: np.tanh(x * a + b) * np.exp(-x * x) + np.sqrt(np.abs(x)) + 1,
        "copy": lambda: np.copyto(out, x),
    }
    if jax is not None:
        jj = jax.jit(lambda x: jnp.tanh(x * 0.7 + 0.3) * jnp.exp(-x * x) +
                     jnp.sqrt(jnp.abs(x)) + 1)
        xj = jnp.asarray(x)
        impls["jax_jit"] = lambda: jj(xj).block_until_ready()
    return impls, want


def bench_chain(args, sizes, bench="chain"):
    for n in sizes:
        impls, want = chain_impls(n)
        if bench == "overhead":
            del impls["numpy"]
        report(measure(impls, bench=bench, size=n, reference=want, rounds=args.rounds,
                       check=check_except({"copy"}, 2e-6, 2e-6),
                       baseline="copy" if bench == "overhead" else "numpy", nbytes=8 * n),
               args)


def reduce_impls(rows, cols):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((rows, cols)).astype(np.float32)
    y = rng.standard_normal((rows, cols)).astype(np.float32)
    want = (np.tanh(x.astype(np.float64)) * y).sum(axis=1).astype(np.float32)
    jf = fn.jit(lambda x, y: lax.reduce_sum(lax.tanh(x) * y, (1,)))
    xa, ya = fn.device_put(x), fn.device_put(y)
    impls = {"fneedle_jit": lambda: np.asarray(jf(xa, ya)),
             "numpy": lambda: (np.tanh(x) * y).sum(axis=1)}
    if jax is not None:
        jj = jax.jit(lambda x, y: (jnp.tanh(x) * y).sum(axis=1))
        xj, yj = jnp.asarray(x), jnp.asarray(y)
        impls["jax_jit"] = lambda: jj(xj, yj).block_until_ready()
    return impls, want


def bench_reduce(args, shapes):
    for rows, cols in shapes:
        impls, want = reduce_impls(rows, cols)
        report(measure(impls, bench="reduce", size=rows * cols, reference=want,
                       rounds=args.rounds, check=check_except((), 1e-4, 1e-3),
                       baseline="numpy", nbytes=8 * rows * cols,
                       extra={"shape": [rows, cols]}), args)


def alloc_impls(n):
    warm = np.empty(n, np.float32)
    return {"np.empty": lambda: np.empty(n, np.float32).fill(1.0),
            "_C.empty": lambda: C.empty(n, np.float32).fill(1.0),
            "warm_fill": lambda: warm.fill(1.0)}


def bench_alloc(args, sizes_mb):
    malloc = "steady" if os.environ.get("MALLOC_MMAP_MAX_") == "0" else "default"
    for mb in sizes_mb:
        n = mb * 1_000_000 // 4
        report(measure(alloc_impls(n), bench="alloc", size=n, check=lambda *_: None,
                       rounds=args.rounds, baseline="warm_fill", nbytes=4 * n,
                       extra={"malloc": malloc}), args)


def bench_block_sweep(args, n=1_000_000):
    kernel = chain_impls(n)[0]["fused_kernel"]
    old = C.fused_tuning()
    try:
        for block in (256, 512, 1024, 2048, 4096, 8192):
            for work in (1 << 14, 1 << 17, 1 << 20, 1 << 40):
                C.fused_tuning(block, work)
                report(measure({"fused_kernel": kernel}, bench="block", size=n,
                               rounds=args.rounds, nbytes=8 * n,
                               extra={"block": block, "parallel_work": work}), args)
    finally:
        C.fused_tuning(*old)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", nargs="*", default=["chain", "reduce", "overhead", "alloc"])
    parser.add_argument("--sizes", nargs="*", type=lambda s: int(float(s)),
                        default=[1_000, 100_000, 1_000_000, 10_000_000])
    parser.add_argument("--sweep", action="store_true", help="also sweep the block size")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", default="", help="also append rows to this JSON-lines file")
    args = parser.parse_args()
    if C is None or not hasattr(C, "fused_elementwise"):
        raise SystemExit("fneedle._C has no fused_elementwise; build the extension first.")
    if "chain" in args.bench:
        bench_chain(args, args.sizes)
    if "reduce" in args.bench:
        bench_reduce(args, [(1000, 1000), (100, 100_000), (1_000_000, 4)])
    if "overhead" in args.bench:
        bench_chain(args, [8], bench="overhead")
    if "alloc" in args.bench:
        bench_alloc(args, [4, 40])
    if args.sweep:
        bench_block_sweep(args)


if __name__ == "__main__":
    main()
