// Bindings for reductions over axes and argmax/argmin.
#include "bindings/common.h"
#include "bindings/dispatch.h"
#include "bindings/register.h"
#include "kernels/reduction.h"

namespace fneedle::bind {
namespace {

py::array reduce_py(int code, py::handle x_obj, py::handle axes_obj) {
  if (code < 0 || code >= static_cast<int>(ReduceOp::kCount)) {
    throw py::value_error("fneedle._C.reduce: unknown op code " + std::to_string(code) + ".");
  }
  const auto op = static_cast<ReduceOp>(code);
  const std::string where = std::string("fneedle._C.reduce(") + reduce_op_name(op) + ")";
  View x = view_of(x_obj, "fneedle._C.reduce", "x", reduce_op_name(op));
  if (x.dtype == DType::kCount || !reduce_supported(op, x.dtype)) {
    throw py::type_error(where + ": dtype " + std::string(py::str(x.array.dtype())) +
                         " is not implemented by this kernel; use the NumPy implementation.");
  }
  const std::vector<int> axes = parse_axes(axes_obj, x.ndim(), where);
  bool reduced[kMaxDims] = {};
  for (int a : axes) reduced[a] = true;
  std::vector<int64_t> out_shape;
  for (int d = 0; d < x.ndim(); ++d)
    if (!reduced[d]) out_shape.push_back(x.shape[d]);
  py::array out = empty_c(x.dtype, out_shape);
  ReduceArgs args{x.ndim(), x.shape.data(), x.data, x.strides.data(), reduced,
                  out.mutable_data()};
  {
    GilRelease release(x.size);
    dispatch_dtype(x.dtype, [&](auto tag) { reduce<decltype(tag)>(op, args); });
  }
  return out;
}

py::array argreduce_py(const std::string& name, py::handle x_obj, py::handle axis_obj,
                       py::handle index_dtype) {
  const std::string where = "fneedle._C.argreduce(" + name + ")";
  ArgOp op;
  if (name == "argmax") op = ArgOp::argmax;
  else if (name == "argmin") op = ArgOp::argmin;
  else throw py::value_error(where + ": op must be 'argmax' or 'argmin'.");
  View x = view_of(x_obj, where, "x");
  if (x.dtype == DType::kCount || !argreduce_supported(x.dtype)) {
    throw py::type_error(where + ": dtype " + std::string(py::str(x.array.dtype())) +
                         " is not implemented by this kernel; use the NumPy implementation.");
  }
  const int axis = parse_axis(axis_obj, x.ndim(), where);
  if (x.shape[axis] == 0) {
    throw py::value_error(where + ": axis " + std::to_string(axis) + " of an array of shape " +
                          shape_str(x.shape) + " is empty, so it has no " + name + ".");
  }
  const py::dtype idt = py::dtype::from_args(py::reinterpret_borrow<py::object>(index_dtype));
  DType it;
  if (idt.kind() == 'i' && idt.itemsize() == 4) it = DType::kInt32;
  else if (idt.kind() == 'i' && idt.itemsize() == 8) it = DType::kInt64;
  else throw py::type_error(where + ": index_dtype must be int32 or int64, got " +
                            std::string(py::str(idt)) + ".");
  if (it == DType::kInt32 && x.shape[axis] > INT32_MAX) {
    throw py::value_error(where + ": the axis has " + std::to_string(x.shape[axis]) +
                          " elements, too many for int32 indices; use int64.");
  }
  std::vector<int64_t> out_shape;
  for (int d = 0; d < x.ndim(); ++d)
    if (d != axis) out_shape.push_back(x.shape[d]);
  py::array out = empty_c(it, out_shape);
  ArgReduceArgs args{x.ndim(), x.shape.data(), x.data, x.strides.data(), axis,
                     out.mutable_data()};
  {
    GilRelease release(x.size);
    dispatch_dtype(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      if (it == DType::kInt32) argreduce<T, int32_t>(op, args);
      else argreduce<T, int64_t>(op, args);
    });
  }
  return out;
}

}  // namespace

void register_reduction(py::module_& m) {
  m.def("reduce", &reduce_py, py::arg("op"), py::arg("x"), py::arg("axes"),
        "Reduces x over the sorted, non-negative `axes` (keepdims=False) with op code `op`.");
  m.def("argreduce", &argreduce_py, py::arg("op"), py::arg("x"), py::arg("axis"),
        py::arg("index_dtype"), "argmax/argmin of x along `axis` (first occurrence; NaN wins).");
  m.def("reduce_ops", [] {
    py::dict table;
    for (int c = 0; c < static_cast<int>(ReduceOp::kCount); ++c) {
      py::list dtypes;
      for (int t = 0; t < static_cast<int>(DType::kCount); ++t)
        if (reduce_supported(static_cast<ReduceOp>(c), static_cast<DType>(t)))
          dtypes.append(dtype_name(static_cast<DType>(t)));
      table[reduce_op_name(static_cast<ReduceOp>(c))] = py::make_tuple(c, dtypes);
    }
    return table;
  });
}

}  // namespace fneedle::bind
