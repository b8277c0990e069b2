// Bindings for segment_sum and bincount.
#include "bindings/common.h"
#include "bindings/register.h"
#include "kernels/copy.h"
#include "kernels/segment.h"

namespace fneedle::bind {
namespace {

View checked_ids(py::handle obj, const std::string& where, const char* arg) {
  View ids = view_of(obj, where, arg);
  if (ids.dtype != DType::kInt32 && ids.dtype != DType::kInt64) {
    throw py::type_error(where + ": '" + arg + "' must have dtype int32 or int64, got " +
                         describe(ids) + "; convert it with .astype(np.int64).");
  }
  if (ids.ndim() != 1) {
    throw py::value_error(where + ": '" + arg + "' must be 1-d, got " + describe(ids) + ".");
  }
  return ids;
}

void check_value_dtype(const View& v, const std::string& where, const char* arg) {
  if (v.dtype != DType::kFloat32 && v.dtype != DType::kFloat64 && v.dtype != DType::kInt32 &&
      v.dtype != DType::kInt64) {
    throw py::type_error(where + ": '" + arg + "' has dtype " +
                         std::string(py::str(v.array.dtype())) +
                         "; the kernel implements float32, float64, int32 and int64.");
  }
}

template <class F>
void dispatch_values(DType t, F&& f) {
  switch (t) {
    case DType::kFloat32: return f(float{});
    case DType::kFloat64: return f(double{});
    case DType::kInt32: return f(int32_t{});
    case DType::kInt64: return f(int64_t{});
    default: return;
  }
}

// Runs segment_sum for data viewed as rows of `width` elements (row/col strides in elements).
void run(DType vt, const void* data, int64_t rs, int64_t cs, int64_t n, int64_t width,
         const View& ids, int64_t S, void* out) {
  GilRelease release(n * width);
  dispatch_values(vt, [&](auto tag) {
    using T = decltype(tag);
    if (ids.dtype == DType::kInt32)
      segment_sum<T, int32_t>(static_cast<const T*>(data), rs, cs, n, width,
                              static_cast<const int32_t*>(ids.data), ids.strides[0], S,
                              static_cast<T*>(out));
    else
      segment_sum<T, int64_t>(static_cast<const T*>(data), rs, cs, n, width,
                              static_cast<const int64_t*>(ids.data), ids.strides[0], S,
                              static_cast<T*>(out));
  });
}

int64_t parse_count(py::handle obj, const std::string& where, const char* what) {
  if (!py::isinstance<py::int_>(obj)) throw py::type_error(where + ": " + what + " must be an int.");
  const int64_t v = obj.cast<int64_t>();
  if (v < 0) {
    throw py::value_error(where + ": " + what + " must be non-negative, got " +
                          std::to_string(v) + ".");
  }
  return v;
}

py::array segment_sum_py(py::handle data_obj, py::handle ids_obj, py::handle num_obj) {
  const std::string where = "fneedle._C.segment_sum";
  View data = view_of(data_obj, where, "data");
  check_value_dtype(data, where, "data");
  if (data.ndim() < 1) throw py::value_error(where + ": 'data' must have at least one dim.");
  View ids = checked_ids(ids_obj, where, "segment_ids");
  if (ids.shape[0] != data.shape[0]) {
    throw py::value_error(where + ": 'segment_ids' has " + std::to_string(ids.shape[0]) +
                          " entries but 'data' has " + std::to_string(data.shape[0]) +
                          " rows (shape " + shape_str(data.shape) + "); they must match.");
  }
  const int64_t S = parse_count(num_obj, where, "num_segments");
  std::vector<int64_t> out_shape = data.shape;
  out_shape[0] = S;
  py::array out = empty_c(data.dtype, out_shape);
  // Trailing dims must collapse to one strided dim; otherwise copy the data to C order first.
  int64_t width = 1, cs = 1;
  bool uniform = true;
  int64_t prev_stride = 0, prev_size = 0;
  for (int d = data.ndim() - 1; d >= 1; --d) {
    width *= data.shape[d];
    if (data.shape[d] == 1) continue;
    if (prev_size == 0) cs = data.strides[d];
    else uniform = uniform && data.strides[d] == prev_stride * prev_size;
    prev_stride = data.strides[d], prev_size = data.shape[d];
  }
  const void* ptr = data.data;
  int64_t rs = data.strides[0];
  py::array contiguous;
  if (!uniform) {
    std::vector<py::ssize_t> shp(data.shape.begin(), data.shape.end());
    contiguous = py::array(data.array.dtype(), shp);
    std::vector<int64_t> xs(data.ndim()), os(data.ndim());
    for (int d = 0; d < data.ndim(); ++d) xs[d] = data.array.strides(d), os[d] = contiguous.strides(d);
    const int64_t item = data.array.itemsize();
    void* dst = contiguous.mutable_data();
    {
      py::gil_scoped_release release;
      strided_copy(data.ndim(), data.shape.data(), data.data, xs.data(), dst, os.data(), item);
    }
    ptr = contiguous.data();
    rs = width;
    cs = 1;
  }
  run(data.dtype, ptr, rs, cs, data.shape[0], width, ids, S, out.mutable_data());
  return out;
}

py::array bincount_py(py::handle ids_obj, py::handle weights_obj, py::handle length_obj) {
  const std::string where = "fneedle._C.bincount";
  View ids = checked_ids(ids_obj, where, "ids");
  const int64_t S = parse_count(length_obj, where, "length");
  if (weights_obj.is_none()) {
    py::array out = empty_c(DType::kInt64, {S});
    run(DType::kInt64, nullptr, 0, 1, ids.shape[0], 1, ids, S, out.mutable_data());
    return out;
  }
  View w = view_of(weights_obj, where, "weights");
  check_value_dtype(w, where, "weights");
  if (w.shape != ids.shape) {
    throw py::value_error(where + ": 'weights' must have the shape of 'ids', got " +
                          describe(w) + " and " + describe(ids) + ".");
  }
  py::array out = empty_c(w.dtype, {S});
  run(w.dtype, w.data, w.strides[0], 1, ids.shape[0], 1, ids, S, out.mutable_data());
  return out;
}

}  // namespace

void register_segment(py::module_& m) {
  m.def("segment_sum", &segment_sum_py, py::arg("data"), py::arg("segment_ids"),
        py::arg("num_segments"),
        "out[segment_ids[i]] += data[i] along axis 0; ids outside [0, num_segments) are dropped.");
  m.def("bincount", &bincount_py, py::arg("ids"), py::arg("weights"), py::arg("length"),
        "Counts (int64) or sums of weights per id in [0, length); other ids are dropped.");
}

}  // namespace fneedle::bind
