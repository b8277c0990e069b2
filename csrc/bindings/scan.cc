// Bindings for the scans (cumulative reductions along one axis).
#include "bindings/common.h"
#include "bindings/dispatch.h"
#include "bindings/register.h"
#include "kernels/scan.h"

namespace fneedle::bind {
namespace {

py::array scan_py(int code, py::handle x_obj, py::handle axis_obj, bool reverse) {
  if (code < 0 || code >= static_cast<int>(ScanOp::kCount)) {
    throw py::value_error("fneedle._C.scan: unknown op code " + std::to_string(code) + ".");
  }
  const auto op = static_cast<ScanOp>(code);
  const std::string where = std::string("fneedle._C.scan(") + scan_op_name(op) + ")";
  View x = view_of(x_obj, "fneedle._C.scan", "x", scan_op_name(op));
  if (x.dtype == DType::kCount || !scan_supported(op, x.dtype)) {
    throw py::type_error(where + ": dtype " + std::string(py::str(x.array.dtype())) +
                         " is not implemented by this kernel; use the NumPy implementation.");
  }
  const int axis = parse_axis(axis_obj, x.ndim(), where);
  py::array out = empty_like_inputs(x.dtype, x.shape, {&x});
  if (x.size == 0) return out;
  const std::vector<int64_t> os = element_strides(out);
  ScanArgs args{x.ndim(), x.shape.data(), x.data, x.strides.data(), out.mutable_data(),
                os.data(), axis, reverse};
  {
    GilRelease release(x.size);
    dispatch_dtype(x.dtype, [&](auto tag) { scan<decltype(tag)>(op, args); });
  }
  return out;
}

}  // namespace

void register_scan(py::module_& m) {
  m.def("scan", &scan_py, py::arg("op"), py::arg("x"), py::arg("axis"), py::arg("reverse"),
        "Inclusive scan of x along `axis` with op code `op`, from the end if `reverse`.");
  m.def("scan_ops", [] {
    py::dict table;
    for (int c = 0; c < static_cast<int>(ScanOp::kCount); ++c) {
      py::list dtypes;
      for (int t = 0; t < static_cast<int>(DType::kCount); ++t)
        if (scan_supported(static_cast<ScanOp>(c), static_cast<DType>(t)))
          dtypes.append(dtype_name(static_cast<DType>(t)));
      table[scan_op_name(static_cast<ScanOp>(c))] = py::make_tuple(c, dtypes);
    }
    return table;
  });
}

}  // namespace fneedle::bind
