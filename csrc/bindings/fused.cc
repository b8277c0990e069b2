// Binding for the fused register machine (kernels/fused.h): checks every argument, builds the
// program, and runs it without the GIL.
#include <string>
#include <vector>

#include "bindings/common.h"
#include "bindings/register.h"
#include "kernels/fused.h"

namespace fneedle::bind {
namespace {

const std::string kWhere = "fneedle._C.fused_elementwise";

static_assert(sizeof(fused::Instr) == 5 * sizeof(int32_t), "Instr must be 5 packed int32s.");

// An ndarray read straight from NumPy's struct. A jitted program calls this binding for every
// fused cluster, so well-formed arguments take this path (no allocation, no reference
// counting); anything else goes through view_of, which explains what is wrong.
struct Arr {
  DType dtype = DType::kCount;
  int ndim = 0;
  const py::ssize_t* shape = nullptr;
  int64_t strides[kMaxDims];  // in elements
  void* data = nullptr;
  bool writeable = false;
  int64_t size = 1;
};

bool quick_array(PyObject* obj, Arr* a) {
  auto& api = py::detail::npy_api::get();
  if (!api.PyArray_Check_(obj)) return false;
  const auto* arr = py::detail::array_proxy(obj);
  const auto* descr = py::detail::array_descriptor_proxy(arr->descr);
  const int64_t item = api.PyArray_RUNTIME_VERSION_ < 0x12
      ? py::detail::array_descriptor1_proxy(arr->descr)->elsize
      : py::detail::array_descriptor2_proxy(arr->descr)->elsize;
  const char order = descr->byteorder;
  if (!(order == '=' || order == '|' || order == '<') || arr->nd > kMaxDims) return false;
  a->dtype = to_dtype(descr->kind, item);
  if (a->dtype == DType::kCount || reinterpret_cast<uintptr_t>(arr->data) % item != 0)
    return false;
  a->ndim = arr->nd;
  a->shape = arr->dimensions;
  a->data = arr->data;
  a->writeable = (arr->flags & py::detail::npy_api::NPY_ARRAY_WRITEABLE_) != 0;
  a->size = 1;
  for (int d = 0; d < a->ndim; ++d) {
    if (arr->strides[d] % item != 0) return false;
    a->strides[d] = arr->strides[d] / item;
    a->size *= a->shape[d];
  }
  return true;
}

// Reads `obj` into *a, or raises the error view_of (or the dtype check) finds. A NumPy scalar
// (np.float32(2)) becomes a 0-d array, kept alive in *keep for the call.
void array_arg(py::handle obj, const char* what, size_t index, Arr* a,
               std::vector<py::object>* keep) {
  if (quick_array(obj.ptr(), a)) return;
  if (keep && !py::isinstance<py::array>(obj) &&
      py::isinstance(obj, py::module_::import("numpy").attr("generic"))) {
    keep->push_back(py::array::ensure(obj));
    if (quick_array(keep->back().ptr(), a)) return;
  }
  std::string arg = what;
  if (index != static_cast<size_t>(-1)) arg += "[" + std::to_string(index) + "]";
  const View v = view_of(obj, kWhere, arg.c_str());
  require_known_dtype(v, kWhere, arg.c_str());
  throw py::value_error(kWhere + ": argument '" + arg + "' cannot be read by the kernel.");
}

bool c_contiguous(const Arr& a) {
  if (a.size == 0) return true;
  int64_t expect = 1;
  for (int d = a.ndim - 1; d >= 0; --d) {
    if (a.shape[d] != 1 && a.strides[d] != expect) return false;
    expect *= a.shape[d];
  }
  return true;
}

std::string describe(const Arr& a) {
  std::vector<int64_t> shape(a.shape, a.shape + a.ndim);
  return std::string(dtype_name(a.dtype)) + shape_str(shape);
}

std::vector<int64_t> parse_shape(py::handle obj) {
  std::vector<int64_t> shape;
  const auto bad = [] {
    return py::type_error(kWhere + ": shape must be a tuple of non-negative ints.");
  };
  if (!py::isinstance<py::tuple>(obj) && !py::isinstance<py::list>(obj)) throw bad();
  for (py::handle h : obj) {
    if (!PyLong_Check(h.ptr())) throw bad();
    const long long v = PyLong_AsLongLong(h.ptr());
    if (v < 0) {
      PyErr_Clear();
      throw bad();
    }
    shape.push_back(v);
  }
  if (shape.size() > static_cast<size_t>(kMaxDims)) {
    throw py::value_error(kWhere + ": shape has more than " + std::to_string(kMaxDims) +
                          " dims.");
  }
  return shape;
}

// NumPy broadcasting of the input shapes: the iteration shape when none is given.
std::vector<int64_t> broadcast_shapes(const std::vector<Arr>& ins) {
  int nd = 0;
  for (const Arr& a : ins) nd = std::max(nd, a.ndim);
  std::vector<int64_t> shape(nd, 1);
  for (const Arr& a : ins) {
    for (int d = 0; d < a.ndim; ++d) {
      int64_t& s = shape[nd - a.ndim + d];
      if (s == 1) {
        s = a.shape[d];
      } else if (a.shape[d] != 1 && a.shape[d] != s) {
        throw py::value_error(kWhere + ": the inputs' shapes do not broadcast together (" +
                              describe(a) + " against " + shape_str(shape) +
                              "); pass arrays of the iteration shape.");
      }
    }
  }
  return shape;
}

DType parse_compute(py::handle obj) {
  if (PyUnicode_Check(obj.ptr())) {
    if (PyUnicode_CompareWithASCIIString(obj.ptr(), "float32") == 0) return DType::kFloat32;
    if (PyUnicode_CompareWithASCIIString(obj.ptr(), "float64") == 0) return DType::kFloat64;
  }
  const std::string s = py::str(obj);  // also np.dtype('float32')
  if (s == "float32") return DType::kFloat32;
  if (s == "float64") return DType::kFloat64;
  throw py::value_error(kWhere + ": compute_dtype must be 'float32' or 'float64', got '" + s +
                        "'.");
}

// Elements at which releasing the GIL pays for itself (a few microseconds of work).
constexpr int64_t kReleaseGilWork = 1 << 15;

void fused_elementwise(py::handle code_obj, py::handle inputs_obj, py::handle consts_obj,
                       int64_t n_regs, py::handle outputs_obj, py::handle compute_obj,
                       int64_t reduce_rows, py::handle shape_obj) {
  fused::Program p;
  p.compute = parse_compute(compute_obj);

  Arr code;
  array_arg(code_obj, "code", -1, &code, nullptr);
  if (code.dtype != DType::kInt32 || code.ndim != 2 || code.shape[1] != 5 ||
      !c_contiguous(code)) {
    throw py::value_error(kWhere + ": code must be a C-contiguous int32 array of shape "
                          "(n_instructions, 5), got " + describe(code) +
                          "; pass np.ascontiguousarray(code, np.int32).");
  }
  p.code = static_cast<const fused::Instr*>(code.data);
  p.n_instr = code.shape[0];

  Arr consts;
  array_arg(consts_obj, "consts", -1, &consts, nullptr);
  if (consts.dtype != DType::kFloat64 || consts.ndim != 1 ||
      (consts.size > 1 && consts.strides[0] != 1)) {
    throw py::value_error(kWhere + ": consts must be a contiguous 1-d float64 array, got " +
                          describe(consts) + "; pass np.asarray(consts, np.float64).");
  }
  p.consts = static_cast<const double*>(consts.data);
  p.n_consts = consts.size;

  if (!PyList_Check(inputs_obj.ptr()) && !PyTuple_Check(inputs_obj.ptr())) {
    throw py::type_error(kWhere + ": inputs must be a list of numpy arrays.");
  }
  std::vector<Arr> ins(static_cast<size_t>(py::len(inputs_obj)));
  std::vector<py::object> keep;  // 0-d arrays made from NumPy scalars
  {
    size_t k = 0;
    for (py::handle h : inputs_obj) array_arg(h, "inputs", k, &ins[k], &keep), ++k;
  }

  if (!PyList_Check(outputs_obj.ptr()) && !PyTuple_Check(outputs_obj.ptr())) {
    throw py::type_error(kWhere + ": outputs must be a list of (register, array) pairs.");
  }
  const size_t n_out = static_cast<size_t>(py::len(outputs_obj));
  std::vector<Arr> outs(n_out);
  std::vector<int64_t> out_regs(n_out);
  {
    size_t k = 0;
    for (py::handle h : outputs_obj) {
      const std::string arg = "outputs[" + std::to_string(k) + "]";
      const bool pair = (PyTuple_Check(h.ptr()) || PyList_Check(h.ptr())) && py::len(h) == 2;
      py::object reg = py::none();
      if (pair) reg = py::reinterpret_borrow<py::object>(h)[py::int_(0)];
      if (!pair || !PyLong_Check(reg.ptr())) {
        throw py::type_error(kWhere + ": " + arg + " must be a (register, array) pair.");
      }
      const long long r = PyLong_AsLongLong(reg.ptr());
      if (r < 0 || r > INT32_MAX) {  // the rest is fused::validate's to check
        PyErr_Clear();
        throw py::value_error(kWhere + ": " + arg + " stores register " +
                              std::string(py::str(reg)) + ", which is negative or too large.");
      }
      out_regs[k] = r;
      Arr& a = outs[k];
      array_arg(py::reinterpret_borrow<py::object>(h)[py::int_(1)], "outputs", k, &a,
                nullptr);
      if (!a.writeable) {
        throw py::value_error(kWhere + ": " + arg + " is read-only; pass a writable array.");
      }
      if (!c_contiguous(a)) {
        throw py::value_error(kWhere + ": " + arg + " must be C-contiguous; allocate it with "
                              "np.empty(shape, dtype).");
      }
      ++k;
    }
  }

  if (!shape_obj.is_none()) {
    p.shape = parse_shape(shape_obj);
  } else if (!ins.empty()) {
    p.shape = broadcast_shapes(ins);
  } else {
    for (const Arr& a : outs)
      if (a.ndim > static_cast<int>(p.shape.size()) || p.shape.empty())
        p.shape.assign(a.shape, a.shape + a.ndim);
  }
  const int nd = static_cast<int>(p.shape.size());
  int64_t total = 1;
  for (int64_t s : p.shape) total *= s;

  // Inputs broadcast to the iteration shape (NumPy's rules): stride 0 along stretched dims.
  p.input_strides.assign(ins.size() * nd, 0);
  for (size_t k = 0; k < ins.size(); ++k) {
    const Arr& a = ins[k];
    int64_t* strides = p.input_strides.data() + k * nd;
    bool ok = a.ndim <= nd;
    for (int d = 0; ok && d < a.ndim; ++d) {
      const int it = nd - a.ndim + d;
      ok = a.shape[d] == p.shape[it] || a.shape[d] == 1;
      strides[it] = a.shape[d] == 1 ? 0 : a.strides[d];
    }
    if (!ok) {
      throw py::value_error(kWhere + ": inputs[" + std::to_string(k) + "] is " + describe(a) +
                            ", which does not broadcast to the iteration shape " +
                            shape_str(p.shape) + ".");
    }
    p.inputs.push_back({a.data, a.dtype});
  }

  // Outputs: the iteration shape, or (with reduce_rows) a leading part of it whose rows of
  // trailing elements are summed.
  for (size_t k = 0; k < outs.size(); ++k) {
    const Arr& a = outs[k];
    const bool prefix = a.ndim <= nd && std::equal(a.shape, a.shape + a.ndim, p.shape.begin());
    bool full = prefix && a.ndim == nd, reduced = false;
    if (prefix && !full) {
      int64_t rest = 1;
      for (int d = a.ndim; d < nd; ++d) rest *= p.shape[d];
      reduced = rest == reduce_rows || (total == 0 && reduce_rows == 0);
    }
    if (!full && !reduced) {
      const std::string want =
          reduce_rows > 0 ? " or a leading part of it covering all but the last " +
                                std::to_string(reduce_rows) + " elements per row"
                          : "";
      throw py::value_error(kWhere + ": outputs[" + std::to_string(k) + "] is " +
                            describe(a) + " but must have the iteration shape " +
                            shape_str(p.shape) + want + ".");
    }
    p.outputs.push_back({static_cast<int32_t>(out_regs[k]), a.data, a.dtype, reduced, a.size});
  }
  if (reduce_rows < 0) {
    throw py::value_error(kWhere + ": reduce_rows must be >= 0, got " +
                          std::to_string(reduce_rows) + ".");
  }
  if (n_regs < 0 || n_regs > fused::kMaxRegs) {
    throw py::value_error(kWhere + ": n_regs must be in [0, " +
                          std::to_string(fused::kMaxRegs) + "], got " + std::to_string(n_regs) +
                          ".");
  }
  p.n_regs = static_cast<int32_t>(n_regs);
  p.reduce_rows = reduce_rows;

  const std::string error = fused::validate(p);
  if (!error.empty()) throw py::value_error(kWhere + ": " + error);
  if (total * (p.n_instr + 1) < kReleaseGilWork) {
    fused::run(p);  // over before another Python thread could use the GIL
  } else {
    py::gil_scoped_release release;
    fused::run(p);
  }
}

}  // namespace

void register_fused(py::module_& m) {
  m.def("fused_elementwise", &fused_elementwise, py::arg("code"), py::arg("inputs"),
        py::arg("consts"), py::arg("n_regs"), py::arg("outputs"), py::arg("compute_dtype"),
        py::arg("reduce_rows") = 0, py::arg("shape") = py::none(),
        "Runs a register program over blocks of an iteration space (see csrc/kernels/fused.h).\n"
        "code: int32 (n, 5) rows of (opcode, dst, a, b, c); inputs: arrays broadcastable to\n"
        "the iteration shape (registers 0..); consts: float64 (registers after the inputs);\n"
        "outputs: (register, C-contiguous array) pairs, full-size or, with reduce_rows > 0,\n"
        "sums over rows of reduce_rows trailing elements; shape: the iteration shape\n"
        "(default: the inputs' broadcast shape).");
  m.def("fused_op_names", [] {
    py::tuple names(fused::op_names().size());
    for (size_t i = 0; i < fused::op_names().size(); ++i) names[i] = fused::op_names()[i];
    return names;
  }, "The fused machine's op names, in opcode order.");
  m.def("fused_tuning", [](int64_t block, int64_t parallel_work) {
    fused::set_tuning({block, parallel_work});
    const fused::Tuning t = fused::tuning();
    return py::make_tuple(t.block, t.parallel_work);
  }, py::arg("block") = 0, py::arg("parallel_work") = 0,
  "Sets (if > 0) and returns (elements per block, work per thread before threads start); "
  "for benchmarks.");
}

}  // namespace fneedle::bind
