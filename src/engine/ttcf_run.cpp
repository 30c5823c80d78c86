#include "ecm/engine/ttcf_run.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "ecm/core/mpi_check.hpp"
#include "ecm/core/views.hpp"
#include "ecm/engine/analysis_plan.hpp"
#include "ecm/engine/input_files.hpp"
#include "ecm/engine/output_checks.hpp"
#include "ecm/engine/tile_processor.hpp"
#include "ecm/engine/tiling.hpp"
#include "ecm/engine/ttcf_output.hpp"
#include "ecm/io/output_lock.hpp"
#include "ecm/io/space_reservation.hpp"
#include "ecm/kernels/ttcf_kernels.hpp"

namespace ecm::engine {

namespace {

using Right = Kokkos::LayoutRight;
using Matrix = Kokkos::View<double**, Right, MemSpace>;

// MPI counts are ints: large T x T matrices go in pieces.
constexpr std::size_t kMpiChunk = std::size_t(1) << 26;

void reduce_to_root(double* data, std::size_t n, MPI_Comm comm) {
  const bool root = mpi::rank(comm) == 0;
  for (std::size_t off = 0; off < n; off += kMpiChunk) {
    const int count = int(std::min(kMpiChunk, n - off));
    mpi::check(root ? MPI_Reduce(MPI_IN_PLACE, data + off, count, MPI_DOUBLE, MPI_SUM, 0, comm)
                    : MPI_Reduce(data + off, nullptr, count, MPI_DOUBLE, MPI_SUM, 0, comm),
               "MPI_Reduce(two-time correlation)");
  }
}

void broadcast(double* data, std::size_t n, MPI_Comm comm) {
  for (std::size_t off = 0; off < n; off += kMpiChunk)
    mpi::check(MPI_Bcast(data + off, int(std::min(kMpiChunk, n - off)), MPI_DOUBLE, 0, comm),
               "MPI_Bcast(two-time correlation)");
}

// The accumulators hold the blocks on and above the diagonal; the rest is their mirror.
void scale_and_mirror(double* g, std::size_t n_t, double scale) {
  for (std::size_t i = 0; i < n_t; ++i)
    for (std::size_t j = i; j < n_t; ++j) g[j * n_t + i] = g[i * n_t + j] = g[i * n_t + j] * scale;
}

// Keeps the first of each position, in the order given; returns how many were dropped. A
// position listed twice was computed and written twice (a list of 8000 with repeats made a
// 400 MB output of copies).
std::size_t drop_duplicate_positions(std::vector<ScanPosition>& positions) {
  std::set<ScanPosition> seen;
  const auto first_end = std::remove_if(positions.begin(), positions.end(),
                                        [&](const ScanPosition& p) { return !seen.insert(p).second; });
  const std::size_t dropped = std::size_t(positions.end() - first_end);
  positions.erase(first_end, positions.end());
  return dropped;
}

}  // namespace

std::vector<ScanPosition> parse_positions(const std::string& text) {
  std::vector<ScanPosition> out;
  std::string all;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) all += c;
  if (all == "none") return out;
  std::istringstream in(all);
  std::string item;
  while (std::getline(in, item, ';')) {
    std::istringstream pair(item);
    long long y = -1, x = -1;
    char comma = 0;
    if (!(pair >> y >> comma >> x) || comma != ',' || !pair.eof() || y < 0 || x < 0)
      throw InputError("--positions expects scan positions as Y,X;Y,X;... (non-negative integers) or none (got '" +
                       text + "')");
    out.push_back({std::size_t(y), std::size_t(x)});
  }
  if (out.empty()) throw InputError("--positions expects Y,X;Y,X;... or none (got '" + text + "')");
  return out;
}

TtcfSummary run_ttcf(const TtcfConfig& config, MPI_Comm comm) {
  const auto t_start = std::chrono::steady_clock::now();
  const std::string start_time = utc_time_now();
  const int me = mpi::rank(comm), n_ranks = mpi::size(comm);
  const RunConfig& rc = config.run;
  StageTimer timer;

  // A path that cannot become the output, or provenance too long for it, fails now.
  check_output_before_reading(rc, true, comm);
  std::unique_ptr<io::InputDataset> opened;  // every rank opens it; one failing stops all
  mpi::run_then_agree(comm, [&] { opened = std::make_unique<io::InputDataset>(rc.input_path, rc.input, comm); });
  const io::InputDataset& input = *opened;
  // TTCF.h5 is written last, but an output that is one of the files read is refused now,
  // before any frame is read.
  refuse_writing_inputs(rc, input, true, comm);
  // From here until TTCF.h5 is in place this command owns the output: a second ttcf, run or
  // convert with the same -o stops, and this one stops over a run's checkpoint.
  io::OutputLock lock(rc.output_path, "ecm ttcf", comm);
  lock.refuse_checkpoint();
  const auto& L = input.layout();
  TtcfSummary sum;
  sum.output_path = rc.output_path;
  sum.selected = config.positions ? *config.positions : std::vector<ScanPosition>{{L.scan_y / 2, L.scan_x / 2}};
  sum.duplicate_positions = drop_duplicate_positions(sum.selected);
  for (const auto& p : sum.selected)
    if (p[0] >= L.scan_y || p[1] >= L.scan_x)
      throw InputError("--positions: scan position " + std::to_string(p[0]) + "," + std::to_string(p[1]) +
                       " is outside the " + std::to_string(L.scan_y) + "x" + std::to_string(L.scan_x) + " scan");
  const std::size_t n_sel = sum.selected.size();
  // The band options against the series length, and the disk against the output's size,
  // before registration reads any frame.
  if (rc.bin.t >= 1) {
    const double T = double(L.n_t / std::size_t(rc.bin.t));
    analysis::check_band_options(config.band, std::size_t(T));
    io::require_free_space(rc.output_path + ".partial", io::expected_hdf5_bytes(double(1 + n_sel) * T * T * 8.0), comm);
  }

  // Setup, memory plan, tiles, registration and polar maps exactly as `ecm run` has them.
  // The accumulators are what TTCF holds for the whole run; per position it holds the ring
  // mean (T doubles) and the bin means, stated as "lags" of n_bins doubles.
  const AnalysisPlan shared = plan_analysis(
      rc, input,
      [&](const AnalysisSetup& s) {
        const double T = double(s.n_t_binned), n_bins = double(rc.grid.n_bins());
        const bool host_memory = Kokkos::SpaceAccessibility<Kokkos::HostSpace, MemSpace>::accessible;
        const double matrices = double(1 + n_sel) * (host_memory ? 1.0 : 2.0);  // device + host copy
        return PlanExtras{std::size_t(std::ceil((T + n_bins + 2.0) / n_bins)), matrices * T * T * 8.0};
      },
      comm, timer);
  const AnalysisSetup& setup = shared.prep.setup;
  const std::size_t T = setup.n_t_binned, n_bins = std::size_t(rc.grid.n_bins());
  analysis::check_band_options(config.band, T);
  sum.n_t = T;
  sum.time_step_s = setup.time_step_s;
  sum.n_bins = n_bins;
  sum.positions_total = L.positions();
  sum.n_tiles = shared.tiles.size();

  TileProcessor processor(rc, setup, shared.maps, shared.segments, shared.reg, shared.prep.corrections, shared.plan,
                          nullptr);
  const auto bin_area = to_device<MemSpace>(std::vector<float>(setup.bin_area_px.begin(), setup.bin_area_px.end()),
                                            "ecm::ttcf::bin_area");
  Matrix g_all("ecm::ttcf::G_sum", T, T);
  std::vector<Matrix> g_sel;
  for (std::size_t i = 0; i < n_sel; ++i) g_sel.emplace_back("ecm::ttcf::G_position", T, T);
  // Counts of this rank's positions by ttcf::PositionStatus, and the status of the selected
  // positions it owns (UCHAR_MAX elsewhere; the minimum over ranks is the owner's).
  unsigned long long counts[3] = {0, 0, 0};
  std::vector<unsigned char> sel_status(n_sel, UCHAR_MAX);
  timer.mark("setup");

  // Purely local work: a failure on one rank stops every rank here, not in the reduction.
  mpi::run_then_agree(comm, [&] {
    ExecSpace exec;
    for (const ScanTile& tile : tiles_of_rank(shared.tiles, me, n_ranks)) {
      const auto strip = processor.build_strip(input, tile, timer);
      const std::size_t n_pos = tile.positions();
      ttcf::TileWork<MemSpace> work(n_pos, n_bins, T);
      Kokkos::View<const std::uint8_t*, MemSpace> off_scan;
      if (shared.reg.drift_applied)
        off_scan = to_device<MemSpace>(processor.out_of_field(L, tile), "ecm::ttcf::out_of_field");
      ttcf::normalize(exec, strip, n_bins, Kokkos::View<const float*, MemSpace>(bin_area), off_scan, work);
      ttcf::accumulate(exec, Kokkos::View<const float**, Right, MemSpace>(strip), g_all);
      const auto status = to_host(work.status);
      for (std::size_t i = 0; i < n_sel; ++i) {
        const auto [y, x] = sum.selected[i];
        if (y < tile.y0 || y >= tile.y0 + tile.ny || x < tile.x0 || x >= tile.x0 + tile.nx) continue;
        const std::size_t p = (y - tile.y0) * tile.nx + (x - tile.x0);
        ttcf::accumulate(exec, Kokkos::View<const float**, Right, MemSpace>(strip.data() + p * n_bins * T, n_bins, T),
                         g_sel[i]);
        sel_status[i] = status[p];
      }
      exec.fence();
      for (auto s : status) ++counts[std::min<std::size_t>(s, 2)];
      timer.mark("ttcf");
    }
  });

  mpi::check(MPI_Allreduce(MPI_IN_PLACE, counts, 3, MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm),
             "MPI_Allreduce(position counts)");
  processor.nonfinite().reduce(comm);
  sum.input_notes = input.notes();
  for (const auto& r : setup.references) sum.input_notes.push_back(r);
  for (const auto& n : setup.calibration.notes) sum.input_notes.push_back(n);
  for (const auto& n : setup.notes) sum.input_notes.push_back(n);
  if (const auto n = processor.nonfinite().note(); !n.empty()) sum.input_notes.push_back(n);
  if (n_sel > 0)
    mpi::check(MPI_Allreduce(MPI_IN_PLACE, sel_status.data(), int(n_sel), MPI_UNSIGNED_CHAR, MPI_MIN, comm),
               "MPI_Allreduce(selected positions)");
  sum.positions_averaged = counts[0];
  sum.positions_no_counts = counts[1];
  sum.positions_out_of_field = counts[2];
  sum.selected_status.assign(sel_status.begin(), sel_status.end());
  if (sum.positions_averaged == 0)
    throw InputError("no scan position can be used for the two-time correlation: " +
                     std::to_string(counts[1]) + " have a ring mean of 0 at some cycle, " + std::to_string(counts[2]) +
                     " are taken off the scan by the drift (check --kr-range, --threshold, --bin-t)" +
                     (processor.nonfinite().values() ? "; " + processor.nonfinite().note() : std::string()));

  // One reduction to rank 0, which averages and mirrors; the mean goes back to every rank
  // so that all derive the same band widths and write the same attributes.
  auto g_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), g_all);
  std::vector<decltype(g_host)> sel_host;
  for (auto& g : g_sel) sel_host.push_back(Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), g));
  reduce_to_root(g_host.data(), T * T, comm);
  for (auto& g : sel_host) reduce_to_root(g.data(), T * T, comm);
  if (me == 0) {
    scale_and_mirror(g_host.data(), T, 1.0 / double(sum.positions_averaged));
    for (std::size_t i = 0; i < n_sel; ++i) {
      if (sel_status[i] == std::uint8_t(ttcf::PositionStatus::valid))
        scale_and_mirror(sel_host[i].data(), T, 1.0);
      else  // left out: no correlation to show
        std::fill(sel_host[i].data(), sel_host[i].data() + T * T, std::numeric_limits<double>::quiet_NaN());
    }
  }
  broadcast(g_host.data(), T * T, comm);
  timer.mark("reduce");
  sum.band = analysis::band_widths(g_host.data(), T, setup.time_step_s, config.band);
  sum.aging = analysis::fit_aging(sum.band.elapsed_s, sum.band.width_s, config.aging);

  TtcfMatrices matrices;
  matrices.g_mean = g_host.data();
  for (auto& g : sel_host) matrices.g_positions.push_back(g.data());
  sum.n_ranks = n_ranks;
  write_ttcf_file(rc, setup, sum, matrices, start_time, comm);
  lock.remove();
  timer.mark("write");
  sum.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  return sum;
}

}  // namespace ecm::engine
