#pragma once
// `ecm simulate --format F`: the same simulated frames written in a camera's own file layout,
// byte-compatible with what the camera's software writes (the real samples in
// ../shared/testdata/real/), so that every reader can be tested end to end against ground truth.
//
// Frames are written in recording order, frame = (t * NY + y) * NX + x, by several ranks at
// once: rank 0 creates the file(s) with their headers, sized for all frames (prepare); then
// every rank opens them and writes its own frames at computed offsets (write_frames, pwrite).
// NeXus data are compressed chunks, written collectively instead (create_nexus_data).
#include <hdf5.h>
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ecm/io/frame_source.hpp"
#include "ecm/io/hdf5.hpp"

namespace ecm::simulate {

struct CameraFileSpec {
  std::string path;                         // the main file; companions are named after it
  std::size_t det_y = 0, det_x = 0;         // frame shape
  io::PixelType type = io::PixelType::u16;  // pixel type of the frames handed to write_frames
  std::size_t scan_y = 0, scan_x = 0, cycles = 0;
  std::size_t n_frames() const { return scan_y * scan_x * cycles; }
  double frame_time_s = 0;   // time between consecutive frames [s]
  double time_step_s = 0;    // time between scan cycles [s] (>= frame_time_s * NY * NX)
  // Detector references written as the format's companions where it has them; empty = none.
  std::vector<float> dark, gain;
  std::vector<std::uint8_t> bad_pixels;  // non-zero = bad
};

class CameraFileWriter {
 public:
  virtual ~CameraFileWriter() = default;
  // Writes frames [first, first + count) (count * det_y * det_x native values of spec.type,
  // row-major) at their place in the file; any rank, any order, each frame once.
  virtual void write_frames(std::size_t first, std::size_t count, const void* frames) = 0;
};

// The formats `ecm simulate --format` writes besides hdf5.
std::vector<std::string> camera_formats();  // "mib", "seq", "mrc", "empad", "nexus"
// Rank 0 only, before any rank opens: creates the file(s), writes headers and companions,
// and sizes the data file for all frames. Throws InputError on an impossible spec
// (e.g. a pixel type the format cannot hold) and Error on an I/O failure.
void prepare_camera_file(const std::string& format, const CameraFileSpec& spec);
// Every rank, after prepare: opens the prepared file(s) for writing frames.
std::unique_ptr<CameraFileWriter> open_camera_file(const std::string& format, const CameraFileSpec& spec);

// Per format, in src/simulate/camera/<format>_writer.cpp, dispatched by the two above.
void prepare_mib(const CameraFileSpec& spec);
std::unique_ptr<CameraFileWriter> open_mib_writer(const CameraFileSpec& spec);
void prepare_seq(const CameraFileSpec& spec);
std::unique_ptr<CameraFileWriter> open_seq_writer(const CameraFileSpec& spec);
void prepare_mrc(const CameraFileSpec& spec);
std::unique_ptr<CameraFileWriter> open_mrc_writer(const CameraFileSpec& spec);
void prepare_empad(const CameraFileSpec& spec);
// NeXus: rank 0 prepares the master and the scan companion; then every rank creates the data
// file with create_nexus_data and writes (n_frames, det_y, det_x) collectively, frames in
// recording order, as the stream layout of the canonical file.
void prepare_nexus(const CameraFileSpec& spec);
struct NexusData {
  std::string path;
  h5::Handle file, data;
};
NexusData create_nexus_data(const CameraFileSpec& spec, MPI_Comm comm);
std::unique_ptr<CameraFileWriter> open_empad_writer(const CameraFileSpec& spec);

}  // namespace ecm::simulate
