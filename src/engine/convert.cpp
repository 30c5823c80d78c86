#include "ecm/engine/convert.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/core/partial_outputs.hpp"
#include "ecm/io/output_guard.hpp"
#include "ecm/io/output_lock.hpp"
#include "ecm/io/output_path.hpp"
#include "ecm/io/space_reservation.hpp"
#include "ecm/version.hpp"

namespace ecm::engine {

namespace {

void write_reference(hid_t file, hid_t frames, const std::string& path, const std::string& attribute,
                     const std::optional<io::DetectorReference>& ref, std::size_t det_y, std::size_t det_x, bool writer) {
  if (!ref) return;
  h5::Handle ds = h5::write_small_dataset(file, path, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {det_y, det_x},
                                          ref->values.data(), writer);
  h5::write_attribute(ds, "origin", ref->origin);
  h5::write_attribute(frames, attribute, path);
}

}  // namespace

ConvertSummary convert(const ConvertConfig& config, MPI_Comm comm) {
  const double start = MPI_Wtime();
  const int rank = mpi::rank(comm), size = mpi::size(comm);
  // A path that cannot become the output fails before the input is read.
  mpi::run_then_agree(comm, [&] { io::require_output_path(config.output_path, {".partial", ".partial.tiles"}); });
  std::unique_ptr<io::InputDataset> opened;  // every rank opens it; one failing stops all
  mpi::run_then_agree(comm, [&] { opened = std::make_unique<io::InputDataset>(config.input_path, config.input, comm); });
  const io::InputDataset& input = *opened;
  // A conversion onto its own input, or onto a file read with it (a .mib beside the .hdr given),
  // would destroy it: compare the files, not their names, before anything is created.
  mpi::run_then_agree(comm, [&] {
    io::refuse_writing_inputs(config.output_path, true, config.input_path, input.source().metadata().other_files);
  });
  // From here until OUT.h5 is in place this command owns the output: a second convert, run or
  // ttcf with the same -o stops, and this one stops over a run's checkpoint.
  io::OutputLock lock(config.output_path, "ecm convert", comm);
  lock.refuse_checkpoint();
  const auto& L = input.layout();
  const auto& meta = input.source().metadata();
  ConvertSummary summary;
  summary.input_line = input.source().description();
  summary.notes = input.notes();
  summary.cycles = L.n_t;
  summary.scan_y = L.scan_y;
  summary.scan_x = L.scan_x;
  summary.det_y = L.det_y;
  summary.det_x = L.det_x;

  // Calibration as far as it is known; what is not stays absent, for `ecm run` to ask for.
  // (Resolved before the output exists: timestamps that go backwards stop every rank alike.)
  const auto& o = config.calibration;
  std::optional<double> time_step = o.time_step_s;
  if (!time_step) {
    if (const auto found = input.file_time_step()) time_step = found->first;
  }
  const std::string partial = config.output_path + ".partial";
  partial_outputs::add(partial);  // every rank: whichever survives a failure removes it
  // Each collective step is followed by the ranks' agreement: one whose call failed stops
  // all of them there, and they unwind (closing the file) together.
  const auto step = [&](auto&& call) { mpi::run_then_agree(comm, call); };
  {
    const double references = 3.0 * double(L.det_pixels()) * 4.0;
    const double text = double(config.command_line.size() + 4 * config.input_path.size()) + 4096.0;
    h5::Handle file =
        h5::create_file_parallel(partial, comm, io::expected_hdf5_bytes(L.raw_bytes() + references, text, 4));
    const hid_t type = h5::native_type(L.dtype);
    h5::Handle frames;
    step([&] {
      frames = h5::create_dataset(file, "/frames", type, {L.n_t, L.scan_y, L.scan_x, L.det_y, L.det_x});
      if (time_step) h5::write_attribute(frames, "time_step_s", *time_step);
      else summary.notes.push_back("no time step in the input: give --time-step to `ecm run` (or to convert)");
      if (const auto k = o.k_pixel_size ? o.k_pixel_size : meta.k_pixel_size)
        h5::write_attribute(frames, "k_pixel_size_inv_angstrom", *k);
      else summary.notes.push_back("no k pixel size in the input: give --k-pixel-size to `ecm run` (or to convert)");
      if (const auto c = o.beam_center_yx ? o.beam_center_yx : meta.beam_center_yx)
        h5::write_attribute(frames, "beam_center_yx", std::vector<double>{(*c)[0], (*c)[1]});
      if (const auto kc = o.convergence ? o.convergence : meta.convergence)
        h5::write_attribute(frames, "convergence_inv_angstrom", *kc);
      if (meta.scan_step_nm) h5::write_attribute(frames, "scan_step_nm", *meta.scan_step_nm);
      h5::write_attribute(frames, "scan_shape", std::vector<double>{double(L.scan_y), double(L.scan_x)});
      h5::write_attribute(frames, "source_file", std::filesystem::absolute(config.input_path).string());
      h5::write_attribute(frames, "source_format", input.source().format());
      h5::write_attribute(frames, "source_description", summary.input_line);
      write_reference(file, frames, "/dark", "dark_reference", meta.dark, L.det_y, L.det_x, rank == 0);
      write_reference(file, frames, "/gain", "gain_reference", meta.gain, L.det_y, L.det_x, rank == 0);
      write_reference(file, frames, "/mask", "mask_reference", meta.bad_pixels, L.det_y, L.det_x, rank == 0);
      h5::write_attribute(file, "creator", std::string("ecm convert ") + kVersion + " (" + kGitRevision + ")");
      h5::write_attribute(file, "command_line", config.command_line);
    });

    // Each rank its scan rows, in blocks of cycles that fit the budget; every rank makes the
    // same number of collective writes (a rank without rows writes nothing).
    const auto [row0, row1] = rows_of_rank(L.scan_y, rank, size);
    const std::size_t max_rows = (L.scan_y + std::size_t(size) - 1) / std::size_t(size);
    const double cycle_bytes = double(max_rows) * L.scan_x * L.det_pixels() * L.element_bytes();
    const std::size_t block = std::max<std::size_t>(1, std::min<std::size_t>(L.n_t, std::size_t(config.memory_budget_bytes / cycle_bytes)));
    const ScanTile tile{row0, 0, row1 - row0, L.scan_x};
    std::vector<unsigned char> buffer;
    for (std::size_t t0 = 0; t0 < L.n_t; t0 += block) {
      const std::size_t nt = std::min(block, L.n_t - t0);
      mpi::run_then_agree(comm, [&] {
        buffer.resize(nt * tile.positions() * L.det_pixels() * L.element_bytes());
        if (!tile.empty()) input.read_tile_block(t0, nt, tile, buffer.data(), type);
      });
      const std::vector<hsize_t> at{t0, row0, 0, 0, 0};
      const std::vector<hsize_t> count{tile.empty() ? 0 : nt, tile.ny, tile.nx, L.det_y, L.det_x};
      step([&] { h5::write_hyperslab(frames, type, at, count, buffer.data(), true); });
    }
    step([&] { h5::check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flushing", partial); });
  }
  std::exception_ptr err;
  if (rank == 0) {
    io::release_unused_space(partial);
    if (std::rename(partial.c_str(), config.output_path.c_str()) != 0)
      err = std::make_exception_ptr(Error("cannot rename '" + partial + "' to '" + config.output_path + "'"));
  }
  mpi::agree_or_throw(comm, err);
  partial_outputs::forget(partial);
  lock.remove();
  summary.bytes = L.raw_bytes();
  summary.seconds = MPI_Wtime() - start;
  return summary;
}

}  // namespace ecm::engine
