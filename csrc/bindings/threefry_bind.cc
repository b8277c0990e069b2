// Binding for the Threefry-2x32 kernel: fneedle._C.threefry2x32(key0, key1, x0, x1).
#include <string>
#include <vector>

#include "bindings/common.h"
#include "bindings/register.h"
#include "kernels/threefry.h"

namespace fneedle::bind {
namespace {

const char* const kWhere = "fneedle._C.threefry2x32";

// Checks a uint32 operand that is rank-0 or C-contiguous.
View uint32_operand(py::handle obj, const char* arg) {
  View v = view_of(obj, kWhere, arg);
  if (v.dtype != DType::kUInt32) {
    throw py::type_error(std::string(kWhere) + ": argument '" + arg + "' must be uint32, got " +
                         describe(v) + "; convert it with x.astype(np.uint32).");
  }
  int64_t expect = 1;
  for (int d = v.ndim() - 1; d >= 0 && v.size > 0; --d) {
    if (v.shape[d] != 1 && v.strides[d] != expect) {
      throw py::value_error(std::string(kWhere) + ": argument '" + arg +
                            "' must be C-contiguous; pass np.ascontiguousarray(x).");
    }
    expect *= v.shape[d];
  }
  return v;
}

py::tuple threefry2x32_py(py::handle key0, py::handle key1, py::handle x0, py::handle x1) {
  const char* names[4] = {"key0", "key1", "x0", "x1"};
  py::handle objs[4] = {key0, key1, x0, x1};
  std::vector<View> views;
  for (int j = 0; j < 4; ++j) views.push_back(uint32_operand(objs[j], names[j]));
  // Operands of rank > 0 share one shape; rank-0 operands broadcast against it.
  std::vector<int64_t> shape;
  bool have_shape = false;
  for (const View& v : views) {
    if (v.ndim() == 0) continue;
    if (have_shape && v.shape != shape) {
      throw py::value_error(std::string(kWhere) + ": operands must have one shape (or rank 0), "
                            "got " + describe(views[0]) + ", " + describe(views[1]) + ", " +
                            describe(views[2]) + ", " + describe(views[3]) + ".");
    }
    shape = v.shape;
    have_shape = true;
  }
  py::array out0 = empty_c(DType::kUInt32, shape);
  py::array out1 = empty_c(DType::kUInt32, shape);
  ThreefryArgs args{};
  args.n = 1;
  for (int64_t s : shape) args.n *= s;
  for (int j = 0; j < 4; ++j) {
    args.in[j] = static_cast<const uint32_t*>(views[j].data);
    args.is_array[j] = views[j].ndim() > 0;
  }
  args.out0 = static_cast<uint32_t*>(out0.mutable_data());
  args.out1 = static_cast<uint32_t*>(out1.mutable_data());
  if (args.n > 0) {
    py::gil_scoped_release release;
    threefry2x32(args);
  }
  return py::make_tuple(out0, out1);
}

}  // namespace

void register_threefry(py::module_& m) {
  m.def("threefry2x32", &threefry2x32_py, py::arg("key0"), py::arg("key1"), py::arg("x0"),
        py::arg("x1"),
        "Threefry-2x32 (20 rounds) of the counters (x0, x1) under the keys (key0, key1): "
        "uint32 arrays of one shape (rank-0 ones broadcast); returns (y0, y1).");
}

}  // namespace fneedle::bind
