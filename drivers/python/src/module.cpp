// ecm._ecm: the C++ half of the Python package `ecm` (drivers/python/ecm). A driver like the
// `ecm` command: it maps Python values onto the library's API and its errors onto Python
// exceptions; the analysis itself is all in the library.
#include <pybind11/pybind11.h>

#include <exception>

#include "bindings.hpp"
#include "ecm/core/error.hpp"
#include "ecm/version.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_ecm, m) {
  m.doc() = "ecm's analysis engine (the C++ library); use the package ecm, not this module";
  m.attr("__version__") = ecm::kVersion;
  m.attr("git_revision") = ecm::kGitRevision;

  // ecm.Error for every failure the library reports (ecm::Error: HDF5, MPI, a rank that saw
  // another fail), and ecm.InputError, also a ValueError, for bad input or options: the
  // library's one-line message, as `ecm run` prints it after "error:".
  static py::exception<ecm::Error> error(m, "Error", PyExc_RuntimeError);
  static py::exception<ecm::InputError> input_error(m, "InputError", py::make_tuple(error, py::handle(PyExc_ValueError)));
  error.attr("__module__") = "ecm";
  input_error.attr("__module__") = "ecm";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ecm::InputError& e) {
      PyErr_SetString(input_error.ptr(), e.what());
    } catch (const ecm::Error& e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });

  ecm::python::bind_runtime(m);
  ecm::python::bind_run(m);
}
