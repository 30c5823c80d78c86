#include "ecm/engine/pipeline.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>
#include <sstream>
#include <thread>

#include "ecm/core/interrupt.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/core/partial_outputs.hpp"
#include "ecm/engine/analysis_plan.hpp"
#include "ecm/engine/input_files.hpp"
#include "ecm/engine/output_checks.hpp"
#include "ecm/engine/progress.hpp"
#include "ecm/engine/registration.hpp"
#include "ecm/engine/run_checkpoint.hpp"
#include "ecm/engine/run_outputs.hpp"
#include "ecm/engine/scheduler.hpp"
#include "ecm/engine/tile_processor.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/result_file.hpp"
#include "ecm/io/result_layout.hpp"
#include "ecm/io/space_reservation.hpp"
#include "ecm/version.hpp"

namespace ecm::engine {

double bytes_through_read_calls() {
  // rchar of /proc/self/io: every byte read() and pread() returned to this process, i.e.
  // what HDF5 and MPI-IO actually fetched (whole chunks, metadata), cached or not.
  std::FILE* f = std::fopen("/proc/self/io", "r");
  if (!f) return std::nan("");
  char key[64];
  unsigned long long value = 0;
  double rchar = std::nan("");
  while (std::fscanf(f, "%63s %llu", key, &value) == 2)
    if (std::string(key) == "rchar:") rchar = double(value);
  std::fclose(f);
  return rchar;
}

double peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
}

namespace {

io::ResultShape result_shape(const RunConfig& config, const io::InputLayout& L, std::size_t n_lags) {
  io::ResultShape shape;
  shape.scan_y = L.scan_y;
  shape.scan_x = L.scan_x;
  shape.n_kr = config.grid.n_kr;
  shape.n_kphi = config.grid.n_kphi;
  shape.n_lags = n_lags;
  shape.n_t = L.n_t;
  shape.save_g2 = config.save_g2;
  shape.text_bytes = config.controls.command_line.size() + config.configuration.size() + config.input_path.size();
  return shape;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Median of valid tau over all ranks from a shared log-spaced histogram, so that no rank
// ever gathers the whole hypercube. Resolution: 1e-3 in ln(tau).
class TauHistogram {
 public:
  void add(const std::vector<float>& tau, const std::vector<std::uint8_t>& status) {
    for (auto s : status) ++statuses_[s];
    for (std::size_t i = 0; i < tau.size(); ++i) {
      if (status[i] != 0 || !std::isfinite(tau[i]) || tau[i] <= 0) continue;
      const double u = (std::log(double(tau[i])) - kLnMin) / kStep;
      counts_[std::size_t(std::clamp(u, 0.0, double(kBins - 1)))] += 1;
    }
  }
  // Fit statuses over all ranks: name and count of each that occurred, in status order.
  std::vector<std::pair<std::string, std::size_t>> reduce_statuses(MPI_Comm comm) {
    mpi::check(MPI_Allreduce(MPI_IN_PLACE, statuses_.data(), int(statuses_.size()), MPI_UNSIGNED_LONG_LONG, MPI_SUM,
                             comm),
               "MPI_Allreduce(fit statuses)");
    std::vector<std::pair<std::string, std::size_t>> out;
    for (std::size_t s = 0; s < statuses_.size(); ++s)
      if (statuses_[s]) out.emplace_back(fit::status_name(fit::Status(s)), std::size_t(statuses_[s]));
    return out;
  }
  std::pair<std::size_t, double> reduce_median(MPI_Comm comm) {
    mpi::check(MPI_Allreduce(MPI_IN_PLACE, counts_.data(), kBins, MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm),
               "MPI_Allreduce(tau histogram)");
    unsigned long long total = 0;
    for (auto c : counts_) total += c;
    if (total == 0) return {0, std::nan("")};
    unsigned long long seen = 0;
    for (int b = 0; b < kBins; ++b) {
      seen += counts_[b];
      if (2 * seen >= total) return {std::size_t(total), std::exp(kLnMin + (b + 0.5) * kStep)};
    }
    return {std::size_t(total), std::nan("")};
  }

 private:
  static constexpr int kBins = 40000;
  static constexpr double kLnMin = -20.0, kStep = 1e-3;
  std::vector<unsigned long long> counts_ = std::vector<unsigned long long>(kBins, 0);
  std::vector<unsigned long long> statuses_ = std::vector<unsigned long long>(256, 0);
};

// What a finished output holds, as its run summed it up (collective; rank 0 reads the file):
// --resume of a complete run reports what the run reported, a run with no valid tau above
// all (exit 65 again, not "complete already" and 0).
void summarise_finished_output(const std::string& path, RunSummary& summary, MPI_Comm comm) {
  TauHistogram histogram;
  unsigned long long n_pixels = 0;
  mpi::run_then_agree(comm, [&] {
    if (mpi::rank(comm) != 0) return;
    h5::Handle file = h5::open_file_serial(path);
    io::result_hypercube_shape(file, path);  // /tau and /fit_status of one shape, as every result reader checks
    const auto status = h5::read_dataset<std::uint8_t>(file, "/fit_status");
    const auto tau = h5::read_dataset<float>(file, "/tau");
    histogram.add(tau, status);
    n_pixels = status.size();
  });
  mpi::check(MPI_Bcast(&n_pixels, 1, MPI_UNSIGNED_LONG_LONG, 0, comm), "MPI_Bcast(pixels of the finished output)");
  summary.n_pixels = std::size_t(n_pixels);
  std::tie(summary.n_converged, summary.median_tau_s) = histogram.reduce_median(comm);
  summary.status_counts = histogram.reduce_statuses(comm);
}

}  // namespace

RunSummary run(const RunConfig& config, MPI_Comm comm) {
  const auto t_start = std::chrono::steady_clock::now();
  const std::string start_time = utc_now();
  const int me = mpi::rank(comm), n_ranks = mpi::size(comm);
  StageTimer timer;

  // A path that cannot become the output fails now, not after the compute.
  check_output_before_reading(config, true, comm);
  // Every rank opens the input itself; a rank that cannot (a file system that fails one node)
  // stops them all, with its message.
  std::unique_ptr<io::InputDataset> opened;
  mpi::run_then_agree(comm, [&] { opened = open_input(config, comm); });
  const io::InputDataset& input = *opened;
  // Before anything is created, truncated or resumed: OUT, OUT.partial and its ledger must
  // not be a file this run reads (`-o ./data.h5`, `ecm run r.h5.partial -o r.h5`).
  refuse_writing_inputs(config, input, true, comm);
  // A disk too small for the result is known before any frame is read (the lag bins are at
  // most --n-lags, and fewer than the series' cycles).
  if (!config.controls.resume) {
    const std::size_t lags = std::min<std::size_t>(std::size_t(std::max(config.n_lags, 1)), input.layout().n_t);
    io::require_free_space(config.output_path + ".partial",
                           io::expected_result_bytes(result_shape(config, input.layout(), lags)), comm);
  }
  // The output's lock, then what the input is and what an earlier run left: a second run
  // with this -o stops here, having changed nothing.
  RunCheckpoint checkpoint(config, input, comm);
  const std::string ledger_path = config.output_path + ".partial.tiles";
  // --resume of a run that already finished, from these files with these options: nothing
  // to do (a requeued job may ask twice).
  if (checkpoint.complete_already()) {
    RunSummary done;
    done.already_complete = true;
    done.output_path = config.output_path;
    summarise_finished_output(config.output_path, done, comm);
    return done;
  }
  const auto& L = input.layout();
  // Setup, memory plan, tiles, registration and polar maps, as every strip analysis has them.
  std::unique_ptr<g2::G2Engine<ExecSpace>> g2_engine;
  const AnalysisPlan analysis = plan_analysis(
      config, input,
      [&](const AnalysisSetup& s) {
        g2_engine = std::make_unique<g2::G2Engine<ExecSpace>>(int(s.n_t_binned), s.lag_bins.last.back(), s.lag_bins,
                                                              config.normalization);
        return PlanExtras{s.lag_s.size(), double(g2_engine->workspace_bytes())};
      },
      comm, timer);
  const Prepared& prep = analysis.prep;
  const AnalysisSetup& setup = prep.setup;
  const MemoryPlan& plan = analysis.plan;
  const Registration& reg = analysis.reg;
  const double bytes_read_registering = analysis.bytes_read_registering;
  const auto& segments = analysis.segments;
  const auto& maps = analysis.maps;

  // Checkpointing: a resumed run takes the plan of the run it continues (whatever the
  // number of ranks now) and computes only the tiles its ledger does not list as done.
  const std::vector<ScanTile> tiles = checkpoint.plan(analysis.tiles);
  const bool resuming = checkpoint.resuming();

  io::ResultFile out(config.output_path, result_shape(config, L, setup.lag_s.size()), comm, resuming);
  TauHistogram histogram;
  std::vector<std::size_t> pending;  // tile indices still to compute, in plan order
  if (resuming) {
    // Tiles of earlier runs count in the summary too: each is read back to be checked.
    pending = checkpoint.pending(out, [&](const io::TileResults& r) { histogram.add(r.tau, r.fit_status); });
  } else {
    std::vector<double> k_r, k_phi;
    for (int i = 0; i < config.grid.n_kr; ++i) k_r.push_back(config.grid.kr_center(i));
    for (int j = 0; j < config.grid.n_kphi; ++j) k_phi.push_back(config.grid.kphi_center(j));
    out.write_axes(k_r, k_phi, setup.lag_s);
    write_registration(out, reg, segments.size());
    // Every dataset exists and is allocated before the first tile: from here on tiles only
    // write raw data, so a kill never leaves the file's structure half-written.
    out.flush();
    checkpoint.start();
    for (std::size_t i = 0; i < tiles.size(); ++i) pending.push_back(i);
  }
  const std::size_t resumed_tiles = tiles.size() - pending.size();
  timer.mark("setup");

  TileProcessor processor(config, setup, maps, segments, reg, prep.corrections, plan, std::move(g2_engine));
  // Rounds: the scheduler hands out tiles (dynamic: in proportion to each rank's speed),
  // each rank computes its tiles, all write collectively, the data is flushed and only
  // then the round's tiles are recorded in the ledger.
  // The largest tile: a rank holds the results of its round's tiles until the round's writes.
  std::size_t largest_tile = 1;
  for (const auto& t : tiles) largest_tile = std::max(largest_tile, t.positions());
  Scheduler scheduler(pending, config.controls.dynamic_schedule,
                      plan.result_tiles_held(config.memory_budget_bytes, largest_tile), comm);
  std::vector<std::size_t> mine;
  double seconds_per_tile = 0.0;  // this rank's mean so far (0: none yet)
  std::size_t my_tiles = 0;
  double my_tile_seconds = 0.0;
  bool interrupted = false;
  Progress progress(std::cerr,
                    me == 0 ? Progress::style_for(config.controls.progress, isatty(STDERR_FILENO) != 0) : Progress::Style::none,
                    tiles.size(), resumed_tiles, double(setup.n_t_used) * L.det_pixels() * L.element_bytes());
  std::size_t positions_this_run = 0;
  const double requested_before = double(input.bytes_read()), fetched_before = bytes_through_read_calls();
  double fetched_by_probes = 0;  // the tiles' input probes: not part of the analysis' reads
  timer.restart();
  while (!interrupted && scheduler.next_round(seconds_per_tile, mine)) {
    timer.mark("wait");
    std::vector<io::TileResults> results(mine.size());
    std::vector<io::TileRecord> records;  // what the ledger keeps of each
    std::size_t finished_here = 0;  // fewer than mine.size() only when asked to stop
    const auto compute_my_tiles = [&] {
      for (; finished_here < mine.size(); ++finished_here) {
        // Asked to stop (SIGTERM/SIGUSR1): drop the tiles not begun, so that the stop takes
        // at most one tile; they are not recorded and --resume computes them.
        if (interrupt::requested_locally()) break;
        const std::size_t k = finished_here;
        const auto t0 = std::chrono::steady_clock::now();
        // Two of the tile's frames as they are now, just before the tile reads them all.
        const double fetched = bytes_through_read_calls();
        const std::uint64_t probe = probe_tile(input, tiles[mine[k]]);
        fetched_by_probes += bytes_through_read_calls() - fetched;
        results[k] = processor.process(input, tiles[mine[k]], timer);
        records.push_back(RunCheckpoint::record_of(probe, results[k]));
        if (config.controls.throttle_s > 0 && (config.controls.throttle_rank < 0 || config.controls.throttle_rank == me)) {
          std::this_thread::sleep_for(std::chrono::duration<double>(config.controls.throttle_s));
          timer.mark("throttle");
        }
        my_tile_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        seconds_per_tile = my_tile_seconds / double(++my_tiles);
      }
    };
    mpi::run_then_agree(comm, [&] {
      try {
        compute_my_tiles();
      } catch (...) {
        checkpoint.throw_if_input_changed();  // a file cut short or overwritten: say that
        throw;
      }
    });
    timer.mark("wait");  // for the slowest rank of the round
    results.resize(finished_here);
    const std::vector<std::size_t> finished = scheduler.finished(finished_here);
    for (std::size_t slot = 0; slot < scheduler.slots(); ++slot)  // the same number of calls on every rank
      out.write_tile(slot < finished_here ? tiles[mine[slot]] : ScanTile{},
                     slot < finished_here ? results[slot] : io::TileResults{});
    out.flush();
    checkpoint.record(finished, records);
    // Recorded work is a checkpoint now, no longer a partial file to clean up on failure.
    partial_outputs::forget(out.partial_path());
    partial_outputs::forget(ledger_path);
    timer.mark("write");
    for (const auto& r : results) histogram.add(r.tau, r.fit_status);
    for (std::size_t i : finished) positions_this_run += tiles[i].positions();
    progress.update(checkpoint.n_done(), positions_this_run);
    interrupted = interrupt::requested(comm) && checkpoint.n_done() < tiles.size();  // done anyway: finish
  }
  progress.finish();
  // Of the frames this run's analysis asked for, how many bytes the libraries fetched.
  double io_bytes[2] = {double(input.bytes_read()) - requested_before,
                        bytes_through_read_calls() - fetched_before - fetched_by_probes};
  mpi::check(MPI_Allreduce(MPI_IN_PLACE, io_bytes, 2, MPI_DOUBLE, MPI_SUM, comm), "MPI_Allreduce(bytes fetched)");
  if (interrupted) {
    std::ostringstream msg;
    msg << "stopped by a signal with " << checkpoint.n_done() << " of " << tiles.size() << " tiles done and saved in "
        << out.partial_path() << "; run again with --resume to finish";
    throw interrupt::Interrupted(msg.str());
  }
  RunSummary summary;
  std::tie(summary.n_converged, summary.median_tau_s) = histogram.reduce_median(comm);
  summary.status_counts = histogram.reduce_statuses(comm);
  processor.nonfinite().reduce(comm);
  summary.n_pixels = L.positions() * std::size_t(config.grid.n_bins());
  summary.n_ranks = n_ranks;
  summary.n_tiles = tiles.size();
  summary.tile_positions = largest_tile;
  summary.plan = plan;
  summary.raw_bytes = double(setup.n_t_used) * L.positions() * L.det_pixels() * L.element_bytes();
  summary.output_path = config.output_path;
  summary.tiles_resumed = resumed_tiles;
  // Tiles each rank computed (dynamic scheduling gives fast ranks more).
  std::vector<double> per_rank(std::size_t(n_ranks), 0.0);
  const double mine_done = double(my_tiles);
  mpi::check(MPI_Allgather(&mine_done, 1, MPI_DOUBLE, per_rank.data(), 1, MPI_DOUBLE, comm), "MPI_Allgather(tiles per rank)");
  summary.tiles_per_rank.assign(per_rank.begin(), per_rank.end());
  summary.input_line = input.source().description();
  summary.input_notes = input.notes();
  for (const auto& r : setup.references) summary.input_notes.push_back(r);
  for (const auto& n : setup.calibration.notes) summary.input_notes.push_back(n);
  for (const auto& n : setup.notes) summary.input_notes.push_back(n);
  summary.nonfinite_note = processor.nonfinite().note();
  if (!summary.nonfinite_note.empty())
    summary.input_notes.push_back(summary.nonfinite_note + (resumed_tiles ? " (in the tiles this run computed)" : ""));
  if (setup.calibration.time_step_source == "timestamps") {
    std::ostringstream line;
    line << "cycle time " << setup.calibration.time_step_s << " s, from the timestamps of each cycle's first frame";
    summary.input_notes.push_back(line.str());
  }
  summary.drift_line = describe_drift(reg, setup.n_t_used);
  summary.center_line = describe_center(reg, setup.n_t_used, segments.size());
  summary.ellipse_line = reg.ellipse_method;
  // How much of the file was read, over all ranks: registration, and the analysis (with
  // drift, the halo positions count).
  double read_bytes[2] = {bytes_read_registering, double(input.bytes_read()) - bytes_read_registering};
  mpi::check(MPI_Allreduce(MPI_IN_PLACE, read_bytes, 2, MPI_DOUBLE, MPI_SUM, comm), "MPI_Allreduce(bytes read)");
  summary.bytes_read_registration = read_bytes[0];
  summary.bytes_read_analysis = read_bytes[1];
  summary.fetched_over_requested = io_bytes[0] > 0 ? io_bytes[1] / io_bytes[0] : std::nan("");
  summary.peak_rss_bytes = peak_rss_bytes();
  mpi::check(MPI_Allreduce(MPI_IN_PLACE, &summary.peak_rss_bytes, 1, MPI_DOUBLE, MPI_MAX, comm),
             "MPI_Allreduce(peak rss)");
  // A fixed list: every rank must make the same reductions, also one that had no tile.
  // Per rank and stage, gathered everywhere (a fixed list: every rank makes the same calls).
  const std::vector<std::string> stages{"setup", "register",  "register_read", "register_wait", "read", "polar",
                                        "g2",    "fit",       "download",      "write",         "wait", "throttle"};
  std::vector<double> my_seconds;
  for (const auto& stage : stages) {
    const auto it = timer.seconds().find(stage);
    my_seconds.push_back(it == timer.seconds().end() ? 0.0 : it->second);
  }
  summary.stage_names = stages;
  summary.stage_seconds.assign(stages.size() * std::size_t(n_ranks), 0.0);
  mpi::check(MPI_Allgather(my_seconds.data(), int(stages.size()), MPI_DOUBLE, summary.stage_seconds.data(),
                           int(stages.size()), MPI_DOUBLE, comm),
             "MPI_Allgather(stage times)");
  for (std::size_t j = 0; j < stages.size(); ++j)
    for (int r = 0; r < n_ranks; ++r)
      summary.stage_seconds_max[stages[j]] =
          std::max(summary.stage_seconds_max[stages[j]], summary.stage_seconds[std::size_t(r) * stages.size() + j]);

  // The input, as it was when the run began, is still what the results were made from.
  checkpoint.check_input_before_commit(input);
  write_provenance(out, config, setup, input, n_ranks, start_time, checkpoint.identity().input_size_bytes());
  checkpoint.write_identity(out);
  out.write_attribute("end_time", utc_now());
  out.write_attribute("memory_budget_bytes", config.memory_budget_bytes);
  out.write_attribute("planned_peak_bytes", plan.planned_peak_bytes());
  out.write_attribute("peak_rss_max_bytes", summary.peak_rss_bytes);
  out.write_attribute("tiles", double(tiles.size()));
  out.write_attribute("positions_per_tile", double(plan.positions_per_tile));
  out.write_attribute("tiles_from_earlier_runs", double(resumed_tiles));
  out.write_attribute("tiles_per_rank", summary.tiles_per_rank);
  out.write_attribute("bytes_read_registration", summary.bytes_read_registration);
  out.write_attribute("bytes_read_analysis", summary.bytes_read_analysis);
  out.write_attribute("bytes_fetched_over_requested", summary.fetched_over_requested);
  {
    std::string names;
    for (const auto& s : summary.stage_names) names += (names.empty() ? "" : ",") + s;
    out.write_table("/timing/stage_seconds", summary.stage_seconds, {std::size_t(n_ranks), summary.stage_names.size()},
                    {{"units", "s of wall time per rank (rows) and stage (columns)"}, {"stages", names},
                     {"meaning", "read: input hyperslabs; register*: the registration stage; polar, g2, fit, "
                                 "download: kernels; write: collective output and checkpoint; wait: for other "
                                 "ranks; throttle: --throttle sleep"}});
  }
  out.write_attribute("schedule", std::string(config.controls.dynamic_schedule ? "dynamic" : "static"));
  out.commit();
  checkpoint.finish();
  summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  return summary;
}

}  // namespace ecm::engine
