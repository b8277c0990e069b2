// One registration function per binding file; module.cc calls them all.
#pragma once

#include <pybind11/pybind11.h>

namespace fneedle::bind {

void register_elementwise(pybind11::module_& m);
void register_reduction(pybind11::module_& m);
void register_scan(pybind11::module_& m);
void register_copy(pybind11::module_& m);
void register_segment(pybind11::module_& m);
void register_threefry(pybind11::module_& m);
void register_fused(pybind11::module_& m);
void register_pool(pybind11::module_& m);

}  // namespace fneedle::bind
