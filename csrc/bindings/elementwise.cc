// Bindings for the unary and binary elementwise kernels.
#include "bindings/common.h"
#include "bindings/dispatch.h"
#include "bindings/register.h"
#include "kernels/elementwise.h"

namespace fneedle::bind {
namespace {

py::array unary_py(int code, py::handle x_obj) {
  if (code < 0 || code >= static_cast<int>(UnaryOp::kCount)) {
    throw py::value_error("fneedle._C.unary: unknown op code " + std::to_string(code) + ".");
  }
  const auto op = static_cast<UnaryOp>(code);
  auto where = [&] { return std::string("fneedle._C.unary(") + unary_op_name(op) + ")"; };
  View x = view_of(x_obj, "fneedle._C.unary", "x", unary_op_name(op));
  if (x.dtype == DType::kCount || !unary_supported(op, x.dtype)) {
    throw py::type_error(where() + ": dtype " + std::string(py::str(x.array.dtype())) +
                         " is not implemented by this kernel; use the NumPy implementation.");
  }
  py::array out = empty_like_inputs(unary_result(op, x.dtype), x.shape, {&x});
  if (x.size == 0) return out;
  const std::vector<int64_t> os = element_strides(out);
  ElemArgs args{x.ndim(), x.shape.data(), {out.mutable_data(), os.data()},
                {{x.data, x.strides.data()}, {nullptr, nullptr}}};
  {
    GilRelease release(x.size);
    dispatch_dtype(x.dtype, [&](auto tag) { unary<decltype(tag)>(op, args); });
  }
  return out;
}

py::array binary_py(int code, py::handle x_obj, py::handle y_obj) {
  if (code < 0 || code >= static_cast<int>(BinaryOp::kCount)) {
    throw py::value_error("fneedle._C.binary: unknown op code " + std::to_string(code) + ".");
  }
  const auto op = static_cast<BinaryOp>(code);
  auto where = [&] { return std::string("fneedle._C.binary(") + binary_op_name(op) + ")"; };
  View x = view_of(x_obj, "fneedle._C.binary", "x", binary_op_name(op));
  View y = view_of(y_obj, "fneedle._C.binary", "y", binary_op_name(op));
  if (x.shape != y.shape) {
    throw py::value_error(where() + ": operands must have the same shape, got " + describe(x) +
                          " and " + describe(y) + "; broadcast them first.");
  }
  if (x.dtype != y.dtype) {
    throw py::type_error(where() + ": operands must have the same dtype, got " + describe(x) +
                         " and " + describe(y) + "; convert one of them first.");
  }
  if (x.dtype == DType::kCount || !binary_supported(op, x.dtype)) {
    throw py::type_error(where() + ": dtype " + std::string(py::str(x.array.dtype())) +
                         " is not implemented by this kernel; use the NumPy implementation.");
  }
  py::array out = empty_like_inputs(binary_result(op, x.dtype), x.shape, {&x, &y});
  if (x.size == 0) return out;
  const std::vector<int64_t> os = element_strides(out);
  ElemArgs args{x.ndim(), x.shape.data(), {out.mutable_data(), os.data()},
                {{x.data, x.strides.data()}, {y.data, y.strides.data()}}};
  {
    GilRelease release(x.size);
    dispatch_dtype(x.dtype, [&](auto tag) { binary<decltype(tag)>(op, args); });
  }
  return out;
}

// {name: (code, [dtype names])} for the Python side's tables.
template <class Op, class Supported, class Name>
py::dict op_table(Supported supported, Name name) {
  py::dict table;
  for (int c = 0; c < static_cast<int>(Op::kCount); ++c) {
    py::list dtypes;
    for (int t = 0; t < static_cast<int>(DType::kCount); ++t)
      if (supported(static_cast<Op>(c), static_cast<DType>(t)))
        dtypes.append(dtype_name(static_cast<DType>(t)));
    table[name(static_cast<Op>(c))] = py::make_tuple(c, dtypes);
  }
  return table;
}

}  // namespace

void register_elementwise(py::module_& m) {
  m.def("unary", &unary_py, py::arg("op"), py::arg("x"),
        "Applies unary op `op` (a code from unary_ops()) to x; returns a fresh array laid out "
        "like x.");
  m.def("binary", &binary_py, py::arg("op"), py::arg("x"), py::arg("y"),
        "Applies binary op `op` to same-shape, same-dtype x and y (any strides).");
  m.def("unary_ops", [] { return op_table<UnaryOp>(unary_supported, unary_op_name); });
  m.def("binary_ops", [] { return op_table<BinaryOp>(binary_supported, binary_op_name); });
}

}  // namespace fneedle::bind
