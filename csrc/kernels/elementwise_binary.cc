// Binary elementwise kernels over same-shape operands (the caller broadcasts with zero strides).
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
template <class T>
constexpr unsigned kBits = sizeof(T) * 8;

// Integer division truncates toward zero. x / 0 is defined as 0 and MIN / -1 wraps to MIN
// (no trap, no UB); x % 0 is 0, matching np.fmod's result for integers.
template <class T>
inline T int_div(T x, T y) {
  if (y == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (y == T(-1)) return static_cast<T>(Unsigned<T>(0) - static_cast<Unsigned<T>>(x));
  }
  return static_cast<T>(x / y);
}

template <class T>
inline T int_rem(T x, T y) {
  if (y == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (y == T(-1)) return 0;
  }
  return static_cast<T>(x % y);
}

// Shift amounts are read as unsigned; amounts >= the bit width give 0 (or the sign fill).
template <class T>
inline T shl(T x, T y) {
  using U = Unsigned<T>;
  return static_cast<U>(y) >= kBits<T> ? T(0) : static_cast<T>(static_cast<U>(x) << static_cast<U>(y));
}
template <class T>
inline T shr_logical(T x, T y) {
  using U = Unsigned<T>;
  return static_cast<U>(y) >= kBits<T> ? T(0) : static_cast<T>(static_cast<U>(x) >> static_cast<U>(y));
}
template <class T>
inline T shr_arith(T x, T y) {
  using U = Unsigned<T>;
  if (static_cast<U>(y) >= kBits<T>) return x < 0 ? T(-1) : T(0);
  return static_cast<T>(x >> static_cast<U>(y));  // arithmetic on every compiler we support
}

bool is_expensive(BinaryOp op, DType t) {
  switch (op) {
    case BinaryOp::pow: case BinaryOp::atan2: case BinaryOp::nextafter: return true;
    case BinaryOp::div: case BinaryOp::rem: return is_int(t) || op == BinaryOp::rem;
    default: return false;
  }
}

}  // namespace

const char* binary_op_name(BinaryOp op) {
  static const char* names[] = {
#define FNEEDLE_NAME(name) #name,
      FNEEDLE_BINARY_OPS(FNEEDLE_NAME)
#undef FNEEDLE_NAME
  };
  const std::string_view n = names[static_cast<int>(op)];
  if (n == "and_") return "and";
  if (n == "or_") return "or";
  if (n == "xor_") return "xor";
  return names[static_cast<int>(op)];
}

bool binary_supported(BinaryOp op, DType t) {
  switch (op) {
    case BinaryOp::add: case BinaryOp::sub: case BinaryOp::mul: case BinaryOp::div:
    case BinaryOp::rem:
      return is_float(t) || is_int(t);
    case BinaryOp::pow: case BinaryOp::atan2: case BinaryOp::nextafter:
      return is_float(t);
    case BinaryOp::and_: case BinaryOp::or_: case BinaryOp::xor_:
      return is_int(t) || t == DType::kBool;
    case BinaryOp::shift_left: case BinaryOp::shift_right_logical:
    case BinaryOp::shift_right_arithmetic:  // on unsigned ints it is the logical shift
      return is_int(t);
    default:  // max, min and comparisons
      return true;
  }
}

DType binary_result(BinaryOp op, DType t) {
  return static_cast<int>(op) >= static_cast<int>(BinaryOp::eq) ? DType::kBool : t;
}

int64_t binary_grain(BinaryOp op, DType t) {
  // Memory-bound ops need large arrays before a second thread pays (see unary_grain).
  return is_expensive(op, t) ? int64_t{1} << 14 : int64_t{1} << 16;
}

template <class T>
void binary(BinaryOp op, const ElemArgs& a) {
  const int64_t g = binary_grain(op, dtype_of<T>());
  // Comparisons and max/min first: they exist for every dtype.
  switch (op) {
    case BinaryOp::eq: return binary_loop<T, bool>(a, g, [](T x, T y) { return x == y; });
    case BinaryOp::ne: return binary_loop<T, bool>(a, g, [](T x, T y) { return x != y; });
    case BinaryOp::lt: return binary_loop<T, bool>(a, g, [](T x, T y) { return x < y; });
    case BinaryOp::le: return binary_loop<T, bool>(a, g, [](T x, T y) { return x <= y; });
    case BinaryOp::gt: return binary_loop<T, bool>(a, g, [](T x, T y) { return x > y; });
    case BinaryOp::ge: return binary_loop<T, bool>(a, g, [](T x, T y) { return x >= y; });
    case BinaryOp::max:  // NaN-propagating, like np.maximum
      return binary_loop<T, T>(a, g, [](T x, T y) { return (x > y || x != x) ? x : y; });
    case BinaryOp::min:
      return binary_loop<T, T>(a, g, [](T x, T y) { return (x < y || x != x) ? x : y; });
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case BinaryOp::add: return binary_loop<T, T>(a, g, [](T x, T y) { return x + y; });
      case BinaryOp::sub: return binary_loop<T, T>(a, g, [](T x, T y) { return x - y; });
      case BinaryOp::mul: return binary_loop<T, T>(a, g, [](T x, T y) { return x * y; });
      case BinaryOp::div: return binary_loop<T, T>(a, g, [](T x, T y) { return x / y; });
      case BinaryOp::rem: return binary_loop<T, T>(a, g, [](T x, T y) { return std::fmod(x, y); });
      case BinaryOp::pow: return binary_loop<T, T>(a, g, [](T x, T y) { return std::pow(x, y); });
      case BinaryOp::atan2:
        return binary_loop<T, T>(a, g, [](T x, T y) { return std::atan2(x, y); });
      case BinaryOp::nextafter:
        return binary_loop<T, T>(a, g, [](T x, T y) { return std::nextafter(x, y); });
      default: return;
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    switch (op) {
      case BinaryOp::and_: return binary_loop<T, T>(a, g, [](T x, T y) { return x && y; });
      case BinaryOp::or_: return binary_loop<T, T>(a, g, [](T x, T y) { return x || y; });
      case BinaryOp::xor_: return binary_loop<T, T>(a, g, [](T x, T y) { return x != y; });
      default: return;
    }
  } else {
    using U = Unsigned<T>;
    switch (op) {
      case BinaryOp::add:
        return binary_loop<T, T>(a, g, [](T x, T y) { return static_cast<T>(U(x) + U(y)); });
      case BinaryOp::sub:
        return binary_loop<T, T>(a, g, [](T x, T y) { return static_cast<T>(U(x) - U(y)); });
      case BinaryOp::mul:
        return binary_loop<T, T>(a, g, [](T x, T y) { return static_cast<T>(U(x) * U(y)); });
      case BinaryOp::div: return binary_loop<T, T>(a, g, [](T x, T y) { return int_div(x, y); });
      case BinaryOp::rem: return binary_loop<T, T>(a, g, [](T x, T y) { return int_rem(x, y); });
      case BinaryOp::and_:
        return binary_loop<T, T>(a, g, [](T x, T y) { return static_cast<T>(x & y); });
      case BinaryOp::or_:
        return binary_loop<T, T>(a, g, [](T x, T y) { return static_cast<T>(x | y); });
      case BinaryOp::xor_:
        return binary_loop<T, T>(a, g, [](T x, T y) { return static_cast<T>(x ^ y); });
      case BinaryOp::shift_left: return binary_loop<T, T>(a, g, [](T x, T y) { return shl(x, y); });
      case BinaryOp::shift_right_logical:
        return binary_loop<T, T>(a, g, [](T x, T y) { return shr_logical(x, y); });
      case BinaryOp::shift_right_arithmetic:
        if constexpr (std::is_signed_v<T>) {
          return binary_loop<T, T>(a, g, [](T x, T y) { return shr_arith(x, y); });
        } else {
          return binary_loop<T, T>(a, g, [](T x, T y) { return shr_logical(x, y); });
        }
      default: return;
    }
  }
}

template void binary<bool>(BinaryOp, const ElemArgs&);
template void binary<uint8_t>(BinaryOp, const ElemArgs&);
template void binary<int32_t>(BinaryOp, const ElemArgs&);
template void binary<uint32_t>(BinaryOp, const ElemArgs&);
template void binary<int64_t>(BinaryOp, const ElemArgs&);
template void binary<float>(BinaryOp, const ElemArgs&);
template void binary<double>(BinaryOp, const ElemArgs&);

}  // namespace fneedle
