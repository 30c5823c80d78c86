#pragma once
// Running a k-resolved ECM analysis from a program (public API, docs/api.md): on a file, or
// on frames in memory, on any MPI communicator. The result file is the one `ecm run` writes
// (docs/output-format.md); the same options give the same bits from every entry point.
//
// Includes only the standard library, <mpi.h> and public ecm headers.
#include <mpi.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ecm/analysis_options.hpp"

namespace ecm {

// Starts MPI (MPI_Init_thread asking for MPI_THREAD_SERIALIZED, as `ecm` does, unless started) and Kokkos (unless
// initialised; argc/argv may carry --kokkos-* options) and, on destruction, finalises only
// what it started, Kokkos first. One per process, created before any Analysis runs.
class Runtime {
 public:
  explicit Runtime(int* argc = nullptr, char*** argv = nullptr);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  bool started_mpi() const { return started_mpi_; }
  bool started_kokkos() const { return started_kokkos_; }

 private:
  bool started_mpi_ = false, started_kokkos_ = false;
};

// Frames in memory, C-contiguous (n_t, scan_y, scan_x, det_y, det_x), native endianness; not
// copied, so they must outlive the run. Under MPI every rank passes the same whole array
// (each reads only its tiles). The calibration fields play the part of the file's attributes:
// AnalysisOptions::calibration overrides them as it overrides a file's.
struct FrameArray {
  enum class Type { u8, u16, u32, f32 };
  const void* data = nullptr;
  Type type = Type::u16;
  std::array<std::size_t, 5> shape{};                    // n_t, scan_y, scan_x, det_y, det_x
  double time_step_s = 0;                                // time between scan cycles [s]; 0 = not given
  double k_pixel_size = 0;                               // [1/A per px]; 0 = not given
  std::optional<std::array<double, 2>> beam_center_yx;   // [px]; found when absent
  double convergence = 0;                                // k_c [1/A]; 0 = unknown
  std::string name = "frames in memory";                 // for provenance and messages
};

// What a run did; identical on every rank.
struct RunReport {
  std::string output_path;
  std::size_t n_pixels = 0, n_converged = 0;             // (r, k_r, k_phi) pixels, valid fits
  double median_tau_s = 0, wall_s = 0;
  bool already_complete = false;                         // resume of a finished output: nothing done
  std::size_t tiles_resumed = 0;                         // tiles done by an earlier run
  std::vector<std::pair<std::string, std::size_t>> status_counts;  // fit status name -> pixels
  std::vector<std::string> notes;                        // what the reader and the setup noticed
};

class Analysis {
 public:
  // Validates both (AnalysisOptions::validate, RunControls::validate): throws InputError.
  explicit Analysis(AnalysisOptions options, RunControls controls = {});

  // Collective over comm. Throws ecm::Error (InputError for bad input; PeerFailure on the
  // ranks that did not fail themselves) and leaves no output file, as `ecm run` does.
  RunReport run(const std::string& input_path, const std::string& output_path, MPI_Comm comm = MPI_COMM_WORLD) const;
  // The input identity of frames in memory (what --resume compares) is their size and a
  // checksum of every frame, computed on rank 0 before the run.
  RunReport run(const FrameArray& frames, const std::string& output_path, MPI_Comm comm = MPI_COMM_WORLD) const;

  const AnalysisOptions& options() const { return options_; }
  const RunControls& controls() const { return controls_; }

 private:
  AnalysisOptions options_;
  RunControls controls_;
};

}  // namespace ecm
