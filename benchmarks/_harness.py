"""A small timing harness shared by the benchmark scripts (see shared BENCHMARKING.md).

Every implementation of one benchmark is set up first and checked against a reference; then
all are timed in interleaved rounds (A B C, B C A, C A B, ...), each preceded by untimed warm-up
calls, with enough calls per sample that a sample lasts at least `min_sample_s`. Results are
JSON rows: bench, impl, size, median_s, p10_s, p90_s, ratio (to the baseline), gbps/gflops.

    rows = measure({"numpy": lambda: np.exp(x), "fneedle": lambda: k(x)}, bench="exp",
                   size=x.size, baseline="numpy", nbytes=2 * x.nbytes)
    emit(rows)
"""

import json
import os
import sys
import time
from typing import Any, Callable

import numpy as np

_ENV_KEYS = ("MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS", "OMP_WAIT_POLICY",
             "OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS")


def env_info() -> dict:
    """The settings that change timings on this machine (malloc, thread counts)."""
    info = {k: os.environ[k] for k in _ENV_KEYS if k in os.environ}
    info["numpy"] = np.__version__
    info["cpus"] = os.cpu_count()
    info["malloc"] = "steady" if os.environ.get("MALLOC_MMAP_MAX_") == "0" else "default"
    return info


def _quantile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _default_check(name, out, ref, rtol, atol):
    out = np.asarray(out)
    ref = np.asarray(ref)
    if out.shape != ref.shape:
        raise AssertionError(f"{name}: shape {out.shape} != reference {ref.shape}")
    if out.dtype != ref.dtype:
        raise AssertionError(f"{name}: dtype {out.dtype} != reference {ref.dtype}")
    np.testing.assert_allclose(out, ref, rtol=rtol, atol=atol, equal_nan=True,
                               err_msg=f"{name} disagrees with the reference")


def _calls_per_sample(fn, sync, min_sample_s):
    start = time.perf_counter()
    sync(fn())
    once = max(time.perf_counter() - start, 1e-8)
    return max(1, int(np.ceil(min_sample_s / once)))


def measure(impls: "dict[str, Callable[[], Any]]", *, bench: str, size=None,
            reference: Any = None, check: "Callable | None" = None, rtol=1e-6, atol=0.0,
            baseline: "str | None" = None, rounds: int = 7, warmup: int = 2,
            min_sample_s: float = 2e-3, sync: "Callable[[Any], Any] | None" = None,
            nbytes: "int | None" = None, flops: "float | None" = None,
            extra: "dict | None" = None) -> "list[dict]":
    """Times zero-argument callables against each other; returns one JSON-able row per impl.

    Args:
      impls: name -> callable doing one complete call (inputs already prepared).
      bench, size: identify the measurement in each row.
      reference: the expected output (an array, or a callable producing it); defaults to the
        baseline's output. Each impl's output is checked before timing; a mismatch or an
        exception gives an error row and the impl is not timed.
      check: custom check(name, out, ref) raising on mismatch (default: allclose).
      baseline: the impl the `ratio` column divides by (its median / this median = speed-up).
      rounds: interleaved rounds; each round takes one sample of every impl.
      warmup: untimed calls before each sample (lets a previous library's threads settle).
      min_sample_s: a sample repeats the call until it lasts at least this long.
      sync: applied to each result to wait for it (e.g. block_until_ready for JAX).
      nbytes, flops: bytes moved / flops per call, for the gbps / gflops columns.
      extra: more fields copied into every row.
    """
    sync = sync or (lambda out: out)
    rows, live = {}, {}
    ref = reference() if callable(reference) else reference
    for name, fn in impls.items():
        row = {"bench": bench, "impl": name, "size": size, **(extra or {})}
        try:
            out = sync(fn())
            if ref is None and (baseline is None or name == baseline):
                ref = out
            elif ref is not None:
                (check or (lambda n, o, r: _default_check(n, o, r, rtol, atol)))(name, out, ref)
            live[name] = fn
        except Exception as e:  # a fast wrong answer is an error row, not a result
            row["error"] = f"{type(e).__name__}: {e}"[:500]
        rows[name] = row
    n_calls = {name: _calls_per_sample(fn, sync, min_sample_s) for name, fn in live.items()}
    samples = {name: [] for name in live}
    order = list(live)
    for r in range(rounds):
        shift = r % max(len(order), 1)
        for name in order[shift:] + order[:shift]:
            fn, n = live[name], n_calls[name]
            for _ in range(warmup):
                sync(fn())
            start = time.perf_counter()
            for _ in range(n):
                sync(fn())
            samples[name].append((time.perf_counter() - start) / n)
    for name, values in samples.items():
        values.sort()
        med = _quantile(values, 0.5)
        row = rows[name]
        row.update(median_s=med, p10_s=_quantile(values, 0.1), p90_s=_quantile(values, 0.9),
                   calls_per_sample=n_calls[name], rounds=rounds)
        if nbytes:
            row["gbps"] = nbytes / med / 1e9
        if flops:
            row["gflops"] = flops / med / 1e9
    if baseline in samples:
        base = rows[baseline]["median_s"]
        for name in samples:
            rows[name]["ratio"] = base / rows[name]["median_s"]
    return list(rows.values())


def emit(rows, file=None):
    """Prints one JSON object per row (and appends them to `file` if given)."""
    for row in rows:
        line = json.dumps(row, sort_keys=False)
        print(line, flush=True)
        if file is not None:
            file.write(line + "\n")


def write_rows(path, rows):
    """Appends rows as JSON lines to `path` (created if missing)."""
    with open(path, "a") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")



# ---------------------------------------------------------------------------------------
# Peers and per-impl annotations (used by the jit benchmarks; everything above is unchanged).

def optional_import(name):
    """The module `name`, or None when it is not installed: a missing peer is skipped."""
    import importlib
    if name in os.environ.get("FNEEDLE_BENCH_SKIP", "").split(","):
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def annotate(rows, per_impl: dict):
    """Copies per_impl[row's impl] (a dict) into each row, e.g. {"numpy": {"threads": 1}}."""
    for row in rows:
        row.update(per_impl.get(row["impl"], {}))
    return rows


def add_peer_ratios(rows, is_peer: "Callable[[str], bool]", target: "str | None" = None):
    """Adds `best_peer` and `ratio_to_best_peer` (the fastest peer's median / this median:
    above 1, faster than every peer) to each timed row; and `ratio_to_<target>` likewise
    when `target` (e.g. "jax.jit") was timed."""
    timed = {r["impl"]: r["median_s"] for r in rows if "median_s" in r}
    peers = {k: v for k, v in timed.items() if is_peer(k)}
    if not peers:
        return rows
    best = min(peers, key=peers.get)
    for row in rows:
        if "median_s" in row:
            row["best_peer"] = best
            row["ratio_to_best_peer"] = peers[best] / row["median_s"]
            if target in timed:
                row["ratio_to_" + target.split(".")[0].split("/")[0]] = (
                    timed[target] / row["median_s"])
    return rows


def openblas_info() -> dict:
    """NumPy's BLAS as built (name, version) and as running (OpenBLAS core type, threads)."""
    import ctypes
    import glob
    info = {}
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["numpy_blas"] = f"{blas.get('name')} {blas.get('version')}"
    except (TypeError, KeyError):  # an older NumPy: no dict mode
        info["numpy_blas"] = "?"
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs",
                                  "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)  # already loaded by NumPy: the same handle
        except OSError:
            continue
        for prefix in ("scipy_openblas_", "openblas_"):
            for suffix in ("64_", ""):
                core = getattr(lib, f"{prefix}get_corename{suffix}", None)
                threads = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
                if core is not None and threads is not None:
                    core.restype = ctypes.c_char_p
                    info["openblas_core"] = core().decode()
                    info["openblas_threads"] = int(threads())
                    break
            if "openblas_core" in info:
                break
    info["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE", "(unset)")
    return info


def machine_info() -> dict:
    """CPU model, load average and date: absolute timings mean little without them."""
    info = {"date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "load_avg": os.getloadavg()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f
                               if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return info



def bench_args(description: str):
    """The command line every jit benchmark takes: --quick, --json, --torch-compile."""
    import argparse
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="fewer sizes and rounds")
    p.add_argument("--json", default="", help="also append rows to this JSON-lines file")
    p.add_argument("--torch-compile", choices=("auto", "on", "off"), default="auto",
                   help="time torch.compile too (auto: not with --quick; ~10-40 s per compile)")
    p.add_argument("--rounds", type=int, default=0, help="interleaved rounds (0: 7, quick 3)")
    return p


def settle_args(args):
    """Resolves the auto settings of bench_args: rounds and whether to torch.compile."""
    if not args.rounds:
        args.rounds = 3 if args.quick else 7
    args.use_torch_compile = (args.torch_compile == "on" or
                              (args.torch_compile == "auto" and not args.quick))
    return args


def load_peers():
    """(jax, jax.numpy, torch), each None when not installed; JAX pinned to the CPU."""
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    jax = optional_import("jax")
    jnp = optional_import("jax.numpy") if jax is not None else None
    return jax, jnp, optional_import("torch")


def impl_threads(torch=None, blas=False) -> "Callable[[str], dict]":
    """impl name -> {"threads": n, "threads_note": ...}: how many threads each library may use
    (fneedle's kernels, NumPy's ufuncs or its OpenBLAS, XLA's pool, PyTorch's intra-op pool)."""
    try:
        from fneedle.backend import cpu
        fneedle_threads = cpu.max_threads()
    except ImportError:
        fneedle_threads = 1
    blas_threads = openblas_info().get("openblas_threads", 1) if blas else 1
    torch_threads = torch.get_num_threads() if torch is not None else None

    def of(impl):
        if impl.startswith("fneedle"):
            if blas:  # fneedle's dot_general calls NumPy's matmul (OpenBLAS)
                return {"threads": blas_threads, "threads_note": "OpenBLAS via NumPy"}
            return {"threads": fneedle_threads, "threads_note": "fneedle kernels (OpenMP)"}
        if impl.startswith("numpy"):
            return {"threads": blas_threads if blas else 1,
                    "threads_note": "OpenBLAS" if blas else "ufuncs: one thread"}
        if impl.startswith("jax"):
            one = "multi_thread_eigen=false" in os.environ.get("XLA_FLAGS", "")
            return {"threads": 1 if one else os.cpu_count(), "threads_note": "XLA CPU pool"}
        if impl.startswith("torch"):
            return {"threads": torch_threads, "threads_note": "torch intra-op"}
        return {}
    return of


def finish(rows, args, *, target="jax.jit", is_peer=None, threads=None, extra=None):
    """Adds peer ratios, thread counts and the environment to rows, then prints them (and
    appends them to args.json)."""
    is_peer = is_peer or (lambda impl: not impl.startswith("fneedle") and impl != "copy")
    add_peer_ratios(rows, is_peer, target)
    info = {**env_info(), **(extra or {})}
    for row in rows:
        for k, v in info.items():
            row.setdefault(k, v)
        if threads is not None:
            row.update(threads(row["impl"]))
    if args.json:
        with open(args.json, "a") as f:
            emit(rows, f)
    else:
        emit(rows)
    return rows


if __name__ == "__main__":
    x = np.random.default_rng(0).random(10**5)
    emit(measure({"numpy": lambda: np.exp(x), "python-sum": lambda: np.exp(x).sum()},
                 bench="selftest", size=x.size, baseline="numpy",
                 check=lambda n, o, r: None))
    sys.exit(0)
