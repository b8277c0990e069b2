// The element types the CPU kernels implement, named as NumPy names them.
#pragma once

#include <cstdint>

namespace fneedle {

enum class DType : int { kBool, kUInt8, kInt32, kUInt32, kInt64, kFloat32, kFloat64, kCount };

inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::kBool: return "bool";
    case DType::kUInt8: return "uint8";
    case DType::kInt32: return "int32";
    case DType::kUInt32: return "uint32";
    case DType::kInt64: return "int64";
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    default: return "?";
  }
}

inline bool is_float(DType t) { return t == DType::kFloat32 || t == DType::kFloat64; }
inline bool is_signed_int(DType t) { return t == DType::kInt32 || t == DType::kInt64; }
inline bool is_unsigned_int(DType t) { return t == DType::kUInt8 || t == DType::kUInt32; }
inline bool is_int(DType t) { return is_signed_int(t) || is_unsigned_int(t); }

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<bool>() { return DType::kBool; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::kUInt8; }
template <> constexpr DType dtype_of<int32_t>() { return DType::kInt32; }
template <> constexpr DType dtype_of<uint32_t>() { return DType::kUInt32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::kInt64; }
template <> constexpr DType dtype_of<float>() { return DType::kFloat32; }
template <> constexpr DType dtype_of<double>() { return DType::kFloat64; }

// Element offsets and sizes of one strided operand (strides in elements).
struct Operand {
  void* data;
  const int64_t* strides;
};

}  // namespace fneedle
