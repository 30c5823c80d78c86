// run_simulation: ranks split the scan rows, generate tile by tile and write collectively.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <vector>

#include "ecm/core/mpi_check.hpp"
#include "ecm/io/file_identity.hpp"
#include "ecm/io/output_path.hpp"
#include "ecm/io/space_reservation.hpp"
#include "ecm/simulate/frames.hpp"
#include "ecm/simulate/options.hpp"
#include "ecm/simulate/simulate.hpp"
#include "ecm/simulate/camera_writer.hpp"
#include "ecm/simulate/writer.hpp"
#include "ecm/version.hpp"

namespace ecm::simulate {

namespace {

// Integer array attribute (scan_shape): the wrappers cover scalars and double arrays only.
void write_int_array_attribute(hid_t obj, const std::string& name, const std::vector<std::int64_t>& values) {
  if (h5::has_attribute(obj, name)) h5::check(H5Adelete(obj, name.c_str()), "H5Adelete", name);
  const hsize_t n = values.size();
  h5::Handle space(h5::check(H5Screate_simple(1, &n, nullptr), "H5Screate_simple", name));
  h5::Handle attr(h5::check(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                            "creating attribute", name));
  h5::check(H5Awrite(attr, H5T_NATIVE_INT64, values.data()), "writing attribute", name);
}

// The frames in a camera's format: rank 0 prepares the file(s), then every rank writes its
// tiles' frames at their place in recording order, frame = (t * NY + y) * NX + x.
CameraFileSpec camera_spec(const SimConfig& cfg, FrameGenerator& gen, const std::string& out_path) {
  CameraFileSpec spec;
  spec.path = out_path;
  spec.det_y = cfg.det_y;
  spec.det_x = cfg.det_x;
  spec.type = cfg.dtype == h5::DType::u8    ? io::PixelType::u8
              : cfg.dtype == h5::DType::u16 ? io::PixelType::u16
              : cfg.dtype == h5::DType::u32 ? io::PixelType::u32
                                            : io::PixelType::f32;
  spec.scan_y = cfg.scan_y;
  spec.scan_x = cfg.scan_x;
  spec.cycles = cfg.cycles;
  // A scan cycle takes longer than its frames (flyback, settling): the frame period is 80 % of
  // time step / positions, so that readers must take the cycle time from the timestamps.
  spec.time_step_s = cfg.time_step_s;
  spec.frame_time_s = 0.8 * cfg.time_step_s / double(cfg.scan_y * cfg.scan_x);
  if (cfg.has_detector_references()) {
    const DetectorModel& det = gen.detector();
    spec.dark = det.dark();
    spec.gain = det.gain_reference();
    spec.bad_pixels = det.mask();
  }
  return spec;
}

void write_camera_file(const SimConfig& cfg, FrameGenerator& gen, const std::vector<ScanTile>& mine,
                       const std::string& out_path, MPI_Comm comm) {
  const CameraFileSpec spec = camera_spec(cfg, gen, out_path);
  mpi::run_then_agree(comm, [&] {
    if (mpi::rank(comm) == 0) prepare_camera_file(cfg.format, spec);
  });
  std::unique_ptr<CameraFileWriter> writer;
  mpi::run_then_agree(comm, [&] { writer = open_camera_file(cfg.format, spec); });
  std::vector<unsigned char> buffer;
  mpi::run_then_agree(comm, [&] {
    for (const ScanTile& tile : mine) {
      buffer.resize(cfg.cycles * tile.positions() * cfg.frame_bytes());
      gen.record(tile, buffer.data());
      // The tile's buffer is (t, y, x): each (t, row) is tile.nx consecutive frames, and a
      // cycle's rows follow each other in the file too when the tile spans whole rows.
      const std::size_t rows_per_write = tile.nx == cfg.scan_x ? tile.ny : 1;
      for (std::size_t t = 0; t < cfg.cycles; ++t)
        for (std::size_t y = 0; y < tile.ny; y += rows_per_write) {
          const std::size_t first = (t * cfg.scan_y + tile.y0 + y) * cfg.scan_x + tile.x0;
          writer->write_frames(first, rows_per_write * tile.nx,
                               buffer.data() + ((t * tile.ny + y) * tile.nx) * cfg.frame_bytes());
        }
    }
    writer.reset();
  });
}

// Generates this rank's tiles and writes them to `frames` collectively: `n_writes` calls on
// every rank, empty ones where a rank has fewer tiles; `cfg.layout` places the frames.
void write_tiles(hid_t frames, const SimConfig& cfg, FrameGenerator& gen, const std::vector<ScanTile>& mine,
                 std::size_t n_writes, MPI_Comm comm) {
  std::vector<unsigned char> buffer;
  for (std::size_t i = 0; i < n_writes; ++i) {
    const ScanTile tile = i < mine.size() ? mine[i] : ScanTile{};
    mpi::run_then_agree(comm, [&] {
      buffer.resize(cfg.cycles * tile.positions() * cfg.frame_bytes());
      if (!tile.empty()) gen.record(tile, buffer.data());
    });
    // Agreed after each collective write: a rank whose write failed stops every rank here.
    mpi::run_then_agree(comm, [&] { write_tile(frames, cfg, tile, buffer.data()); });
  }
}

// NeXus: rank 0 writes the master and the scan companion; the compressed data file is written
// collectively, `n_writes` calls on every rank (empty ones where a rank has fewer tiles), each
// tile's frames placed as in the canonical stream layout (recording order).
void write_nexus_files(const SimConfig& cfg, FrameGenerator& gen, const std::vector<ScanTile>& mine,
                       std::size_t n_writes, const std::string& out_path, MPI_Comm comm) {
  const CameraFileSpec spec = camera_spec(cfg, gen, out_path);
  mpi::run_then_agree(comm, [&] {
    if (mpi::rank(comm) == 0) prepare_camera_file(cfg.format, spec);
  });
  NexusData out = create_nexus_data(spec, comm);
  SimConfig stream = cfg;
  stream.layout = Layout::stream;
  write_tiles(out.data, stream, gen, mine, n_writes, comm);
}

void generate_and_write(const SimConfig& cfg, const std::string& out_path, const std::string& truth_path,
                        MPI_Comm comm, bool& created_out, bool& created_truth) {
  const int rank = mpi::rank(comm), size = mpi::size(comm);
  // Allocates one sample position's field: may fail on one rank only (memory).
  std::unique_ptr<FrameGenerator> generator;
  mpi::run_then_agree(comm, [&] { generator = std::make_unique<FrameGenerator>(cfg); });
  FrameGenerator& gen = *generator;

  // Every rank plans every rank's tiles, so all agree on the number of collective writes.
  std::size_t n_writes = 0;
  std::vector<ScanTile> mine;
  for (int r = 0; r < size; ++r) {
    const auto [row0, row1] = rows_of_rank(cfg.scan_y, r, size);
    auto tiles = plan_tiles(cfg, row0, row1, gen.bytes_per_position(), gen.fixed_bytes());
    n_writes = std::max(n_writes, tiles.size());
    if (r == rank) mine = std::move(tiles);
  }

  // Truth first (small, rank 0); a failure there stops every rank before the big work.
  mpi::run_then_agree(comm, [&] {
    if (rank != 0) return;
    write_truth(cfg, gen.tracks(), truth_path, &created_truth);
  });

  if (cfg.format == "nexus") {
    created_out = true;
    return write_nexus_files(cfg, gen, mine, n_writes, out_path, comm);
  }
  if (cfg.format != "hdf5") {
    created_out = true;
    return write_camera_file(cfg, gen, mine, out_path, comm);
  }
  // Each collective step is followed by the ranks' agreement: one whose call failed stops
  // all of them there, and they unwind (closing the file) together.
  const auto step = [&](auto&& call) { mpi::run_then_agree(comm, call); };
  {
    const double references = cfg.has_detector_references() ? 9.0 * double(cfg.det_y * cfg.det_x) : 0.0;
    h5::Handle file = h5::create_file_parallel(
        out_path, comm, io::expected_hdf5_bytes(cfg.dataset_bytes() + references, 8192.0 + double(truth_path.size()), 4));
    created_out = true;
    h5::Handle frames;
    step([&] {
      h5::write_attribute(file, "creator", std::string("ecm simulate ") + kVersion + " (" + kGitRevision + ")");
      h5::write_attribute(file, "truth_file", truth_path);
      frames = create_frames_dataset(file, cfg);
    });
    if (cfg.has_detector_references()) {
      const DetectorModel& det = gen.detector();
      const std::vector<hsize_t> det_shape{cfg.det_y, cfg.det_x};
      step([&] {
        h5::write_small_dataset(file, "/dark", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, det_shape, det.dark().data(),
                                rank == 0);
      });
      step([&] {
        h5::write_small_dataset(file, "/gain", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, det_shape,
                                det.gain_reference().data(), rank == 0);
      });
      step([&] {
        h5::write_small_dataset(file, "/mask", H5T_STD_U8LE, H5T_NATIVE_UINT8, det_shape, det.mask().data(),
                                rank == 0);
      });
    }
    write_tiles(frames, cfg, gen, mine, n_writes, comm);
  }
  if (rank == 0) io::release_unused_space(out_path);
}

}  // namespace

h5::Handle create_frames_dataset(hid_t file, const SimConfig& cfg) {
  const hsize_t T = cfg.cycles, NY = cfg.scan_y, NX = cfg.scan_x, DY = cfg.det_y, DX = cfg.det_x;
  const std::vector<hsize_t> shape =
      cfg.layout == Layout::stream ? std::vector<hsize_t>{T * NY * NX, DY, DX} : std::vector<hsize_t>{T, NY, NX, DY, DX};
  h5::Handle ds = h5::create_dataset(file, "/frames", h5::native_type(cfg.dtype), shape);
  h5::write_attribute(ds, "time_step_s", cfg.time_step_s);
  h5::write_attribute(ds, "k_pixel_size_inv_angstrom", cfg.k_pixel_size);
  h5::write_attribute(ds, "beam_center_yx", std::vector<double>{cfg.center0_y(), cfg.center0_x()});
  h5::write_attribute(ds, "convergence_inv_angstrom", cfg.convergence);
  write_int_array_attribute(ds, "scan_shape", {static_cast<std::int64_t>(NY), static_cast<std::int64_t>(NX)});
  h5::write_attribute(ds, "layout", layout_name(cfg.layout));
  h5::write_attribute(ds, "simulator", to_ini(cfg));
  return ds;
}

std::uint32_t write_tile(hid_t frames, const SimConfig& cfg, const ScanTile& tile, const void* buffer) {
  const std::string name = "/frames";
  const hid_t type = h5::native_type(cfg.dtype);
  const hsize_t T = cfg.cycles, DY = cfg.det_y, DX = cfg.det_x;
  h5::Handle file_space(h5::check(H5Dget_space(frames), "H5Dget_space", name));
  const hsize_t n = T * tile.positions() * DY * DX;
  h5::Handle mem_space(h5::check(H5Screate_simple(1, &n, nullptr), "H5Screate_simple", name));
  if (tile.empty()) {
    // Nothing to write, but the call is collective: take part with empty selections.
    h5::check(H5Sselect_none(file_space), "H5Sselect_none", name);
    h5::check(H5Sselect_none(mem_space), "H5Sselect_none", name);
  } else if (cfg.layout == Layout::five_d) {
    const hsize_t start[5] = {0, tile.y0, tile.x0, 0, 0};
    const hsize_t count[5] = {T, tile.ny, tile.nx, DY, DX};
    h5::check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr), "H5Sselect_hyperslab",
              name);
  } else {
    // Stream: per cycle the tile's frames are consecutive (whole rows or a piece of one
    // row) and successive cycles are NY*NX frames apart: one strided hyperslab.
    if (tile.ny != 1 && tile.nx != cfg.scan_x) throw Error("internal: stream tile is neither whole rows nor one row");
    const hsize_t start[3] = {tile.y0 * cfg.scan_x + tile.x0, 0, 0};
    const hsize_t stride[3] = {cfg.scan_y * cfg.scan_x, 1, 1};
    const hsize_t count[3] = {T, 1, 1};
    const hsize_t block[3] = {tile.positions(), DY, DX};
    h5::check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, stride, count, block), "H5Sselect_hyperslab",
              name);
  }
  h5::Handle dxpl = h5::transfer_plist(true);
  if (H5Dwrite(frames, type, mem_space, file_space, dxpl, buffer) < 0) h5::fail_on("writing dataset", frames);
  std::uint32_t local = 0, global = 0;
  h5::check(H5Pget_mpio_no_collective_cause(dxpl, &local, &global), "H5Pget_mpio_no_collective_cause", name);
  return global;
}

void require_separate_files(const std::string& out_path, const std::string& truth_path, MPI_Comm comm) {
  // By identity, not by name: `t.h5` and `./t.h5` would write the truth over the frames.
  mpi::run_then_agree(comm, [&] {
    require(!io::same_file(out_path, truth_path),
            "the --truth file '" + truth_path + "' is the output file '" + out_path + "'; choose another");
    // Paths that cannot become the two files (a directory, a FIFO, a missing directory)
    // fail before anything is generated, and before the driver registers them for removal.
    io::require_output_path(out_path);
    io::require_output_path(truth_path);
  });
}

void run_simulation(const SimConfig& cfg, const std::string& out_path, const std::string& truth_path, MPI_Comm comm) {
  validate(cfg);
  require(!out_path.empty() && !truth_path.empty(), "simulate needs an output file and a --truth file");
  require_separate_files(out_path, truth_path, comm);
  bool created_out = false, created_truth = false;
  try {
    generate_and_write(cfg, out_path, truth_path, comm, created_out, created_truth);
  } catch (...) {
    // Every rank is here (failures are agreed before collective calls) and the files are
    // closed: remove what this call created, so no half-written dataset is left behind.
    if (mpi::rank(comm) == 0) {
      if (created_out) std::remove(out_path.c_str());
      if (created_truth) std::remove(truth_path.c_str());
    }
    throw;
  }
}

}  // namespace ecm::simulate
