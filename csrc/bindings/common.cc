#include "bindings/common.h"

#include <algorithm>
#include <sstream>

#include "kernels/pool.h"

namespace fneedle::bind {

DType to_dtype(char kind, int64_t size) {
  if (kind == 'b' && size == 1) return DType::kBool;
  if (kind == 'u' && size == 1) return DType::kUInt8;
  if (kind == 'u' && size == 4) return DType::kUInt32;
  if (kind == 'i' && size == 4) return DType::kInt32;
  if (kind == 'i' && size == 8) return DType::kInt64;
  if (kind == 'f' && size == 4) return DType::kFloat32;
  if (kind == 'f' && size == 8) return DType::kFloat64;
  return DType::kCount;
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  if (shape.size() == 1) s << ",";
  s << ")";
  return s.str();
}

std::string describe(const View& v) {
  return std::string(py::str(v.array.dtype())) + shape_str(v.shape);
}

namespace {

std::string call_name(const char* fn, const char* op) {
  return op ? std::string(fn) + "(" + op + ")" : std::string(fn);
}

}  // namespace

View view_of(py::handle obj, const char* fn, const char* arg, const char* op) {
  auto& api = py::detail::npy_api::get();
  if (!api.PyArray_Check_(obj.ptr())) {
    throw py::type_error(call_name(fn, op) + ": argument '" + arg +
                         "' must be a numpy.ndarray, got " +
                         std::string(py::str(py::type::of(obj).attr("__name__"))) +
                         "; convert it with np.asarray first.");
  }
  const auto* arr = py::detail::array_proxy(obj.ptr());
  const auto* descr = py::detail::array_descriptor_proxy(arr->descr);
  const int64_t item = api.PyArray_RUNTIME_VERSION_ < 0x12
                           ? py::detail::array_descriptor1_proxy(arr->descr)->elsize
                           : py::detail::array_descriptor2_proxy(arr->descr)->elsize;
  View v;
  v.array = py::reinterpret_borrow<py::array>(obj);
  const int ndim = arr->nd;
  if (ndim > kMaxDims) {
    throw py::value_error(call_name(fn, op) + ": argument '" + arg + "' has " +
                          std::to_string(ndim) + " dimensions; the kernels support at most " +
                          std::to_string(kMaxDims) + ".");
  }
  const char order = descr->byteorder;
  const uint16_t probe = 1;
  const bool little = *reinterpret_cast<const uint8_t*>(&probe) == 1;
  if (!(order == '=' || order == '|' || order == (little ? '<' : '>'))) {
    throw py::type_error(call_name(fn, op) + ": argument '" + arg +
                         "' has non-native byte order (" +
                         std::string(py::str(v.array.dtype())) +
                         "); convert it with x.astype(x.dtype.newbyteorder('=')).");
  }
  v.dtype = to_dtype(descr->kind, item);
  v.data = arr->data;
  if (item > 0 && reinterpret_cast<uintptr_t>(v.data) % item != 0 && v.dtype != DType::kCount) {
    throw py::value_error(call_name(fn, op) + ": argument '" + arg +
                          "' is not aligned to its element size; pass np.ascontiguousarray(x).");
  }
  v.shape.resize(ndim);
  v.strides.resize(ndim);
  for (int d = 0; d < ndim; ++d) {
    v.shape[d] = arr->dimensions[d];
    const int64_t s = arr->strides[d];
    if (item == 0 || s % item != 0) {
      throw py::value_error(call_name(fn, op) + ": argument '" + arg + "' has a stride of " +
                            std::to_string(s) + " bytes, not a multiple of its element size " +
                            std::to_string(item) + "; pass np.ascontiguousarray(x).");
    }
    v.strides[d] = s / item;
    v.size *= v.shape[d];
  }
  return v;
}

View view_of(py::handle obj, const std::string& where, const char* arg) {
  return view_of(obj, where.c_str(), arg, nullptr);
}

void require_known_dtype(const View& v, const std::string& where, const char* arg) {
  if (v.dtype == DType::kCount) {
    throw py::type_error(where + ": argument '" + arg + "' has dtype " +
                         std::string(py::str(v.array.dtype())) +
                         ", which the CPU kernels do not implement; use the NumPy "
                         "implementation for it.");
  }
}

py::dtype numpy_dtype(DType t) {
  // Leaked on purpose: dtype objects must not be released after the interpreter is gone.
  static const py::dtype* cache[] = {
      new py::dtype(py::dtype::of<bool>()),     new py::dtype(py::dtype::of<uint8_t>()),
      new py::dtype(py::dtype::of<int32_t>()),  new py::dtype(py::dtype::of<uint32_t>()),
      new py::dtype(py::dtype::of<int64_t>()),  new py::dtype(py::dtype::of<float>()),
      new py::dtype(py::dtype::of<double>())};
  return *cache[static_cast<int>(t)];
}

namespace {

constexpr size_t kMinPooledBytes = size_t{64} << 10;
constexpr const char* kCapsuleName = "fneedle.kernel_block";

void release_block(PyObject* capsule) {
  if (void* data = PyCapsule_GetPointer(capsule, kCapsuleName)) {
    pool::release(data);
  } else {
    PyErr_Clear();
  }
}

}  // namespace

py::array new_array(const py::dtype& dt, const std::vector<int64_t>& shape,
                    const std::vector<int64_t>& byte_strides) {
  std::vector<py::ssize_t> shp(shape.begin(), shape.end());
  std::vector<py::ssize_t> strides(byte_strides.begin(), byte_strides.end());
  size_t bytes = static_cast<size_t>(dt.itemsize());
  for (int64_t s : shape) bytes *= static_cast<size_t>(s);
  if (bytes < kMinPooledBytes) return py::array(dt, shp, strides);
  void* data = pool::acquire(bytes);
  if (!data) throw std::bad_alloc();
  PyObject* capsule = PyCapsule_New(data, kCapsuleName, &release_block);
  if (!capsule) {
    pool::release(data);
    throw py::error_already_set();
  }
  const py::object base = py::reinterpret_steal<py::object>(capsule);
  return py::array(dt, shp, strides, data, base);
}

py::array empty_like_inputs(DType t, const std::vector<int64_t>& shape,
                            const std::vector<const View*>& inputs) {
  const int ndim = static_cast<int>(shape.size());
  const int64_t* in_strides[8];
  const int nin = static_cast<int>(std::min<size_t>(inputs.size(), 8));
  for (int k = 0; k < nin; ++k) in_strides[k] = inputs[k]->strides.data();
  std::vector<int64_t> strides(ndim);
  dense_strides_like(ndim, shape.data(), nin, in_strides, strides.data());
  const py::dtype& dt = numpy_dtype(t);
  for (int d = 0; d < ndim; ++d) strides[d] *= dt.itemsize();
  return new_array(dt, shape, strides);
}

py::array empty_c(DType t, const std::vector<int64_t>& shape) {
  const py::dtype& dt = numpy_dtype(t);
  std::vector<int64_t> strides(shape.size());
  int64_t s = dt.itemsize();
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    strides[d] = s;
    s *= std::max<int64_t>(shape[d], 1);
  }
  return new_array(dt, shape, strides);
}

std::vector<int64_t> element_strides(const py::array& a) {
  std::vector<int64_t> s(a.ndim());
  const int64_t item = a.itemsize();
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s[d] = a.strides(d) / item;
  return s;
}

std::vector<int> parse_axes(py::handle axes, int ndim, const std::string& where) {
  std::vector<int> out;
  for (py::handle h : py::iter(axes)) {
    if (!py::isinstance<py::int_>(h)) {
      throw py::type_error(where + ": axes must be a tuple of ints.");
    }
    const long a = h.cast<long>();
    if (a < 0 || a >= ndim) {
      throw py::value_error(where + ": axis " + std::to_string(a) +
                            " is out of range for an array of rank " + std::to_string(ndim) +
                            "; pass non-negative axes below the rank.");
    }
    if (!out.empty() && a <= out.back()) {
      throw py::value_error(where + ": axes must be sorted and unique; sort them first.");
    }
    out.push_back(static_cast<int>(a));
  }
  return out;
}

int parse_axis(py::handle axis, int ndim, const std::string& where) {
  if (!py::isinstance<py::int_>(axis)) throw py::type_error(where + ": axis must be an int.");
  const long a = axis.cast<long>();
  if (a < 0 || a >= ndim) {
    throw py::value_error(where + ": axis " + std::to_string(a) +
                          " is out of range for an array of rank " + std::to_string(ndim) +
                          "; pass a non-negative axis below the rank.");
  }
  return static_cast<int>(a);
}

}  // namespace fneedle::bind
