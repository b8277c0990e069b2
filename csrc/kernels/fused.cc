// The fused elementwise register machine (see fused.h). Per block: load inputs into register
// buffers (or point at them), run each instruction as one `omp simd` loop over the block, then
// store or row-sum the outputs. Blocks are split over the cores when the work pays for it.
#include "kernels/fused.h"

// Prefer 512-bit vectors where -march allows AVX-512: the libm-heavy loops here gain about 1.5x
// over gcc's default of 256 (measured: exp, tanh). No effect on other targets.
#pragma GCC target("prefer-vector-width=512")
// FP exceptions are never trapped here, so gcc may compute both sides of a select instead of
// masking each operation on one side (which made tanh ~1.5x slower).
#pragma GCC optimize("no-trapping-math")

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>

#include "kernels/fused_math.h"
#include "kernels/fused_simd.h"
#include "kernels/parallel.h"
#include "kernels/simd_math.h"
#include "kernels/strided.h"

namespace fneedle::fused {
namespace {

// Elements per block: 256 to 2048 ran within 3% of each other on the 8-op chain at 64 Ki and
// 1 Mi elements (bench_fused.py --sweep); 1024 keeps a dozen float registers inside L1/L2.
std::atomic<int64_t> g_block{1024};
// Work (elements x summed op costs) per chunk, about 15-20 us here: a call wakes a helper
// thread only when that costs little next to the call (the 8-op chain from about 10 K
// elements, a single add from about 130 K).
std::atomic<int64_t> g_parallel_work{1 << 17};

// ---------------------------------------------------------------------------------------
// Scalar math. Comparisons and logic give 1 or 0 in the compute type.

template <class T>
inline T sign_of(T x) {
  return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);  // keeps NaN and signed zero
}

template <class T>
inline T round_away(T x) {
  const T t = std::trunc(x);  // x - t is exact, so the comparison is too
  return std::fabs(x - t) >= T(0.5) ? t + std::copysign(T(1), x) : t;
}

template <class T>
inline T logistic(T x) {
  // 1 / (1 + e^-|x|), mirrored for x < 0 so neither side overflows or cancels.
  const T e = exp_fast(-std::fabs(x));
  const T r = T(1) / (T(1) + e);
  return x >= T(0) ? r : e * r;
}

template <class T>
inline T max_nan(T x, T y) {  // np.maximum: NaN in either operand gives NaN
  return x != x ? x : (x > y ? x : y);
}

template <class T>
inline T min_nan(T x, T y) {
  return x != x ? x : (x < y ? x : y);
}

template <class T>
inline T truth(bool b) {
  return b ? T(1) : T(0);
}

// ---------------------------------------------------------------------------------------
// One instruction over a block: the switch is outside, each case is one simd loop.

template <class T, class F>
inline void map1(const T* a, T* d, int64_t n, F f) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) d[i] = f(a[i]);
}

template <class T, class F>
inline void map2(const T* a, const T* b, T* d, int64_t n, F f) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) d[i] = f(a[i], b[i]);
}

template <class T, class F>
inline void map3(const T* a, const T* b, const T* c, T* d, int64_t n, F f) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) d[i] = f(a[i], b[i], c[i]);
}

// x^y by repeated squaring (as XLA's integer_pow); y < 0 is 1 / x^-y.
template <class T>
void integer_pow(const T* a, T* d, int64_t n, int64_t y, T* sq) {
  uint64_t e = y < 0 ? uint64_t(0) - uint64_t(y) : uint64_t(y);
  if (e == 0) {
    map1(a, d, n, [](T) { return T(1); });
  } else if (e == 1) {
    map1(a, d, n, [](T x) { return x; });
  } else if (e == 2) {
    map1(a, d, n, [](T x) { return x * x; });
  } else if (e == 3) {
    map1(a, d, n, [](T x) { return x * x * x; });
  } else {
    map1(a, sq, n, [](T x) { return x; });  // d may be a, so square a copy
    bool started = false;
    while (e) {
      if (e & 1) {
        if (started) {
          map2(d, sq, d, n, [](T p, T s) { return p * s; });
        } else {
          map1(sq, d, n, [](T s) { return s; });
          started = true;
        }
      }
      e >>= 1;
      if (e) map1(sq, sq, n, [](T s) { return s * s; });
    }
  }
  if (y < 0) map1(d, d, n, [](T x) { return T(1) / x; });
}

// Runs the AVX-512 version of an op (fused_simd.h) when the build has one for T (or, with
// Only given, only for that type); false means the caller runs the scalar loop instead.
template <class Only = void, class T, class F>
inline bool vector_op([[maybe_unused]] const T* a, [[maybe_unused]] T* d,
                      [[maybe_unused]] int64_t n, [[maybe_unused]] F f) {
#if defined(FNEEDLE_FUSED_AVX512)
  if constexpr (std::is_void_v<Only> || std::is_same_v<Only, T>) {
    simd::map(a, d, n, f);
    return true;
  }
#endif
  return false;
}

template <class T>
void execute(const Instr& in, T* const* R, int64_t n, T* scratch) {
  T* d = R[in.dst];
  const T* a = R[in.a];
  const T* b = op_arity(static_cast<Op>(in.op)) >= 2 ? R[in.b] : nullptr;
  const T* c = op_arity(static_cast<Op>(in.op)) >= 3 ? R[in.c] : nullptr;
  constexpr T kMax = std::numeric_limits<T>::max();
  switch (static_cast<Op>(in.op)) {
    case Op::neg: return map1(a, d, n, [](T x) { return -x; });
    case Op::abs: return map1(a, d, n, [](T x) { return std::fabs(x); });
    case Op::sign: return map1(a, d, n, [](T x) { return sign_of(x); });
    case Op::floor: return map1(a, d, n, [](T x) { return std::floor(x); });
    case Op::ceil: return map1(a, d, n, [](T x) { return std::ceil(x); });
    case Op::round_even: return map1(a, d, n, [](T x) { return std::nearbyint(x); });
    case Op::round_away: return map1(a, d, n, [](T x) { return round_away(x); });
    case Op::exp:
      if (vector_op(a, d, n, [](auto v) { return simd::exp(v); })) return;
      return map1(a, d, n, [](T x) { return exp_fast(x); });
    case Op::exp2: return map1(a, d, n, [](T x) { return std::exp2(x); });
    case Op::log:
      if (vector_op<float>(a, d, n, [](auto v) { return simd::log(v); })) return;
      return map1(a, d, n, [](T x) { return std::log(x); });
    case Op::log1p: return map1(a, d, n, [](T x) { return std::log1p(x); });
    case Op::expm1: return map1(a, d, n, [](T x) { return std::expm1(x); });
    case Op::sqrt: return map1(a, d, n, [](T x) { return std::sqrt(x); });
    case Op::rsqrt: return map1(a, d, n, [](T x) { return T(1) / std::sqrt(x); });
    case Op::cbrt: return map1(a, d, n, [](T x) { return std::cbrt(x); });
    case Op::sin: return map1(a, d, n, [](T x) { return std::sin(x); });
    case Op::cos: return map1(a, d, n, [](T x) { return std::cos(x); });
    case Op::tan: return map1(a, d, n, [](T x) { return std::tan(x); });
    case Op::asin: return map1(a, d, n, [](T x) { return std::asin(x); });
    case Op::acos: return map1(a, d, n, [](T x) { return std::acos(x); });
    case Op::atan: return map1(a, d, n, [](T x) { return std::atan(x); });
    case Op::sinh: return map1(a, d, n, [](T x) { return std::sinh(x); });
    case Op::cosh: return map1(a, d, n, [](T x) { return std::cosh(x); });
    case Op::tanh:
      if (vector_op<float>(a, d, n, [](auto v) { return simd::tanh(v); })) return;
      return map1(a, d, n, [](T x) { return tanh_fast(x); });
    case Op::asinh: return map1(a, d, n, [](T x) { return std::asinh(x); });
    case Op::acosh: return map1(a, d, n, [](T x) { return std::acosh(x); });
    case Op::atanh: return map1(a, d, n, [](T x) { return std::atanh(x); });
    case Op::logistic:
      if (vector_op<float>(a, d, n, [](auto v) { return simd::logistic(v); })) return;
      return map1(a, d, n, [](T x) { return logistic(x); });
    case Op::erf: return map1(a, d, n, [](T x) { return std::erf(x); });
    case Op::erfc: return map1(a, d, n, [](T x) { return std::erfc(x); });
    case Op::square: return map1(a, d, n, [](T x) { return x * x; });
    case Op::is_finite: return map1(a, d, n, [](T x) { return truth<T>(std::fabs(x) <= kMax); });
    case Op::logical_not: return map1(a, d, n, [](T x) { return truth<T>(x == T(0)); });
    case Op::copy: return map1(a, d, n, [](T x) { return x; });
    case Op::integer_pow: return integer_pow(a, d, n, in.b, scratch);
    case Op::trunc: return map1(a, d, n, [](T x) { return std::trunc(x); });
    case Op::add: return map2(a, b, d, n, [](T x, T y) { return x + y; });
    case Op::sub: return map2(a, b, d, n, [](T x, T y) { return x - y; });
    case Op::mul: return map2(a, b, d, n, [](T x, T y) { return x * y; });
    case Op::div: return map2(a, b, d, n, [](T x, T y) { return x / y; });
    case Op::rem: return map2(a, b, d, n, [](T x, T y) { return std::fmod(x, y); });
    case Op::pow: return map2(a, b, d, n, [](T x, T y) { return std::pow(x, y); });
    case Op::max: return map2(a, b, d, n, [](T x, T y) { return max_nan(x, y); });
    case Op::min: return map2(a, b, d, n, [](T x, T y) { return min_nan(x, y); });
    case Op::atan2: return map2(a, b, d, n, [](T x, T y) { return std::atan2(x, y); });
    case Op::nextafter: return map2(a, b, d, n, [](T x, T y) { return std::nextafter(x, y); });
    case Op::eq: return map2(a, b, d, n, [](T x, T y) { return truth<T>(x == y); });
    case Op::ne: return map2(a, b, d, n, [](T x, T y) { return truth<T>(x != y); });
    case Op::lt: return map2(a, b, d, n, [](T x, T y) { return truth<T>(x < y); });
    case Op::le: return map2(a, b, d, n, [](T x, T y) { return truth<T>(x <= y); });
    case Op::gt: return map2(a, b, d, n, [](T x, T y) { return truth<T>(x > y); });
    case Op::ge: return map2(a, b, d, n, [](T x, T y) { return truth<T>(x >= y); });
    case Op::logical_and:
      return map2(a, b, d, n, [](T x, T y) { return truth<T>((x != T(0)) & (y != T(0))); });
    case Op::logical_or:
      return map2(a, b, d, n, [](T x, T y) { return truth<T>((x != T(0)) | (y != T(0))); });
    case Op::logical_xor:
      return map2(a, b, d, n, [](T x, T y) { return truth<T>((x != T(0)) != (y != T(0))); });
    case Op::select:  // select_n(which=a, case0=b, case1=c)
      return map3(a, b, c, d, n, [](T w, T x, T y) { return w != T(0) ? y : x; });
    case Op::clamp:  // min(max(x=b, lo=a), hi=c), NaN-propagating like np.clip's pieces
      return map3(a, b, c, d, n, [](T lo, T x, T hi) { return min_nan(max_nan(x, lo), hi); });
    default: return;
  }
}

// Relative cost of an op per element (a simple op is 1), to decide on threads.
int op_cost(Op op) {
  switch (op) {
    case Op::neg: case Op::abs: case Op::sign: case Op::floor: case Op::ceil:
    case Op::round_even: case Op::round_away: case Op::square: case Op::is_finite:
    case Op::logical_not: case Op::copy: case Op::trunc: case Op::add: case Op::sub:
    case Op::mul: case Op::max: case Op::min: case Op::eq: case Op::ne: case Op::lt:
    case Op::le: case Op::gt: case Op::ge: case Op::logical_and: case Op::logical_or:
    case Op::logical_xor: case Op::select: case Op::clamp:
      return 1;
    case Op::div: case Op::sqrt: case Op::rsqrt: case Op::integer_pow:
      return 2;
    case Op::rem: case Op::nextafter:
      return 20;  // scalar libm calls: not vectorized
    default:
      return 8;  // vectorized libm (libmvec)
  }
}

// ---------------------------------------------------------------------------------------
// Loads and stores with dtype conversion.

template <class T, class S>
inline T load_one(S v) {
  if constexpr (std::is_same_v<S, bool>) {
    return truth<T>(reinterpret_cast<const uint8_t&>(v) != 0);  // any nonzero byte is true
  } else {
    return static_cast<T>(v);
  }
}

template <class T, class S>
void load_run_typed(const S* src, int64_t stride, int64_t n, T* dst) {
  if (stride == 1) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) dst[i] = load_one<T>(src[i]);
  } else if (stride == 0) {
    const T v = load_one<T>(src[0]);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) dst[i] = v;
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = load_one<T>(src[i * stride]);
  }
}

// n elements starting at element offset `off` of `base`, `stride` apart, converted into dst.
template <class T>
void load_run(DType dt, const void* base, int64_t off, int64_t stride, int64_t n, T* dst) {
  switch (dt) {
    case DType::kBool: return load_run_typed(static_cast<const bool*>(base) + off, stride, n, dst);
    case DType::kUInt8:
      return load_run_typed(static_cast<const uint8_t*>(base) + off, stride, n, dst);
    case DType::kInt32:
      return load_run_typed(static_cast<const int32_t*>(base) + off, stride, n, dst);
    case DType::kUInt32:
      return load_run_typed(static_cast<const uint32_t*>(base) + off, stride, n, dst);
    case DType::kInt64:
      return load_run_typed(static_cast<const int64_t*>(base) + off, stride, n, dst);
    case DType::kFloat32:
      return load_run_typed(static_cast<const float*>(base) + off, stride, n, dst);
    case DType::kFloat64:
      return load_run_typed(static_cast<const double*>(base) + off, stride, n, dst);
    default: return;
  }
}

// Float to integer: truncate toward zero, saturate at I's range, NaN -> 0 (XLA's rule).
template <class I, class T>
inline I to_int(T v) {
  constexpr T lo = static_cast<T>(std::numeric_limits<I>::min());
  constexpr T hi = static_cast<T>(std::numeric_limits<I>::max());  // may round up to 2^k
  if (!(v == v)) return I(0);
  if (v <= lo) return std::numeric_limits<I>::min();
  if (v >= hi) return std::numeric_limits<I>::max();
  return static_cast<I>(v);
}

template <class D, class T>
inline D store_one(T v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != T(0);
  } else if constexpr (std::is_floating_point_v<D>) {
    return static_cast<D>(v);
  } else {
    return to_int<D>(v);
  }
}

template <class D, class T>
void store_run_typed(const T* src, int64_t n, D* dst) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) dst[i] = store_one<D>(src[i]);
}

// n values of src into elements [off, off + n) of a C-contiguous array of dtype dt.
template <class T>
void store_run(DType dt, void* base, int64_t off, const T* src, int64_t n) {
  switch (dt) {
    case DType::kBool: return store_run_typed(src, n, static_cast<bool*>(base) + off);
    case DType::kUInt8: return store_run_typed(src, n, static_cast<uint8_t*>(base) + off);
    case DType::kInt32: return store_run_typed(src, n, static_cast<int32_t*>(base) + off);
    case DType::kUInt32: return store_run_typed(src, n, static_cast<uint32_t*>(base) + off);
    case DType::kInt64: return store_run_typed(src, n, static_cast<int64_t*>(base) + off);
    case DType::kFloat32: return store_run_typed(src, n, static_cast<float*>(base) + off);
    case DType::kFloat64: return store_run_typed(src, n, static_cast<double*>(base) + off);
    default: return;
  }
}

void store_sum(DType dt, void* base, int64_t row, double v) {
  switch (dt) {
    case DType::kBool: static_cast<bool*>(base)[row] = store_one<bool>(v); return;
    case DType::kUInt8: static_cast<uint8_t*>(base)[row] = store_one<uint8_t>(v); return;
    case DType::kInt32: static_cast<int32_t*>(base)[row] = store_one<int32_t>(v); return;
    case DType::kUInt32: static_cast<uint32_t*>(base)[row] = store_one<uint32_t>(v); return;
    case DType::kInt64: static_cast<int64_t*>(base)[row] = store_one<int64_t>(v); return;
    case DType::kFloat32: static_cast<float*>(base)[row] = static_cast<float>(v); return;
    case DType::kFloat64: static_cast<double*>(base)[row] = v; return;
    default: return;
  }
}

// ---------------------------------------------------------------------------------------
// Sums: pairwise within a block (in double), cascaded across the blocks of a long row, so the
// error grows with log(n) as NumPy's pairwise sum does.

template <class T>
double block_sum(const T* x, int64_t n) {
  if (n <= 256) {
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]);
    return s;
  }
  const int64_t h = (n / 2) & ~int64_t{15};
  return block_sum(x, h) + block_sum(x + h, n - h);
}

template <class D, class T>
void row_sums_typed(D* dst, const T* src, int64_t rows, int64_t len) {
  if (len < 16) {  // too short for a vector reduction to pay off
    for (int64_t r = 0; r < rows; ++r) {
      const T* x = src + r * len;
      double s = 0;
      for (int64_t i = 0; i < len; ++i) s += static_cast<double>(x[i]);
      dst[r] = store_one<D>(s);
    }
  } else if (len <= 256) {
    for (int64_t r = 0; r < rows; ++r) {
      const T* x = src + r * len;
      double s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t i = 0; i < len; ++i) s += static_cast<double>(x[i]);
      dst[r] = store_one<D>(s);
    }
  } else {
    for (int64_t r = 0; r < rows; ++r) dst[r] = store_one<D>(block_sum(src + r * len, len));
  }
}

// Sums of `rows` consecutive rows of `len` values into elements [row, row + rows) of base.
template <class T>
void store_row_sums(DType dt, void* base, int64_t row, const T* src, int64_t rows, int64_t len) {
  switch (dt) {
    case DType::kBool: return row_sums_typed(static_cast<bool*>(base) + row, src, rows, len);
    case DType::kUInt8: return row_sums_typed(static_cast<uint8_t*>(base) + row, src, rows, len);
    case DType::kInt32: return row_sums_typed(static_cast<int32_t*>(base) + row, src, rows, len);
    case DType::kUInt32:
      return row_sums_typed(static_cast<uint32_t*>(base) + row, src, rows, len);
    case DType::kInt64: return row_sums_typed(static_cast<int64_t*>(base) + row, src, rows, len);
    case DType::kFloat32: return row_sums_typed(static_cast<float*>(base) + row, src, rows, len);
    case DType::kFloat64: return row_sums_typed(static_cast<double*>(base) + row, src, rows, len);
    default: return;
  }
}

// Adds pieces like a binary counter: pieces of equal rank pair up before joining bigger ones.
struct Cascade {
  double level[64];
  uint64_t count = 0;
  void add(double x) {
    int k = 0;
    for (uint64_t c = count; c & 1; c >>= 1) x += level[k++];
    level[k] = x;
    ++count;
  }
  double total() const {
    double t = 0;
    for (int k = 0; k < 64; ++k)
      if ((count >> k) & 1) t += level[k];
    return t;
  }
};

// The running row of one reduced output in one thread.
struct RowState {
  int64_t row = -1;
  bool started_here = false;  // the row began inside this thread's range
  Cascade acc;
};

// A row sum some other thread shares: combined after the threads join.
struct Partial {
  int64_t row;
  double value;
};

// ---------------------------------------------------------------------------------------
// The iteration plan: the collapsed iteration space and how each input is read.

enum class InputKind { kContiguous, kConstant, kStrided };

struct InputPlan {
  InputKind kind;
  DType dtype;
  const void* data;
  int64_t strides[kMaxDims];  // over the collapsed dims
};

struct Plan {
  int ndim = 1;
  int64_t shape[kMaxDims];
  int64_t size = 1;
  std::vector<InputPlan> inputs;
};

Plan make_plan(const Program& p) {
  Plan plan;
  const int nd = static_cast<int>(p.shape.size());
  const int nin = static_cast<int>(p.inputs.size());
  plan.inputs.resize(nin);
  const auto stride = [&](int k, int d) { return p.input_strides[k * nd + d]; };
  // Drop size-1 dims, then merge dim d into the dim outside it when every input steps over
  // the pair as over one dim. Outputs are C-contiguous, so they never block a merge.
  int n = 0;
  for (int d = 0; d < nd; ++d) {
    if (p.shape[d] == 1) continue;
    bool merge = n > 0;
    for (int k = 0; k < nin && merge; ++k)
      merge = plan.inputs[k].strides[n - 1] == stride(k, d) * p.shape[d];
    if (merge) {
      plan.shape[n - 1] *= p.shape[d];
      for (int k = 0; k < nin; ++k) plan.inputs[k].strides[n - 1] = stride(k, d);
    } else {
      plan.shape[n] = p.shape[d];
      for (int k = 0; k < nin; ++k) plan.inputs[k].strides[n] = stride(k, d);
      ++n;
    }
  }
  if (n == 0) {
    plan.shape[0] = 1;
    for (int k = 0; k < nin; ++k) plan.inputs[k].strides[0] = 0;
    n = 1;
  }
  plan.ndim = n;
  for (int d = 0; d < n; ++d) plan.size *= plan.shape[d];
  for (int k = 0; k < nin; ++k) {
    InputPlan& in = plan.inputs[k];
    in.dtype = p.inputs[k].dtype;
    in.data = p.inputs[k].data;
    bool constant = true, contiguous = true;
    int64_t expect = 1;
    for (int d = n - 1; d >= 0; --d) {
      constant = constant && (in.strides[d] == 0 || plan.shape[d] == 1);
      contiguous = contiguous && (in.strides[d] == expect || plan.shape[d] == 1);
      expect *= plan.shape[d];
    }
    in.kind = constant ? InputKind::kConstant
                       : (contiguous ? InputKind::kContiguous : InputKind::kStrided);
  }
  return plan;
}

// Loads elements [pos, pos + n) of a strided input; returns where the values are (dst, or the
// input itself when the block is one stride-1 run of the compute type).
template <class T>
const T* load_strided(const InputPlan& in, const Plan& plan, int64_t pos, int64_t n, T* dst) {
  const int nd = plan.ndim;
  int64_t idx[kMaxDims];
  int64_t off = 0, rem = pos;
  for (int d = nd - 1; d >= 0; --d) {
    idx[d] = rem % plan.shape[d];
    rem /= plan.shape[d];
    off += idx[d] * in.strides[d];
  }
  const int64_t inner = plan.shape[nd - 1], s = in.strides[nd - 1];
  if (idx[nd - 1] + n <= inner && s == 1 && in.dtype == dtype_of<T>())
    return static_cast<const T*>(in.data) + off;
  int64_t done = 0;
  while (true) {
    const int64_t len = std::min(inner - idx[nd - 1], n - done);
    load_run(in.dtype, in.data, off, s, len, dst + done);
    done += len;
    if (done >= n) break;
    off -= idx[nd - 1] * s;  // to the start of the next row, carrying into outer dims
    idx[nd - 1] = 0;
    for (int d = nd - 2; d >= 0; --d) {
      off += in.strides[d];
      if (++idx[d] < plan.shape[d]) break;
      off -= idx[d] * in.strides[d];
      idx[d] = 0;
    }
  }
  return dst;
}

// Per-thread scratch memory, kept between calls so repeated calls touch warm pages.
struct Arena {
  void* data = nullptr;
  size_t capacity = 0;
  ~Arena() { std::free(data); }
  void* get(size_t bytes) {
    if (bytes > capacity) {
      std::free(data);
      capacity = std::max(bytes, capacity * 2);
      data = std::aligned_alloc(64, (capacity + 63) / 64 * 64);
      if (!data) capacity = 0;
    }
    return data;
  }
};
thread_local Arena t_arena;

// ---------------------------------------------------------------------------------------
// The worker: elements [begin, end) of the iteration space, on whichever thread runs it.

template <class T>
bool run_range(const Program& p, const Plan& plan, int64_t block, bool align_rows,
               int64_t begin, int64_t end, std::vector<Partial>* partials) {
  const int nin = static_cast<int>(p.inputs.size());
  const int nreg = p.n_regs;
  // One buffer per register plus one scratch; 64 bytes of padding staggers the buffers so
  // that they do not all map to the same L1 sets.
  const size_t stride = (static_cast<size_t>(block) * sizeof(T) + 63) / 64 * 64 + 64;
  const size_t bytes = stride * static_cast<size_t>(nreg + 1) + sizeof(T*) * nreg;
  char* mem = static_cast<char*>(t_arena.get(bytes));
  if (!mem) return false;
  T** R = reinterpret_cast<T**>(mem + stride * (nreg + 1));
  auto buffer = [&](int r) { return reinterpret_cast<T*>(mem + stride * r); };
  T* const scratch = buffer(nreg);
  for (int r = 0; r < nreg; ++r) R[r] = buffer(r);
  const int64_t filled = std::min(block, end - begin);  // constants: filled once per range
  for (int k = 0; k < static_cast<int>(p.n_consts); ++k) {
    const T v = static_cast<T>(p.consts[k]);
    T* dst = R[nin + k];
    for (int64_t i = 0; i < filled; ++i) dst[i] = v;
  }
  for (int k = 0; k < nin; ++k) {
    const InputPlan& in = plan.inputs[k];
    if (in.kind == InputKind::kConstant) load_run(in.dtype, in.data, 0, 0, filled, buffer(k));
  }
  const int nout = static_cast<int>(p.outputs.size());
  std::vector<RowState> rows(nout);
  // Outputs the program writes straight into their memory, saving a copy per block: full
  // size, of the compute type, held in a temporary register that no earlier output uses,
  // and not aliasing an input (a donated input is still read after the output is written).
  std::vector<char> direct(nout, 0);
  for (int o = 0; o < nout; ++o) {
    const Output& out = p.outputs[o];
    bool ok = !out.reduced && out.dtype == dtype_of<T>() && out.reg >= nin + p.n_consts;
    for (int k = 0; ok && k < nin; ++k) ok = p.inputs[k].data != out.data;
    for (int q = 0; ok && q < o; ++q) ok = p.outputs[q].reg != out.reg;
    direct[o] = ok;
  }
  const int64_t R_rows = p.reduce_rows;
  const int64_t inner = plan.shape[plan.ndim - 1];

  for (int64_t pos = begin; pos < end;) {
    int64_t stop = std::min(end, pos + block);
    if (align_rows) stop = std::min(stop, (pos / inner + 1) * inner);
    const int64_t n = stop - pos;
    for (int k = 0; k < nin; ++k) {
      const InputPlan& in = plan.inputs[k];
      switch (in.kind) {
        case InputKind::kConstant:
          break;
        case InputKind::kContiguous:
          if (in.dtype == dtype_of<T>()) {
            R[k] = const_cast<T*>(static_cast<const T*>(in.data) + pos);
          } else {
            load_run(in.dtype, in.data, pos, 1, n, buffer(k));
          }
          break;
        case InputKind::kStrided:
          R[k] = const_cast<T*>(load_strided(in, plan, pos, n, buffer(k)));
          break;
      }
    }
    for (int o = 0; o < nout; ++o)
      if (direct[o]) R[p.outputs[o].reg] = static_cast<T*>(p.outputs[o].data) + pos;
    for (int64_t i = 0; i < p.n_instr; ++i) execute<T>(p.code[i], R, n, scratch);
    for (int o = 0; o < nout; ++o) {
      const Output& out = p.outputs[o];
      const T* src = R[out.reg];
      if (direct[o]) continue;
      if (!out.reduced) {
        store_run(out.dtype, out.data, pos, src, n);
        continue;
      }
      // Walk the rows this block touches: finish each one it completes, keep the last open.
      RowState& st = rows[o];
      int64_t at = 0;
      while (at < n) {
        const int64_t row = (pos + at) / R_rows, in_row = (pos + at) % R_rows;
        const int64_t len = std::min(n - at, R_rows - in_row);
        if (in_row == 0 && len == R_rows) {  // whole rows inside the block: one loop
          const int64_t whole = (n - at) / R_rows;
          store_row_sums(out.dtype, out.data, row, src + at, whole, R_rows);
          at += whole * R_rows;
          continue;
        }
        if (st.row != row) {  // a row that continues past this block
          st = RowState();
          st.row = row;
          st.started_here = in_row == 0;
        }
        st.acc.add(block_sum(src + at, len));
        if (in_row + len == R_rows) {
          if (st.started_here) {
            store_sum(out.dtype, out.data, row, st.acc.total());
          } else {  // begun before this range, by another chunk
            partials[o].push_back({row, st.acc.total()});
          }
          st.row = -1;
        }
        at += len;
      }
    }
    pos = stop;
  }
  for (int o = 0; o < nout; ++o)  // a row still open continues in the next thread
    if (rows[o].row >= 0) partials[o].push_back({rows[o].row, rows[o].acc.total()});
  return true;
}

template <class T>
bool run_typed(const Program& p) {
  const Plan plan = make_plan(p);
  const int64_t total = plan.size;
  const int nout = static_cast<int>(p.outputs.size());
  const int64_t block = std::max<int64_t>(16, g_block.load(std::memory_order_relaxed));
  const int64_t inner = plan.shape[plan.ndim - 1];
  const bool align_rows = plan.ndim > 1 && inner >= block / 4;

  int64_t cost = 1;
  for (int64_t i = 0; i < p.n_instr; ++i) cost += op_cost(static_cast<Op>(p.code[i].op));
  for (const InputPlan& in : plan.inputs) cost += in.kind == InputKind::kStrided ? 2 : 0;
  const int64_t work = total * cost;
  // Chunks of at least `parallel_work` units each (so small calls stay on the caller), and
  // at least a block each.
  const int64_t grain = g_parallel_work.load(std::memory_order_relaxed);
  const int64_t nchunks =
      std::min<int64_t>(chunks_for(work, grain), (total + block - 1) / block);

  // Chunk boundaries: whole rows of a reduction when there are enough rows, else whole cache
  // lines of every output.
  const int64_t R_rows = p.reduce_rows;
  const bool split_rows = R_rows > 0 && total / R_rows >= nchunks;
  const int64_t unit = split_rows ? R_rows : 64;
  const int64_t units = (total + unit - 1) / unit;

  std::vector<std::vector<Partial>> partials(static_cast<size_t>(nchunks) * nout);
  std::atomic<bool> ok{true};
  parallel_slices(units, nchunks, [&](int c, int, int64_t ub, int64_t ue) {
    const int64_t b = std::min(total, ub * unit), e = std::min(total, ue * unit);
    if (!run_range<T>(p, plan, block, align_rows, b, e, partials.data() + c * nout))
      ok.store(false);
  });
  // Rows split between chunks: add their pieces in chunk order.
  for (int o = 0; o < nout; ++o) {
    const Output& out = p.outputs[o];
    if (!out.reduced) continue;
    std::vector<Partial> all;
    for (int64_t c = 0; c < nchunks; ++c)
      for (const Partial& q : partials[c * nout + o]) all.push_back(q);
    std::stable_sort(all.begin(), all.end(),
                     [](const Partial& x, const Partial& y) { return x.row < y.row; });
    for (size_t i = 0; i < all.size();) {
      double s = 0;
      size_t j = i;
      for (; j < all.size() && all[j].row == all[i].row; ++j) s += all[j].value;
      store_sum(out.dtype, out.data, all[i].row, s);
      i = j;
    }
  }
  return ok.load();
}

}  // namespace

const std::vector<std::string>& op_names() {
  static const std::vector<std::string> names = {
#define FNEEDLE_FUSED_NAME(name) #name,
      FNEEDLE_FUSED_UNARY_OPS(FNEEDLE_FUSED_NAME) FNEEDLE_FUSED_BINARY_OPS(FNEEDLE_FUSED_NAME)
      FNEEDLE_FUSED_TERNARY_OPS(FNEEDLE_FUSED_NAME)
#undef FNEEDLE_FUSED_NAME
  };
  return names;
}

int op_arity(Op op) {
  constexpr int kBinary = static_cast<int>(Op::add), kTernary = static_cast<int>(Op::select);
  const int i = static_cast<int>(op);
  return i < kBinary ? 1 : (i < kTernary ? 2 : 3);
}

std::string validate(const Program& p) {
  const int64_t nin = static_cast<int64_t>(p.inputs.size());
  const int64_t base = nin + p.n_consts;
  if (p.compute != DType::kFloat32 && p.compute != DType::kFloat64)
    return "the compute dtype must be float32 or float64.";
  if (p.n_regs < base) {
    return "n_regs is " + std::to_string(p.n_regs) + " but the " + std::to_string(nin) +
           " inputs and " + std::to_string(p.n_consts) + " constants need at least " +
           std::to_string(base) + " registers.";
  }
  if (p.n_regs > kMaxRegs) {
    return "n_regs is " + std::to_string(p.n_regs) + ", more than the " +
           std::to_string(kMaxRegs) + " registers a program may use.";
  }
  for (const Input& in : p.inputs)
    if (in.dtype == DType::kCount) return "an input has a dtype the register machine cannot load.";
  if (p.input_strides.size() != p.inputs.size() * p.shape.size())
    return "input_strides must hold one stride per input and dim.";
  std::vector<char> written(static_cast<size_t>(p.n_regs), 0);
  for (int64_t r = 0; r < base; ++r) written[r] = 1;
  const int n_ops = static_cast<int>(Op::kCount);
  for (int64_t i = 0; i < p.n_instr; ++i) {
    const Instr& in = p.code[i];
    const auto at = [i] { return "instruction " + std::to_string(i) + " "; };
    if (in.op < 0 || in.op >= n_ops) {
      return at() + "has opcode " + std::to_string(in.op) + ", outside [0, " +
             std::to_string(n_ops) + "); see fneedle.backend.fused_ops.OP_NAMES.";
    }
    const char* name = op_names()[in.op].c_str();
    if (in.dst < base || in.dst >= p.n_regs) {
      return at() + "(" + name + ") writes register " + std::to_string(in.dst) +
             ", but only temporaries [" + std::to_string(base) + ", " +
             std::to_string(p.n_regs) + ") may be written.";
    }
    const int arity = op_arity(static_cast<Op>(in.op));
    const int32_t operands[3] = {in.a, in.b, in.c};
    for (int j = 0; j < arity; ++j) {
      const int32_t r = operands[j];
      if (r < 0 || r >= p.n_regs) {
        return at() + "(" + name + ") reads register " + std::to_string(r) + ", outside [0, " +
               std::to_string(p.n_regs) + ").";
      }
      if (!written[r]) {
        return at() + "(" + name + ") reads temporary register " + std::to_string(r) +
               " before any instruction writes it.";
      }
    }
    written[in.dst] = 1;
  }
  for (const Output& out : p.outputs) {
    if (out.reg < 0 || out.reg >= p.n_regs) {
      return "an output stores register " + std::to_string(out.reg) + ", outside [0, " +
             std::to_string(p.n_regs) + ").";
    }
    if (!written[out.reg]) {
      return "an output stores temporary register " + std::to_string(out.reg) +
             ", which no instruction writes.";
    }
    if (out.dtype == DType::kCount)
      return "an output has a dtype the register machine cannot store.";
    if (out.reduced && p.reduce_rows <= 0) {
      int64_t total = 1;
      for (int64_t s : p.shape) total *= s;
      if (total != 0) return "an output is reduced but reduce_rows is not positive.";
    }
  }
  return "";
}

void run(const Program& p) {
  int64_t total = 1;
  for (int64_t s : p.shape) total *= s;
  if (total == 0) {  // nothing to compute; a sum over an empty row is 0
    for (const Output& out : p.outputs)
      if (out.reduced)
        for (int64_t row = 0; row < out.size; ++row) store_sum(out.dtype, out.data, row, 0.0);
    return;
  }
  const bool ok = p.compute == DType::kFloat64 ? run_typed<double>(p) : run_typed<float>(p);
  if (!ok) throw std::bad_alloc();
}

Tuning tuning() { return {g_block.load(), g_parallel_work.load()}; }

void set_tuning(const Tuning& t) {
  if (t.block > 0) g_block.store(std::min<int64_t>(t.block, 1 << 16));
  if (t.parallel_work > 0) g_parallel_work.store(t.parallel_work);
}

}  // namespace fneedle::fused
