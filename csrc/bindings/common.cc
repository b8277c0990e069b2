#include "bindings/common.h"

#include <sstream>

namespace fneedle::bind {

namespace {

bool native_order(const py::dtype& dt) {
  const char b = dt.byteorder();
  if (b == '=' || b == '|') return true;
  const uint16_t probe = 1;
  const bool little = *reinterpret_cast<const uint8_t*>(&probe) == 1;
  return little ? b == '<' : b == '>';
}

DType to_dtype(const py::dtype& dt) {
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'b' && size == 1) return DType::kBool;
  if (kind == 'u' && size == 1) return DType::kUInt8;
  if (kind == 'u' && size == 4) return DType::kUInt32;
  if (kind == 'i' && size == 4) return DType::kInt32;
  if (kind == 'i' && size == 8) return DType::kInt64;
  if (kind == 'f' && size == 4) return DType::kFloat32;
  if (kind == 'f' && size == 8) return DType::kFloat64;
  return DType::kCount;
}

}  // namespace

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

View view_of(py::handle obj, const std::string& where, const char* arg) {
  if (!py::isinstance<py::array>(obj)) {
    throw py::type_error(where + ": argument '" + arg + "' must be a numpy.ndarray, got " +
                         std::string(py::str(py::type::of(obj).attr("__name__"))) +
                         "; convert it with np.asarray first.");
  }
  View v;
  v.array = py::reinterpret_borrow<py::array>(obj);
  const py::dtype dt = v.array.dtype();
  const int ndim = static_cast<int>(v.array.ndim());
  if (ndim > kMaxDims) {
    throw py::value_error(where + ": argument '" + arg + "' has " + std::to_string(ndim) +
                          " dimensions; the kernels support at most " +
                          std::to_string(kMaxDims) + ".");
  }
  if (!native_order(dt)) {
    throw py::type_error(where + ": argument '" + arg + "' has non-native byte order (" +
                         std::string(py::str(dt)) + "); convert it with x.astype(x.dtype.newbyteorder('='))."
                         );
  }
  v.dtype = to_dtype(dt);
  const int64_t item = dt.itemsize();
  v.data = const_cast<void*>(v.array.data());
  if (item > 0 && reinterpret_cast<uintptr_t>(v.data) % item != 0) {
    throw py::value_error(where + ": argument '" + arg +
                          "' is not aligned to its element size; pass np.ascontiguousarray(x).");
  }
  v.shape.resize(ndim);
  v.strides.resize(ndim);
  for (int d = 0; d < ndim; ++d) {
    v.shape[d] = v.array.shape(d);
    const int64_t s = v.array.strides(d);
    if (item == 0 || s % item != 0) {
      throw py::value_error(where + ": argument '" + arg + "' has a stride of " +
                            std::to_string(s) + " bytes, not a multiple of its element size " +
                            std::to_string(item) + "; pass np.ascontiguousarray(x).");
    }
    v.strides[d] = s / item;
    v.size *= v.shape[d];
  }
  return v;
}

void require_known_dtype(const View& v, const std::string& where, const char* arg) {
  if (v.dtype == DType::kCount) {
    throw py::type_error(where + ": argument '" + arg + "' has dtype " +
                         std::string(py::str(v.array.dtype())) +
                         ", which the CPU kernels do not implement; use the NumPy "
                         "implementation for it.");
  }
}

py::dtype numpy_dtype(DType t) { return py::dtype(dtype_name(t)); }

py::array empty_like_inputs(DType t, const std::vector<int64_t>& shape,
                            const std::vector<const View*>& inputs) {
  const int ndim = static_cast<int>(shape.size());
  std::vector<const int64_t*> in_strides;
  for (const View* v : inputs) in_strides.push_back(v->strides.data());
  std::vector<int64_t> strides(ndim);
  dense_strides_like(ndim, shape.data(), static_cast<int>(inputs.size()), in_strides.data(),
                     strides.data());
  const py::dtype dt = numpy_dtype(t);
  std::vector<py::ssize_t> shp(shape.begin(), shape.end()), bytes(ndim);
  for (int d = 0; d < ndim; ++d) bytes[d] = strides[d] * dt.itemsize();
  return py::array(dt, shp, bytes);
}

py::array empty_c(DType t, const std::vector<int64_t>& shape) {
  std::vector<py::ssize_t> shp(shape.begin(), shape.end());
  return py::array(numpy_dtype(t), shp);
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
