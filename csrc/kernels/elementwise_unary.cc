// Unary elementwise kernels. Scalar math lives in small functions; loops in elementwise_loops.h.
#include <cmath>
#include <limits>
#include <string_view>
#include <type_traits>

#include "kernels/elementwise_loops.h"
#include "kernels/simd_math.h"

namespace fneedle {
namespace {

template <class T>
using Unsigned = std::make_unsigned_t<T>;

// Integer negation, abs and square wrap around (as NumPy's do) instead of overflowing.
template <class T>
inline T wrap_neg(T x) {
  return static_cast<T>(Unsigned<T>(0) - static_cast<Unsigned<T>>(x));
}

template <class T>
inline T round_away(T x) {
  // x - trunc(x) is exact in binary floating point, so the comparison is exact too.
  const T t = std::trunc(x);
  return std::fabs(x - t) >= T(0.5) ? t + std::copysign(T(1), x) : t;
}

template <class T>
inline T sign(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);  // keeps NaN and signed zero
  } else if constexpr (std::is_signed_v<T>) {
    return static_cast<T>((x > 0) - (x < 0));
  } else {
    return static_cast<T>(x != 0);
  }
}

bool is_transcendental(UnaryOp op) {
  switch (op) {
    case UnaryOp::neg: case UnaryOp::sign: case UnaryOp::floor: case UnaryOp::ceil:
    case UnaryOp::round: case UnaryOp::round_away: case UnaryOp::abs: case UnaryOp::sqrt:
    case UnaryOp::rsqrt: case UnaryOp::is_finite: case UnaryOp::not_: case UnaryOp::square:
    case UnaryOp::reciprocal:
      return false;
    default:
      return true;
  }
}

}  // namespace

const char* unary_op_name(UnaryOp op) {
  static const char* names[] = {
#define FNEEDLE_NAME(name) #name,
      FNEEDLE_UNARY_OPS(FNEEDLE_NAME)
#undef FNEEDLE_NAME
  };
  const char* n = names[static_cast<int>(op)];
  return std::string_view(n) == "not_" ? "not" : n;
}

bool unary_supported(UnaryOp op, DType t) {
  switch (op) {
    case UnaryOp::neg: case UnaryOp::sign: case UnaryOp::abs: case UnaryOp::square:
      return is_float(t) || is_int(t);
    case UnaryOp::not_:
      return is_int(t) || t == DType::kBool;
    default:
      return is_float(t);
  }
}

DType unary_result(UnaryOp op, DType t) { return op == UnaryOp::is_finite ? DType::kBool : t; }

int64_t unary_grain(UnaryOp op, DType t) {
  // Measured on 2 cores (benchmarks/bench_kernels.py): memory-bound ops only gain from a
  // second thread on large arrays; libm-bound ones gain from a few thousand elements.
  // On a shared machine a woken helper can lag by tens of microseconds, so a chunk should
  // hold at least that much work.
  if (!is_transcendental(op)) return int64_t{1} << 16;
  return t == DType::kFloat64 ? int64_t{1} << 13 : int64_t{1} << 14;
}

template <class T>
void unary(UnaryOp op, const ElemArgs& a) {
  const int64_t g = unary_grain(op, dtype_of<T>());
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::neg: return unary_loop<T, T>(a, g, [](T x) { return -x; });
      case UnaryOp::sign: return unary_loop<T, T>(a, g, [](T x) { return sign(x); });
      case UnaryOp::floor: return unary_loop<T, T>(a, g, [](T x) { return std::floor(x); });
      case UnaryOp::ceil: return unary_loop<T, T>(a, g, [](T x) { return std::ceil(x); });
      case UnaryOp::round: return unary_loop<T, T>(a, g, [](T x) { return std::nearbyint(x); });
      case UnaryOp::round_away: return unary_loop<T, T>(a, g, [](T x) { return round_away(x); });
      case UnaryOp::abs: return unary_loop<T, T>(a, g, [](T x) { return std::fabs(x); });
      case UnaryOp::exp: return unary_loop<T, T>(a, g, [](T x) { return std::exp(x); });
      case UnaryOp::exp2: return unary_loop<T, T>(a, g, [](T x) { return std::exp2(x); });
      case UnaryOp::log: return unary_loop<T, T>(a, g, [](T x) { return std::log(x); });
      case UnaryOp::log1p: return unary_loop<T, T>(a, g, [](T x) { return std::log1p(x); });
      case UnaryOp::expm1: return unary_loop<T, T>(a, g, [](T x) { return std::expm1(x); });
      case UnaryOp::sqrt: return unary_loop<T, T>(a, g, [](T x) { return std::sqrt(x); });
      case UnaryOp::rsqrt: return unary_loop<T, T>(a, g, [](T x) { return T(1) / std::sqrt(x); });
      case UnaryOp::cbrt: return unary_loop<T, T>(a, g, [](T x) { return std::cbrt(x); });
      case UnaryOp::sin: return unary_loop<T, T>(a, g, [](T x) { return std::sin(x); });
      case UnaryOp::cos: return unary_loop<T, T>(a, g, [](T x) { return std::cos(x); });
      case UnaryOp::tan: return unary_loop<T, T>(a, g, [](T x) { return std::tan(x); });
      case UnaryOp::asin: return unary_loop<T, T>(a, g, [](T x) { return std::asin(x); });
      case UnaryOp::acos: return unary_loop<T, T>(a, g, [](T x) { return std::acos(x); });
      case UnaryOp::atan: return unary_loop<T, T>(a, g, [](T x) { return std::atan(x); });
      case UnaryOp::sinh: return unary_loop<T, T>(a, g, [](T x) { return std::sinh(x); });
      case UnaryOp::cosh: return unary_loop<T, T>(a, g, [](T x) { return std::cosh(x); });
      case UnaryOp::tanh: return unary_loop<T, T>(a, g, [](T x) { return std::tanh(x); });
      case UnaryOp::asinh: return unary_loop<T, T>(a, g, [](T x) { return std::asinh(x); });
      case UnaryOp::acosh: return unary_loop<T, T>(a, g, [](T x) { return std::acosh(x); });
      case UnaryOp::atanh: return unary_loop<T, T>(a, g, [](T x) { return std::atanh(x); });
      case UnaryOp::logistic:  // exp of a non-positive number only: accurate in both tails
        return unary_loop<T, T>(a, g, [](T x) {
          const T e = std::exp(-std::fabs(x));
          const T r = T(1) / (T(1) + e);
          return x >= T(0) ? r : e * r;
        });
      case UnaryOp::erf: return unary_loop<T, T>(a, g, [](T x) { return std::erf(x); });
      case UnaryOp::erfc: return unary_loop<T, T>(a, g, [](T x) { return std::erfc(x); });
      case UnaryOp::is_finite:
        return unary_loop<T, bool>(
            a, g, [](T x) { return std::fabs(x) <= std::numeric_limits<T>::max(); });
      case UnaryOp::square: return unary_loop<T, T>(a, g, [](T x) { return x * x; });
      case UnaryOp::reciprocal: return unary_loop<T, T>(a, g, [](T x) { return T(1) / x; });
      default: return;
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (op == UnaryOp::not_) unary_loop<T, T>(a, g, [](T x) { return !x; });
  } else {
    using U = Unsigned<T>;
    switch (op) {
      case UnaryOp::neg: return unary_loop<T, T>(a, g, [](T x) { return wrap_neg(x); });
      case UnaryOp::sign: return unary_loop<T, T>(a, g, [](T x) { return sign(x); });
      case UnaryOp::abs:
        return unary_loop<T, T>(a, g, [](T x) { return x < T(0) ? wrap_neg(x) : x; });
      case UnaryOp::not_: return unary_loop<T, T>(a, g, [](T x) { return static_cast<T>(~x); });
      case UnaryOp::square:
        return unary_loop<T, T>(a, g, [](T x) { return static_cast<T>(U(x) * U(x)); });
      default: return;
    }
  }
}

template void unary<bool>(UnaryOp, const ElemArgs&);
template void unary<uint8_t>(UnaryOp, const ElemArgs&);
template void unary<int32_t>(UnaryOp, const ElemArgs&);
template void unary<uint32_t>(UnaryOp, const ElemArgs&);
template void unary<int64_t>(UnaryOp, const ElemArgs&);
template void unary<float>(UnaryOp, const ElemArgs&);
template void unary<double>(UnaryOp, const ElemArgs&);

}  // namespace fneedle
