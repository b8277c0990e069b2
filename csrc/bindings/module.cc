// The extension module fneedle._C: the CPU kernels, one registration call per family.
#include "bindings/register.h"
#include "kernels/parallel.h"

PYBIND11_MODULE(_C, m) {
  m.doc() = "fneedle's C++ CPU kernels (see fneedle/backend/cpu.py for the Python API).";
  fneedle::bind::register_elementwise(m);
  fneedle::bind::register_reduction(m);
  fneedle::bind::register_scan(m);
  fneedle::bind::register_copy(m);
  fneedle::bind::register_segment(m);
  fneedle::bind::register_threefry(m);
  fneedle::bind::register_fused(m);
  fneedle::bind::register_pool(m);
  m.def("max_threads", &fneedle::max_threads, "Threads the kernels may use (OpenMP).");
}
