// Bindings for copy (any strides -> C order) and transpose (materialized permutation).
#include "bindings/common.h"
#include "bindings/register.h"
#include "kernels/copy.h"

namespace fneedle::bind {
namespace {

py::array plain_array(py::handle obj, const std::string& where) {
  if (!py::isinstance<py::array>(obj)) {
    throw py::type_error(where + ": argument 'x' must be a numpy.ndarray, got " +
                         std::string(py::str(py::type::of(obj).attr("__name__"))) + ".");
  }
  py::array a = py::reinterpret_borrow<py::array>(obj);
  if (a.dtype().attr("hasobject").cast<bool>()) {
    throw py::type_error(where + ": arrays of Python objects (dtype " +
                         std::string(py::str(a.dtype())) + ") are not supported; use np.copy.");
  }
  if (a.ndim() > kMaxDims) {
    throw py::value_error(where + ": at most " + std::to_string(kMaxDims) + " dims are supported.");
  }
  return a;
}

// Copies x viewed with (shape, byte strides) into a fresh C-contiguous array.
py::array copy_view(const py::array& x, const std::vector<int64_t>& shape,
                    const std::vector<int64_t>& strides) {
  std::vector<py::ssize_t> shp(shape.begin(), shape.end());
  py::array out(x.dtype(), shp);
  std::vector<int64_t> os(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) os[d] = out.strides(d);
  const void* src = x.data();
  void* dst = out.mutable_data();
  const int64_t item = x.itemsize();
  {
    GilRelease release(x.size());
    strided_copy(static_cast<int>(shape.size()), shape.data(), src, strides.data(), dst,
                 os.data(), item);
  }
  return out;
}

py::array copy_py(py::handle x_obj) {
  py::array x = plain_array(x_obj, "fneedle._C.copy");
  std::vector<int64_t> shape(x.ndim()), strides(x.ndim());
  for (py::ssize_t d = 0; d < x.ndim(); ++d) shape[d] = x.shape(d), strides[d] = x.strides(d);
  return copy_view(x, shape, strides);
}

py::array transpose_py(py::handle x_obj, py::handle perm_obj) {
  const std::string where = "fneedle._C.transpose";
  py::array x = plain_array(x_obj, where);
  const int nd = static_cast<int>(x.ndim());
  std::vector<int64_t> perm;
  for (py::handle h : py::iter(perm_obj)) {
    if (!py::isinstance<py::int_>(h)) throw py::type_error(where + ": perm must be a tuple of ints.");
    perm.push_back(h.cast<int64_t>());
  }
  std::vector<bool> seen(nd, false);
  bool ok = static_cast<int>(perm.size()) == nd;
  for (int64_t p : perm) {
    ok = ok && p >= 0 && p < nd && !seen[p];
    if (ok) seen[p] = true;
  }
  if (!ok) {
    throw py::value_error(where + ": perm must be a permutation of range(" + std::to_string(nd) +
                          ") for an array of rank " + std::to_string(nd) + ".");
  }
  std::vector<int64_t> shape(nd), strides(nd);
  for (int d = 0; d < nd; ++d) shape[d] = x.shape(perm[d]), strides[d] = x.strides(perm[d]);
  return copy_view(x, shape, strides);
}

}  // namespace

void register_copy(py::module_& m) {
  m.def("copy", &copy_py, py::arg("x"), "A C-contiguous copy of x (any strides, any plain dtype).");
  m.def("transpose", &transpose_py, py::arg("x"), py::arg("perm"),
        "np.transpose(x, perm) materialized as a C-contiguous array.");
}

}  // namespace fneedle::bind
