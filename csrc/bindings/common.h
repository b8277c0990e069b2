// Shared argument checking for the pybind11 module: turns Python objects into validated
// strided views and allocates outputs. Every failure is a Python TypeError/ValueError.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernels/dtype.h"
#include "kernels/strided.h"

namespace fneedle::bind {

namespace py = pybind11;

// A numpy array checked for native byte order, alignment and element-multiple strides.
struct View {
  py::array array;
  DType dtype = DType::kCount;  // kCount when the dtype is not one the kernels know
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;  // in elements
  void* data = nullptr;
  int64_t size = 1;
  int ndim() const { return static_cast<int>(shape.size()); }
};

// Reads a numpy array argument, or raises TypeError/ValueError. Error messages name the call
// as `fn` or `fn(op)`, e.g. "fneedle._C.unary(exp)"; nothing is formatted on success.
View view_of(py::handle obj, const char* fn, const char* arg, const char* op = nullptr);
View view_of(py::handle obj, const std::string& where, const char* arg);

// Raises TypeError unless v has one of the kernel dtypes.
void require_known_dtype(const View& v, const std::string& where, const char* arg);

// The kernels' dtype for a NumPy dtype kind ('f', 'i', ...) and item size; kCount if none.
DType to_dtype(char kind, int64_t size);

py::dtype numpy_dtype(DType t);  // cached: no string parsing per call
std::string shape_str(const std::vector<int64_t>& shape);
std::string describe(const View& v);  // "float32[3, 4]"

// A fresh array of `shape` laid out like `inputs` (K order); strides of `inputs` in elements.
py::array empty_like_inputs(DType t, const std::vector<int64_t>& shape,
                            const std::vector<const View*>& inputs);
// A fresh C-contiguous array.
py::array empty_c(DType t, const std::vector<int64_t>& shape);
// A fresh array with the given byte strides (dense); blocks of 64 KiB and more come from the
// caching allocator (kernels/pool.h), so repeated calls write into warm pages.
py::array new_array(const py::dtype& dt, const std::vector<int64_t>& shape,
                    const std::vector<int64_t>& byte_strides);
// Element strides of an array we allocated.
std::vector<int64_t> element_strides(const py::array& a);

// Parses an axis tuple: every entry in [0, ndim), strictly increasing.
std::vector<int> parse_axes(py::handle axes, int ndim, const std::string& where);
int parse_axis(py::handle axis, int ndim, const std::string& where);

// Releases the GIL for its scope when the kernel has enough elements to work on; for tiny
// inputs releasing and re-taking it costs more than the kernel itself.
class GilRelease {
 public:
  explicit GilRelease(int64_t elements) {
    if (elements >= 2048) release_.emplace();
  }

 private:
  std::optional<py::gil_scoped_release> release_;
};

}  // namespace fneedle::bind
