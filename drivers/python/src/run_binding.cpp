// ecm::Analysis from Python: options as (CLI long name, text) pairs for AnalysisOptions::set,
// the run's controls, and the input as a path or a numpy array read in place. The GIL is
// released while the analysis runs (it may take hours and never calls back into Python).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "ecm/analysis.hpp"
#include "ecm/analysis_options.hpp"
#include "ecm/core/error.hpp"

namespace py = pybind11;

namespace ecm::python {
namespace {

using OptionPairs = std::vector<std::pair<std::string, std::string>>;

// One analysis at a time in this process: MPI runs at MPI_THREAD_SERIALIZED and the runs'
// collectives on MPI_COMM_WORLD must not interleave, so Python threads calling ecm.run wait
// here (without the GIL) for the one before.
std::mutex& run_lock() {
  static std::mutex lock;
  return lock;
}

ecm::Analysis make_analysis(const OptionPairs& pairs, const py::dict& controls_in) {
  ecm::AnalysisOptions options;
  for (const auto& [key, value] : pairs) options.set(key, value);
  ecm::RunControls controls;
  controls.progress = controls_in["progress"].cast<std::string>();
  controls.resume = controls_in["resume"].cast<bool>();
  const auto schedule = controls_in["schedule"].cast<std::string>();
  if (schedule != "dynamic" && schedule != "static")
    throw ecm::InputError("schedule '" + schedule + "' is not one of dynamic, static");
  controls.dynamic_schedule = schedule == "dynamic";
  controls.command_line = controls_in["command_line"].cast<std::string>();
  return ecm::Analysis(std::move(options), std::move(controls));  // validates
}

py::dict to_dict(const ecm::RunReport& r) {
  py::dict d;
  d["output_path"] = r.output_path;
  d["n_pixels"] = r.n_pixels;
  d["n_converged"] = r.n_converged;
  d["median_tau_s"] = r.median_tau_s;
  d["wall_s"] = r.wall_s;
  d["already_complete"] = r.already_complete;
  d["tiles_resumed"] = r.tiles_resumed;
  py::dict counts;
  for (const auto& [name, n] : r.status_counts) counts[py::str(name)] = n;
  d["status_counts"] = counts;
  d["notes"] = r.notes;
  return d;
}

ecm::FrameArray::Type frame_type(const py::array& a) {
  const auto kind = a.dtype().kind();
  const auto size = a.dtype().itemsize();
  if (kind == 'u' && size == 1) return ecm::FrameArray::Type::u8;
  if (kind == 'u' && size == 2) return ecm::FrameArray::Type::u16;
  if (kind == 'u' && size == 4) return ecm::FrameArray::Type::u32;
  if (kind == 'f' && size == 4) return ecm::FrameArray::Type::f32;
  throw ecm::InputError("frames of dtype " + py::str(a.dtype()).cast<std::string>() +
                        ": ecm reads uint8, uint16, uint32 or float32 (convert with frames.astype)");
}

py::dict run_file(const std::string& input, const std::string& output, const OptionPairs& pairs,
                  const py::dict& controls) {
  ensure_runtime();
  const auto analysis = make_analysis(pairs, controls);
  ecm::RunReport report;
  {
    py::gil_scoped_release unlocked;
    std::lock_guard<std::mutex> one_at_a_time(run_lock());
    report = analysis.run(input, output, MPI_COMM_WORLD);
  }
  return to_dict(report);
}

py::dict run_frames(const py::array& frames, const std::string& output, const OptionPairs& pairs,
                    const py::dict& controls, double time_step_s, double k_pixel_size,
                    std::optional<std::array<double, 2>> beam_center_yx, double convergence) {
  ensure_runtime();
  if (frames.ndim() != 5)
    throw ecm::InputError("frames of " + std::to_string(frames.ndim()) +
                          " dimensions: give (n_t, scan_y, scan_x, det_y, det_x)");
  if (!(frames.flags() & py::array::c_style))
    throw ecm::InputError("frames must be C-contiguous (numpy.ascontiguousarray)");
  if (!frames.dtype().attr("isnative").cast<bool>())
    throw ecm::InputError("frames in non-native byte order: convert with frames.astype(frames.dtype.newbyteorder('='))");
  ecm::FrameArray in;
  in.type = frame_type(frames);
  in.data = frames.data();
  for (int i = 0; i < 5; ++i) in.shape[i] = static_cast<std::size_t>(frames.shape(i));
  in.time_step_s = time_step_s;
  in.k_pixel_size = k_pixel_size;
  in.beam_center_yx = beam_center_yx;
  in.convergence = convergence;
  in.name = "numpy array " + py::str(frames.dtype()).cast<std::string>() + " " +
            py::str(py::tuple(frames.attr("shape"))).cast<std::string>();
  const auto analysis = make_analysis(pairs, controls);
  // `frames` (a reference the caller holds) keeps the memory alive while the GIL is released.
  ecm::RunReport report;
  {
    py::gil_scoped_release unlocked;
    std::lock_guard<std::mutex> one_at_a_time(run_lock());
    report = analysis.run(in, output, MPI_COMM_WORLD);
  }
  return to_dict(report);
}

}  // namespace

void bind_run(py::module_& m) {
  m.def("run_file", &run_file, py::arg("input"), py::arg("output"), py::arg("options"), py::arg("controls"),
        "ecm::Analysis::run on a file; returns the RunReport as a dict");
  m.def("run_frames", &run_frames, py::arg("frames"), py::arg("output"), py::arg("options"), py::arg("controls"),
        py::kw_only(), py::arg("time_step_s") = 0.0, py::arg("k_pixel_size") = 0.0,
        py::arg("beam_center_yx") = py::none(), py::arg("convergence") = 0.0,
        "ecm::Analysis::run on frames (n_t, scan_y, scan_x, det_y, det_x) in memory, not copied");
}

}  // namespace ecm::python
