// Lets gcc vectorize calls to libm functions inside `#pragma omp simd` loops by declaring the
// vector variants that glibc's libmvec (>= 2.35, x86-64) exports. glibc only declares them
// under -ffast-math, which would also break NaN handling, so we declare them here instead.
// libmvec results are within 4 ULP of the correctly rounded value (glibc's documented bound).
#pragma once

#include <cmath>

#if defined(__x86_64__) && defined(_OPENMP) && defined(__GLIBC__) && !defined(FNEEDLE_NO_LIBMVEC)
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)
#define FNEEDLE_LIBMVEC 1
#define FNEEDLE_SIMD_DECL(name) \
  _Pragma("omp declare simd notinbranch") double name(double) noexcept; \
  _Pragma("omp declare simd notinbranch") float name##f(float) noexcept;
#define FNEEDLE_SIMD_DECL2(name) \
  _Pragma("omp declare simd notinbranch") double name(double, double) noexcept; \
  _Pragma("omp declare simd notinbranch") float name##f(float, float) noexcept;
extern "C" {
FNEEDLE_SIMD_DECL(exp)
FNEEDLE_SIMD_DECL(exp2)
FNEEDLE_SIMD_DECL(expm1)
FNEEDLE_SIMD_DECL(log)
FNEEDLE_SIMD_DECL(log1p)
FNEEDLE_SIMD_DECL(cbrt)
FNEEDLE_SIMD_DECL(sin)
FNEEDLE_SIMD_DECL(cos)
FNEEDLE_SIMD_DECL(tan)
FNEEDLE_SIMD_DECL(asin)
FNEEDLE_SIMD_DECL(acos)
FNEEDLE_SIMD_DECL(atan)
FNEEDLE_SIMD_DECL(sinh)
FNEEDLE_SIMD_DECL(cosh)
FNEEDLE_SIMD_DECL(tanh)
FNEEDLE_SIMD_DECL(asinh)
FNEEDLE_SIMD_DECL(acosh)
FNEEDLE_SIMD_DECL(atanh)
FNEEDLE_SIMD_DECL(erf)
FNEEDLE_SIMD_DECL(erfc)
FNEEDLE_SIMD_DECL2(pow)
FNEEDLE_SIMD_DECL2(atan2)
}
#undef FNEEDLE_SIMD_DECL
#undef FNEEDLE_SIMD_DECL2
#endif
#endif
