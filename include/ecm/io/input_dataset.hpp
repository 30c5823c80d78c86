#pragma once
// The acquisition as ecm sees it: frames from any frame source (io/frame_source.hpp: camera
// formats and HDF5 layouts) placed on the scan by io::ScanGeometry, with the calibration from
// the file, its timestamps, or the options. Each rank opens the input itself and reads only
// its own tiles.
#include <mpi.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/io/frame_source.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/scan_geometry.hpp"

namespace ecm::io {

struct InputLayout {
  std::size_t n_t = 0, scan_y = 0, scan_x = 0, det_y = 0, det_x = 0;
  h5::DType dtype = h5::DType::other;
  // Storage unit in (t, scan_y, scan_x) (HDF5 chunks of a 5-D dataset; for a frame stream,
  // what its chunks of frames cover: frame_stream_chunk_grain), (1, 1, 1) otherwise: tiles and
  // blocks of cycles are made of whole chunks where the memory budget allows.
  std::array<std::size_t, 3> chunk_tyx{1, 1, 1};
  std::size_t det_pixels() const { return det_y * det_x; }
  std::size_t positions() const { return scan_y * scan_x; }
  std::size_t element_bytes() const;
  // Bytes of raw data in the whole acquisition.
  double raw_bytes() const { return double(n_t) * positions() * det_pixels() * element_bytes(); }
};

// What a frame stream's chunks of `chunk_frames` consecutive frames (t-major, then scan rows)
// cover as (cycles, scan rows, scan columns): several whole cycles, whole rows of one cycle,
// or a piece of a row. (1, 1, 1) when chunks straddle those boundaries: no tile can then be
// made of whole chunks, and neighbouring tiles share the chunks on their edges.
std::array<std::size_t, 3> frame_stream_chunk_grain(std::size_t chunk_frames, std::size_t scan_y, std::size_t scan_x);

// Calibration of an acquisition; each value comes from the dataset's attributes or an override.
struct Calibration {
  double time_step_s = 0;                    // time between scan cycles [s]
  double k_pixel_size = 0;                   // [1/A per detector pixel]
  std::array<double, 2> beam_center_yx{};    // [detector px], pixel-centre convention of geometry.hpp
  std::string beam_center_source;            // "option", "attribute", or "found" (engine/beam_center)
  std::string time_step_source;              // "option", "attribute" or "timestamps"
  std::string beam_center_how;               // when found: how, in words
  double convergence = 0;                    // k_c, probe convergence semi-angle in k units [1/A]; 0 = unknown
  double scan_step_nm = 0;                   // real-space scan step [nm]; 0 = unknown (optional attribute)
  std::vector<std::string> notes;            // optional values the file gave as NaN or Inf, ignored (one line each)
};

// Checks of calibration values wherever they come from; `what` names the source in the
// message ("--time-step", "attribute 'time_step_s' of '/frames' in d.h5"), `remedy` ends it
// ("give --time-step"). Each must be a finite number within what an acquisition can have:
// a time step of 1e-300 s gave tau = 0 marked converged (float underflow), a k pixel size
// of Inf or 1e6 put the whole strip inside one pixel.
inline constexpr double kMinTimeStep_s = 1e-9, kMaxTimeStep_s = 1e9;  // a nanosecond to 30 years per cycle
inline constexpr double kMinKPixel = 1e-6, kMaxKPixel = 1.0;          // [1/A per detector pixel]
inline constexpr double kMaxConvergence = 10.0;                       // [1/A]
void check_time_step(double seconds, const std::string& what, const std::string& remedy = "");
void check_k_pixel_size(double inv_angstrom, const std::string& what, const std::string& remedy = "");
void check_convergence(double inv_angstrom, const std::string& what, const std::string& remedy = "");

struct CalibrationOverrides {
  std::optional<double> time_step_s, k_pixel_size, convergence;
  std::optional<std::array<double, 2>> beam_center_yx;
};

// How to open the input, besides its path: the format and dataset, and the scan placement.
struct InputOptions {
  std::string format = "auto";   // --format
  std::string dataset;           // --dataset (HDF5); empty = /frames, a NeXus master's data, or the only one
  ScanOptions scan;              // --scan-shape, --skip-frames, --flyback, --cycle-frames, --drop-incomplete-cycle
  std::optional<std::size_t> frame_count;  // --frame-count: overrides a header's count
  bool direct_reads = true;      // positioned reads where the layout allows
  bool allow_external = false;   // --allow-external: HDF5 data outside the input's folder
  bool own_dark = true, own_gain = true, own_mask = true;  // SourceOptions: no --dark, --gain, --mask given
};

class InputDataset {
 public:
  // Opens and validates the input on all ranks of comm (each rank opens it itself).
  InputDataset(const std::string& file_path, const InputOptions& options, MPI_Comm comm);
  // The frames of a given source (frames in memory: ecm::Analysis::run(FrameArray)); `name`
  // stands for the file in messages, file_path() is empty. The format, dataset and frame
  // count of `options` do not apply; the scan placement does.
  InputDataset(std::shared_ptr<const FrameSource> source, const std::string& name, const InputOptions& options);

  const InputLayout& layout() const { return layout_; }
  const std::string& file_path() const { return file_path_; }  // empty for a given source
  // The dataset read (HDF5) or the format's name, for provenance.
  std::string dataset_path() const;
  const FrameSource& source() const { return *source_; }
  const ScanGeometry& scan() const { return scan_; }
  // What the reader and the scan placement noticed, one line each (header counts that
  // disagree, frames dropped, values converted).
  const std::vector<std::string>& notes() const { return notes_; }

  // Calibration from the file (attributes, headers, timestamps), overridden where given;
  // throws InputError naming what is missing or out of range (and the file) and its
  // command-line option. A missing beam centre is not an error: beam_center_source is then
  // empty and the engine finds it. Optional values the file gives as NaN or Inf (the beam
  // centre, the convergence, the scan step) count as missing, with a line in `notes`.
  Calibration calibration(const CalibrationOverrides& overrides) const;
  // The time between cycles as the file says it (an attribute, or the median step of the
  // timestamps of each cycle's first frame) and where it came from; none when it does not.
  // Throws InputError when timestamps go backwards.
  std::optional<std::pair<double, std::string>> file_time_step() const;

  // Reads cycles [t0, t0+nt) of `tile` into `out`, laid out (t, tile_y, tile_x, det_y, det_x),
  // in the element type `mem_type` (H5T_NATIVE_FLOAT converts; native_type(layout().dtype)
  // copies the stored values as they are, for conversion in a kernel). Independent I/O:
  // ranks may call it different numbers of times.
  void read_tile_block(std::size_t t0, std::size_t nt, const ScanTile& tile, void* out, hid_t mem_type) const;
  void read_tile_block(std::size_t t0, std::size_t nt, const ScanTile& tile, float* out) const {
    read_tile_block(t0, nt, tile, out, H5T_NATIVE_FLOAT);
  }
  // Drift-corrected reads: for cycle t0 + i, the box of box_ny x box_nx scan positions at
  // origin (origin_y[i], origin_x[i]) (each box inside the scan), laid out (t, box_y, box_x,
  // det_y, det_x) like read_tile_block.
  void read_boxes(std::size_t t0, std::size_t nt, const long* origin_y, const long* origin_x, std::size_t box_ny,
                  std::size_t box_nx, void* out, hid_t mem_type) const;

  // Bytes of frames this process has read so far (what counts against "nothing is read
  // twice"; the reader thread adds to it too).
  std::uint64_t bytes_read() const { return bytes_read_.load(); }

 private:
  void read_runs(const std::vector<FrameRun>& runs, void* out, hid_t mem_type) const;
  // Places the source's frames on the scan and checks them; `what` names them in messages.
  void place_frames(const InputOptions& options, const std::string& what);

  mutable std::atomic<std::uint64_t> bytes_read_{0};
  std::string file_path_;
  std::shared_ptr<const FrameSource> source_;
  ScanGeometry scan_;
  InputLayout layout_;
  std::vector<std::string> notes_;
};

// A 2-D detector reference (dark, gain, mask) given as "FILE.h5:/path", or "/path" inside
// the input file. Returned as det_y*det_x floats (row-major); throws on a shape mismatch.
std::vector<float> read_detector_reference(const std::string& spec, const std::string& input_file,
                                           std::size_t det_y, std::size_t det_x, const std::string& what);

}  // namespace ecm::io
