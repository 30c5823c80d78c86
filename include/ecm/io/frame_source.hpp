#pragma once
// One interface for every place frames come from: camera files read by positioned reads
// (Merlin .mib, DE/StreamPix .seq, MRC, EMPAD .raw) and HDF5 layouts (the canonical 5-D and
// 3-D datasets, NeXus masters, virtual datasets). A source knows the frames as the camera
// stored them, in recording order; which stored frame is which scan position and cycle is
// decided above it, by io::ScanGeometry (scan shape, skipped and flyback frames).
#include <mpi.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ecm::io {

// Pixel type of decoded frames in memory (native endianness).
enum class PixelType { u8, u16, u32, f32 };
std::size_t pixel_bytes(PixelType t);
std::string pixel_type_name(PixelType t);

// Frames [first, first + count) in recording order.
struct FrameRun {
  std::size_t first = 0, count = 0;
};

// A 2-D detector reference, det_y * det_x values row-major, and the file it came from.
struct DetectorReference {
  std::vector<float> values;
  std::string origin;  // e.g. "test.seq.dark.mrc"
};

// What a source knows about its acquisition besides the frames. Every field is optional:
// absent means the file does not say.
struct SourceMetadata {
  std::optional<std::array<std::size_t, 2>> scan_shape;  // (NY, NX), from the file or a companion
  std::optional<std::size_t> cycles;                      // repeats of the scan, where the file says
  std::optional<double> frame_time_s;                     // frame period [s]
  std::optional<double> time_step_s;                      // time between scan cycles [s]
  std::optional<double> k_pixel_size;                     // [1/A per detector pixel]
  std::optional<std::array<double, 2>> beam_center_yx;    // [detector px]
  std::optional<double> convergence;                      // [1/A]
  std::optional<double> scan_step_nm;                     // [nm]
  std::optional<DetectorReference> dark, gain;            // subtracted / multiplied
  std::optional<DetectorReference> bad_pixels;            // non-zero = bad
  // The files read for these frames besides the path the source was opened with (the frames
  // a header names, a NeXus master's data files, companions, references), as opened: no
  // output of ecm may overwrite them (io/output_guard.hpp).
  std::vector<std::string> other_files;
  // What the reader noticed that the user should hear, one line each, e.g.
  // "header says 10 frames, the file holds 15 records: using 10 (--frame-count overrides)".
  std::vector<std::string> notes;
};

struct FrameShape {
  std::size_t det_y = 0, det_x = 0;
  PixelType type = PixelType::u16;
  std::size_t n_frames = 0;  // frames available, after the reader's own consistency checks
  std::size_t frame_pixels() const { return det_y * det_x; }
  std::size_t frame_bytes() const { return frame_pixels() * pixel_bytes(type); }
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // Short format name ("merlin", "seq", "hdf5", ...), as --format takes it.
  virtual std::string format() const = 0;
  // One line for the summary and provenance: the files and the header facts that matter.
  virtual std::string description() const = 0;
  virtual const FrameShape& shape() const = 0;
  virtual const SourceMetadata& metadata() const = 0;
  // Reads the runs, in order, into `out`: the sum of their counts frames of
  // shape().frame_bytes() bytes each, decoded to native-endian shape().type, row-major.
  // Runs must lie within [0, shape().n_frames). Independent: each rank calls it for its own
  // frames only, any number of times, from one thread at a time. Throws InputError naming
  // the file on a short read or a corrupt record.
  virtual void read_frames(const FrameRun* runs, std::size_t n_runs, void* out) const = 0;
  // Timestamps [s, any origin] of the given stored frames, where the format records them
  // per frame (Merlin, .seq); empty when it does not. Reads only those frames' headers.
  virtual std::vector<double> timestamps(const std::vector<std::size_t>& frames) const {
    (void)frames;
    return {};
  }
  // The unit of storage in frames, as extents of a row-major (cycles, scan rows, scan
  // columns) index space of frames: HDF5 chunks of a 5-D dataset; (1, 1, n) for chunks of n
  // frames of a stream. Read planning makes tiles of whole units where it can.
  virtual std::array<std::size_t, 3> storage_chunk() const { return {1, 1, 1}; }
  // The dataset read, for formats that have several (HDF5); empty otherwise.
  virtual std::string dataset_path() const { return {}; }
};

// How to open an input: --format, the HDF5 dataset, and a frame count that overrides a header's.
struct SourceOptions {
  std::string format = "auto";          // auto | hdf5 | nexus | seq | mib | mrc | empad
  std::string dataset;                  // HDF5 dataset path; empty = the format's default
  std::optional<std::size_t> frame_count;  // override the header's frame count (seq)
  bool direct_reads = true;  // positioned reads where the layout allows (false: benchmarks, tests)
  // HDF5 data in files outside the input's folder (external links, virtual-dataset sources,
  // external raw storage) are refused unless allowed.
  bool allow_external = false;
  // The detector references that come with the input (a .seq's .dark.mrc and .gain.mrc, its
  // XML's bad pixels) are read; false where --dark, --gain or --mask name others or none, so
  // that a damaged companion nobody asked for does not stop the run.
  bool own_dark = true, own_gain = true, own_mask = true;
};

// Opens `path` on every rank of comm, detecting its format from the content (magic bytes and
// headers; the extension only breaks ties) unless options.format says. Throws InputError with
// one line naming the file and the problem.
std::unique_ptr<FrameSource> open_frame_source(const std::string& path, const SourceOptions& options, MPI_Comm comm);

// The format names open_frame_source knows, for --help and error messages.
std::vector<std::string> frame_source_formats();

}  // namespace ecm::io
