"""Builds the C++ CPU kernels as the extension module `fneedle._C` (metadata is in pyproject.toml).

Environment: FNEEDLE_PORTABLE=1 drops -march=native (for a wheel meant for other machines);
FNEEDLE_BUILD_JOBS=N compiles N sources at once (default 2).
"""

import glob
import os

from pybind11.setup_helpers import ParallelCompile, Pybind11Extension, build_ext, has_flag
from setuptools import setup

ParallelCompile("FNEEDLE_BUILD_JOBS", default=2).install()


class BuildExt(build_ext):
    """Adds the optional flags the compiler accepts; the build still works without any of them."""

    def build_extensions(self):
        wanted = [("-fopenmp", True), ("-fno-math-errno", False)]
        if os.environ.get("FNEEDLE_PORTABLE", "0") in ("", "0"):
            # 512-bit vectors double libmvec's throughput (exp, sin, ...) on AVX-512 machines.
            wanted += [("-march=native", False), ("-mprefer-vector-width=512", False)]
        for ext in self.extensions:
            for flag, link_too in wanted:
                if has_flag(self.compiler, flag):
                    ext.extra_compile_args.append(flag)
                    if link_too:
                        ext.extra_link_args.append(flag)
        super().build_extensions()


ext = Pybind11Extension(
    "fneedle._C",
    sorted(glob.glob("csrc/kernels/*.cc") + glob.glob("csrc/bindings/*.cc")),
    include_dirs=["csrc"],
    cxx_std=17,
    extra_compile_args=["-O3"],
)

setup(ext_modules=[ext], cmdclass={"build_ext": BuildExt})
