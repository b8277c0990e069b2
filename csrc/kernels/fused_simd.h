// AVX-512 versions of the fused machine's costliest functions (exp, tanh, logistic, log),
// one 512-bit vector at a time. gcc vectorizes the scalar versions in fused_math.h, but it
// cannot use AVX-512's scalef (x * 2^n with overflow, underflow and subnormals handled in one
// instruction) or getexp/getmant (exponent and mantissa of any input, subnormals included),
// and the range handling those replace was most of the scalar versions' cost: measured here
// on the 8-op chain, exp went from about 30 to 10 cycles per vector of 16 floats.
//
// The polynomials are the same as fused_math.h's (Cephes), so the accuracy is the same
// (within 2 ulp of the correctly rounded result, checked against NumPy by
// tests/test_fused_kernel.py); only the range reduction and the scaling differ.
#pragma once

#if defined(__AVX512F__) && !defined(FNEEDLE_NO_AVX512)
#define FNEEDLE_FUSED_AVX512 1
#include <immintrin.h>

#include <cstdint>

// gcc 12 warns inside its own mask intrinsics (a false "may be used uninitialized").
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace fneedle::fused::simd {

using V16 = __m512;
using V8 = __m512d;

inline V16 set(float v) { return _mm512_set1_ps(v); }
inline V8 set(double v) { return _mm512_set1_pd(v); }

// round to nearest (even), never raising an exception
constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

// e^r - 1 - r on the reduced range |r| <= ln2/2, as r^2 * P(r) (Cephes expf).
inline V16 expm1_tail(V16 r) {
  V16 p = set(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, set(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, set(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, set(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, set(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, set(5.0000001201e-1f));
  return _mm512_mul_ps(p, _mm512_mul_ps(r, r));
}

// e^x for x already inside [-110, 100] (or NaN): n = round(x / ln2), r = x - n ln2 with ln2 in
// two parts so n * hi is exact, then scalef(e^r, n).
inline V16 exp_reduced(V16 x) {
  const V16 n = _mm512_roundscale_ps(_mm512_mul_ps(x, set(1.44269504088896341f)), kNearest);
  V16 r = _mm512_fnmadd_ps(n, set(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, set(-2.12194440e-4f), r);
  const V16 e = _mm512_add_ps(_mm512_add_ps(expm1_tail(r), r), set(1.0f));
  return _mm512_scalef_ps(e, n);
}

// The clamp keeps n finite (scalef then gives inf and 0 past the range); max and min return
// their second operand when either is NaN, so NaN passes through.
inline V16 exp(V16 x) {
  return exp_reduced(_mm512_min_ps(set(100.0f), _mm512_max_ps(set(-110.0f), x)));
}

// 1 / d to within 2^-28 relative: the 14-bit reciprocal estimate and one Newton step. About
// three times cheaper than a division on the machines measured, and below float's 2^-24.
inline V16 reciprocal(V16 d) {
  const V16 y = _mm512_rcp14_ps(d);
  return _mm512_mul_ps(y, _mm512_fnmadd_ps(d, y, set(2.0f)));
}

inline V16 abs(V16 x) { return _mm512_abs_ps(x); }

// tanh as fused_math.h's tanh_fast: an odd polynomial below |x| = 0.625, else
// 1 - 2 / (e^2|x| + 1) with the sign of x; |x| is capped at 10, where tanh rounds to 1.
inline V16 tanh(V16 x) {
  const V16 z = abs(x), s = _mm512_mul_ps(x, x);
  V16 p = set(-5.70498872745e-3f);
  p = _mm512_fmadd_ps(p, s, set(2.06390887954e-2f));
  p = _mm512_fmadd_ps(p, s, set(-5.37397155531e-2f));
  p = _mm512_fmadd_ps(p, s, set(1.33314422036e-1f));
  p = _mm512_fmadd_ps(p, s, set(-3.33332819422e-1f));
  const V16 small = _mm512_fmadd_ps(_mm512_mul_ps(p, s), x, x);
  const V16 w = _mm512_add_ps(_mm512_min_ps(z, set(10.0f)), _mm512_min_ps(z, set(10.0f)));
  const V16 big = _mm512_fnmadd_ps(set(2.0f), reciprocal(_mm512_add_ps(exp_reduced(w), set(1.0f))),
                                   set(1.0f));
  const V16 signed_big = _mm512_castsi512_ps(_mm512_or_si512(
      _mm512_castps_si512(big),
      _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN))));
  // NaN compares false, so it takes the polynomial, which keeps it
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z, set(0.625f), _CMP_GT_OQ), small, signed_big);
}

// 1 / (1 + e^-|x|), mirrored for x < 0 (e / (1 + e)) so neither side overflows or cancels.
inline V16 logistic(V16 x) {
  const V16 e = exp(_mm512_sub_ps(set(0.0f), abs(x)));
  const V16 r = reciprocal(_mm512_add_ps(e, set(1.0f)));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, set(0.0f), _CMP_LT_OQ), r,
                              _mm512_mul_ps(e, r));
}

// log(x) = k ln2 + log(m), x = m 2^k with m in [sqrt(1/2), sqrt(2)), log(1 + f) by Cephes'
// logf polynomial. getexp/getmant read subnormals exactly; the specials are set at the end.
inline V16 log(V16 x) {
  V16 m = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  V16 k = _mm512_getexp_ps(x);
  const __mmask16 high = _mm512_cmp_ps_mask(m, set(1.41421356237309505f), _CMP_GT_OQ);
  m = _mm512_mask_mul_ps(m, high, m, set(0.5f));
  k = _mm512_mask_add_ps(k, high, k, set(1.0f));
  const V16 f = _mm512_sub_ps(m, set(1.0f)), z = _mm512_mul_ps(f, f);
  V16 p = set(7.0376836292e-2f);
  p = _mm512_fmadd_ps(p, f, set(-1.1514610310e-1f));
  p = _mm512_fmadd_ps(p, f, set(1.1676998740e-1f));
  p = _mm512_fmadd_ps(p, f, set(-1.2420140846e-1f));
  p = _mm512_fmadd_ps(p, f, set(1.4249322787e-1f));
  p = _mm512_fmadd_ps(p, f, set(-1.6668057665e-1f));
  p = _mm512_fmadd_ps(p, f, set(2.0000714765e-1f));
  p = _mm512_fmadd_ps(p, f, set(-2.4999993993e-1f));
  p = _mm512_fmadd_ps(p, f, set(3.3333331174e-1f));
  V16 y = _mm512_mul_ps(_mm512_mul_ps(p, f), z);
  y = _mm512_fmadd_ps(k, set(-2.12194440e-4f), y);
  y = _mm512_fnmadd_ps(set(0.5f), z, y);
  V16 r = _mm512_fmadd_ps(k, set(0.693359375f), _mm512_add_ps(f, y));
  // x < 0 -> NaN, x == 0 -> -inf, x == inf -> inf, NaN -> itself
  r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(x, set(0.0f), _CMP_LT_OQ), set(__builtin_nanf("")));
  r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(x, set(0.0f), _CMP_EQ_OQ),
                         set(-__builtin_inff()));
  r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(x, set(__builtin_inff()), _CMP_EQ_OQ), x);
  return _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
}

// Double precision: exp with Cephes' rational e^r (as fused_math.h), scaled by scalef.
inline V8 exp_reduced(V8 x) {
  const V8 n = _mm512_roundscale_pd(_mm512_mul_pd(x, set(1.4426950408889634074)), kNearest);
  V8 r = _mm512_fnmadd_pd(n, set(6.93145751953125e-1), x);
  r = _mm512_fnmadd_pd(n, set(1.42860682030941723212e-6), r);
  const V8 rr = _mm512_mul_pd(r, r);
  V8 p = _mm512_fmadd_pd(set(1.26177193074810590878e-4), rr, set(3.02994407707441961300e-2));
  p = _mm512_mul_pd(r, _mm512_fmadd_pd(p, rr, set(9.99999999999999999910e-1)));
  V8 q = _mm512_fmadd_pd(set(3.00198505138664455042e-6), rr, set(2.52448340349684104192e-3));
  q = _mm512_fmadd_pd(q, rr, set(2.27265548208155028766e-1));
  q = _mm512_fmadd_pd(q, rr, set(2.00000000000000000009e0));
  const V8 e = _mm512_fmadd_pd(set(2.0), _mm512_div_pd(p, _mm512_sub_pd(q, p)), set(1.0));
  return _mm512_scalef_pd(e, n);
}

inline V8 exp(V8 x) {
  return exp_reduced(_mm512_min_pd(set(800.0), _mm512_max_pd(set(-800.0), x)));
}

// Apply f to n floats (or doubles) of a, writing d; the tail goes through masked loads and
// stores, so no lane reads past the end.
template <class F>
inline void map(const float* a, float* d, int64_t n, F f) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(d + i, f(_mm512_loadu_ps(a + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(d + i, m, f(_mm512_maskz_loadu_ps(m, a + i)));
  }
}

template <class F>
inline void map(const double* a, double* d, int64_t n, F f) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(d + i, f(_mm512_loadu_pd(a + i)));
  if (i < n) {
    const __mmask8 m = static_cast<__mmask8>((1u << (n - i)) - 1);
    _mm512_mask_storeu_pd(d + i, m, f(_mm512_maskz_loadu_pd(m, a + i)));
  }
}

}  // namespace fneedle::fused::simd

#pragma GCC diagnostic pop

#else
// Without AVX-512 the fused machine runs fused_math.h's scalar versions; these declarations
// only let the callers name the vector functions in code that is never instantiated.
namespace fneedle::fused::simd {
template <class V> V exp(V);
template <class V> V tanh(V);
template <class V> V logistic(V);
template <class V> V log(V);
}  // namespace fneedle::fused::simd
#endif
