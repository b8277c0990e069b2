// Binding for the caching allocator (kernels/pool.h): _C.empty(shape, dtype) hands out pool
// blocks as NumPy arrays whose base is a capsule; when the array and all its views are gone,
// the capsule returns the block to the pool.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "bindings/register.h"
#include "kernels/pool.h"

namespace fneedle::bind {
namespace {

namespace py = pybind11;

// Below this many bytes NumPy's own allocator is as fast and its memory already warm
// (benchmarks/bench_fused.py, the pool rows).
constexpr size_t kMinPooledBytes = size_t{64} << 10;
constexpr const char* kCapsuleName = "fneedle.pool_block";
constexpr uint64_t kHasObject = 0x01;  // NPY_ITEM_HASOBJECT: needs NumPy's initialization

void release_capsule(PyObject* capsule) {
  void* data = PyCapsule_GetPointer(capsule, kCapsuleName);
  if (data) {
    pool::release(data);
  } else {
    PyErr_Clear();
  }
}

std::vector<py::ssize_t> parse_shape(py::handle obj) {
  std::vector<py::ssize_t> shape;
  auto dim = [](py::handle h) {
    if (!py::isinstance<py::int_>(h) && !py::hasattr(h, "__index__")) {
      throw py::type_error("fneedle._C.empty: shape must be an int or a tuple of ints, got " +
                           std::string(py::str(py::type::of(h).attr("__name__"))) + ".");
    }
    const auto n = py::reinterpret_steal<py::int_>(PyNumber_Index(h.ptr()));
    if (!n) throw py::error_already_set();
    const py::ssize_t v = n.cast<py::ssize_t>();
    if (v < 0) {
      throw py::value_error("fneedle._C.empty: negative dimensions are not allowed (shape " +
                            std::string(py::str(h)) + ").");
    }
    return v;
  };
  if (py::isinstance<py::int_>(obj) || (!py::isinstance<py::sequence>(obj) &&
                                        py::hasattr(obj, "__index__"))) {
    shape.push_back(dim(obj));
  } else if (py::isinstance<py::sequence>(obj) && !py::isinstance<py::str>(obj)) {
    for (py::handle h : obj) shape.push_back(dim(h));
  } else {
    throw py::type_error("fneedle._C.empty: shape must be an int or a tuple of ints.");
  }
  if (shape.size() > 64) throw py::value_error("fneedle._C.empty: at most 64 dimensions.");
  return shape;
}

py::array empty(py::handle shape_obj, py::handle dtype_obj) {
  const py::dtype dt = py::dtype::from_args(py::reinterpret_borrow<py::object>(dtype_obj));
  const std::vector<py::ssize_t> shape = parse_shape(shape_obj);
  size_t bytes = static_cast<size_t>(dt.itemsize());
  for (py::ssize_t s : shape) {
    if (__builtin_mul_overflow(bytes, static_cast<size_t>(s), &bytes)) {
      throw py::value_error("fneedle._C.empty: the array would have more bytes than fit in "
                            "memory.");
    }
  }
  if (bytes < kMinPooledBytes || (dt.flags() & kHasObject)) return py::array(dt, shape);
  void* data = pool::acquire(bytes);
  if (!data) throw std::bad_alloc();
  PyObject* capsule = PyCapsule_New(data, kCapsuleName, &release_capsule);
  if (!capsule) {
    pool::release(data);
    throw py::error_already_set();
  }
  const py::object base = py::reinterpret_steal<py::object>(capsule);
  return py::array(dt, shape, std::vector<py::ssize_t>{}, data, base);
}

py::dict stats() {
  const pool::Stats s = pool::stats();
  py::dict d;
  d["cached_bytes"] = s.cached_bytes;
  d["cached_blocks"] = s.cached_blocks;
  d["live_bytes"] = s.live_bytes;
  d["live_blocks"] = s.live_blocks;
  d["limit_bytes"] = s.limit_bytes;
  d["hits"] = s.hits;
  d["misses"] = s.misses;
  d["min_pooled_bytes"] = kMinPooledBytes;
  return d;
}

}  // namespace

void register_pool(py::module_& m) {
  m.def("empty", &empty, py::arg("shape"), py::arg("dtype"),
        "An uninitialized C-contiguous, 64-byte-aligned array like np.empty, from the caching "
        "allocator (arrays under 64 KiB come from NumPy). Freed arrays return their block to "
        "the pool for reuse.");
  m.def("pool_stats", &stats, "The caching allocator's counters, as a dict.");
  m.def("pool_set_limit", [](int64_t bytes) {
    if (bytes < 0) throw py::value_error("fneedle._C.pool_set_limit: bytes must be >= 0.");
    pool::set_limit(static_cast<size_t>(bytes));
  }, py::arg("bytes"), "Sets how many bytes of freed blocks the pool keeps (default 1 GiB).");
  m.def("pool_clear", [] { pool::clear(); }, "Frees every cached block.");
}

}  // namespace fneedle::bind
