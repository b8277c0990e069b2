// Calls f(T{}) with the C++ element type of a kernel dtype.
#pragma once

#include <cstdint>

#include "kernels/dtype.h"

namespace fneedle::bind {

template <class F>
void dispatch_dtype(DType t, F&& f) {
  switch (t) {
    case DType::kBool: return f(bool{});
    case DType::kUInt8: return f(uint8_t{});
    case DType::kInt32: return f(int32_t{});
    case DType::kUInt32: return f(uint32_t{});
    case DType::kInt64: return f(int64_t{});
    case DType::kFloat32: return f(float{});
    case DType::kFloat64: return f(double{});
    default: return;
  }
}

}  // namespace fneedle::bind
