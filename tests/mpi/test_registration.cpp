// Drift registration and beam-centre tracking, end to end (issue 3): the drift of a
// simulated sample is measured from VDF images at 1 electron/px and corrected in the
// reader; tau then agrees with a drift-free recording of the same sample, and without the
// correction it does not. A drifting beam centre is tracked and fed to the polar transform.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "e2e_fixture.hpp"
#include "registration_checks.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/simulate/simulate.hpp"

using namespace ecm;
using test::max_distance;
using test::read_doubles;
using test::read_text_attribute;
using test::rms_distance;

namespace {

struct Comparison {
  std::size_t pixels = 0;  // valid in both
  double median_ln_ratio = 0, median_abs_ln_ratio = 0;
};

// tau of `run` against `reference` over pixels with a converged fit in both.
Comparison compare_tau(const std::string& run, const std::string& reference) {
  const auto a = test::read_floats(run, "/tau"), b = test::read_floats(reference, "/tau");
  const auto sa = test::read_status(run), sb = test::read_status(reference);
  std::vector<double> ln, abs_ln;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (sa[i] == 0 && sb[i] == 0) {
      ln.push_back(std::log(double(a[i]) / double(b[i])));
      abs_ln.push_back(std::fabs(ln.back()));
    }
  Comparison c;
  c.pixels = ln.size();
  if (ln.empty()) return c;
  std::nth_element(ln.begin(), ln.begin() + std::ptrdiff_t(ln.size() / 2), ln.end());
  std::nth_element(abs_ln.begin(), abs_ln.begin() + std::ptrdiff_t(abs_ln.size() / 2), abs_ln.end());
  c.median_ln_ratio = ln[ln.size() / 2];
  c.median_abs_ln_ratio = abs_ln[abs_ln.size() / 2];
  return c;
}

// Pearson correlation of ln tau with the truth (sample frame of cycle 0) over valid pixels.
double truth_correlation(const std::string& run, const std::string& truth_path) {
  const auto truth = simulate::Truth::load(truth_path);
  const auto tau = test::read_floats(run, "/tau");
  const auto status = test::read_status(run);
  const auto k_r = h5::read_dataset<double>(h5::open_file_serial(run), "/axes/k_r");
  const auto k_phi = h5::read_dataset<double>(h5::open_file_serial(run), "/axes/k_phi");
  std::vector<double> a, b;
  std::size_t i = 0;
  for (std::size_t y = 0; y < truth.scan_y(); ++y)
    for (std::size_t x = 0; x < truth.scan_x(); ++x)
      for (double kr : k_r)
        for (double phi : k_phi) {
          if (status[i] == 0) {
            a.push_back(std::log(double(tau[i])));
            b.push_back(std::log(truth.tau_s(y, x, kr, phi)));
          }
          ++i;
        }
  const double n = double(a.size());
  double ma = 0, mb = 0;
  for (std::size_t j = 0; j < a.size(); ++j) ma += a[j] / n, mb += b[j] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t j = 0; j < a.size(); ++j)
    sab += (a[j] - ma) * (b[j] - mb), saa += (a[j] - ma) * (a[j] - ma), sbb += (b[j] - mb) * (b[j] - mb);
  return sab / std::sqrt(saa * sbb);
}

// The small scans of issue 13: 10 x 10 positions, 400 cycles (auto sampling: one cycle in
// 8, 7 blocks of 64 cycles), 32 px detector, 1.5 e/px, 15 % thickness texture over the
// default 4 px.
simulate::SimConfig small_textured_scan() {
  simulate::SimConfig sim;
  sim.scan_y = sim.scan_x = 10;
  sim.cycles = 400;
  sim.det_y = sim.det_x = 32;
  sim.k_pixel_size = 0.04;
  sim.dose = 1.5;
  sim.dtype = h5::DType::u8;
  sim.thickness_contrast = 0.15;
  sim.memory_budget_mb = 64;
  return sim;
}

engine::RunConfig drift_run_config(const test::SimulatedDataset& data, const std::string& out) {
  auto c = test::default_run_config(data, out);
  c.grid.k_max = 0.55;
  // 400 cycles: one cycle in 2 read, blocks of 16 cycles (8 images each), so that the
  // 1 px random walk is followed between block centres (docs/registration.md).
  c.registration.stride = 2;
  c.registration.drift_block = 16;
  return c;
}

}  // namespace

TEST_CASE("a drift of several scan pixels is measured at 1 e/px and corrected", "[registration]") {
  const auto& pair = test::drift_pair();
  const std::string dir = test::scratch_dir();
  engine::run(drift_run_config(pair.steady, dir + "/steady_tau.h5"), MPI_COMM_WORLD);
  engine::run(drift_run_config(pair.drifting, dir + "/corrected_tau.h5"), MPI_COMM_WORLD);
  auto off = drift_run_config(pair.drifting, dir + "/uncorrected_tau.h5");
  off.registration.drift = false;
  engine::run(off, MPI_COMM_WORLD);
  auto given = drift_run_config(pair.drifting, dir + "/given_tau.h5");
  given.registration.drift_file = pair.drifting.truth + ":/truth/drift_yx";
  engine::run(given, MPI_COMM_WORLD);
  if (mpi::rank(MPI_COMM_WORLD) != 0) return;

  // The measured track against the simulator's.
  const auto truth = read_doubles(pair.drifting.truth, "/truth/drift_yx");
  const auto measured = read_doubles(dir + "/corrected_tau.h5", "/registration/drift_yx");
  REQUIRE(measured.size() == truth.size());
  double largest = 0.0;
  for (std::size_t i = 0; i + 1 < truth.size(); i += 2) largest = std::max(largest, std::hypot(truth[i], truth[i + 1]));
  const double rms = rms_distance(measured, truth);
  INFO("drift up to " << largest << " px; measured within " << rms << " px rms, " << max_distance(measured, truth)
                      << " px at worst; " << read_text_attribute(dir + "/corrected_tau.h5", "/registration/drift_yx", "method"));
  CHECK(largest > 3.0);
  CHECK(largest < 6.0);
  CHECK(rms < 0.2);
  CHECK(read_text_attribute(dir + "/corrected_tau.h5", "/registration/drift_yx", "applied") == "yes");
  // Without drift nothing is corrected (no false alarm from the texture or the noise).
  CHECK(read_text_attribute(dir + "/steady_tau.h5", "/registration/drift_yx", "applied") == "no");

  // tau against the drift-free recording of the same sample.
  const auto corrected = compare_tau(dir + "/corrected_tau.h5", dir + "/steady_tau.h5");
  const auto uncorrected = compare_tau(dir + "/uncorrected_tau.h5", dir + "/steady_tau.h5");
  const auto from_file = compare_tau(dir + "/given_tau.h5", dir + "/steady_tau.h5");
  INFO("corrected: " << corrected.pixels << " pixels, median ln ratio " << corrected.median_ln_ratio << ", median |ln ratio| "
                     << corrected.median_abs_ln_ratio);
  INFO("uncorrected: " << uncorrected.pixels << " pixels, median ln ratio " << uncorrected.median_ln_ratio
                       << ", median |ln ratio| " << uncorrected.median_abs_ln_ratio);
  INFO("true drift from file: median ln ratio " << from_file.median_ln_ratio << ", median |ln ratio| "
                                                << from_file.median_abs_ln_ratio);
  REQUIRE(corrected.pixels > 1000);
  CHECK(std::fabs(corrected.median_ln_ratio) < 0.05);
  CHECK(std::fabs(from_file.median_ln_ratio) < 0.05);
  // Uncorrected, each position sees a moving sample, so its tau map smears the domains it
  // crossed: it follows the true map less closely than the corrected or drift-free map.
  const double r_steady = truth_correlation(dir + "/steady_tau.h5", pair.steady.truth);
  const double r_corrected = truth_correlation(dir + "/corrected_tau.h5", pair.drifting.truth);
  const double r_uncorrected = truth_correlation(dir + "/uncorrected_tau.h5", pair.drifting.truth);
  INFO("correlation of ln tau with the true map: drift-free " << r_steady << ", corrected " << r_corrected
                                                              << ", uncorrected " << r_uncorrected);
  // Sub-pixel correction mixes neighbouring positions' (independent) speckle, which costs
  // some speckle contrast and so some precision per pixel: hence the margin.
  CHECK(r_corrected > r_steady - 0.1);
  CHECK(r_uncorrected < r_corrected - 0.1);

  // Positions the drift carried off the scan are flagged, never fitted from made-up data.
  const auto status = test::read_status(dir + "/corrected_tau.h5");
  const auto n_out = std::count(status.begin(), status.end(), std::uint8_t(fit::Status::out_of_field));
  CHECK(n_out > 0);
  CHECK(std::size_t(n_out) < status.size() / 2);
  const auto tau = test::read_floats(dir + "/corrected_tau.h5", "/tau");
  for (std::size_t i = 0; i < tau.size(); ++i)
    if (status[i] == std::uint8_t(fit::Status::out_of_field)) REQUIRE(std::isnan(tau[i]));
}

TEST_CASE("a beam centre drifting 2 px is tracked and fed to the polar transform", "[registration]") {
  const std::string dir = test::scratch_dir();
  simulate::SimConfig sim;
  sim.scan_y = sim.scan_x = 4;
  sim.cycles = 400;
  sim.dose = 1.0;
  sim.memory_budget_mb = 64;
  simulate::run_simulation(sim, dir + "/beam_static.h5", dir + "/beam_static_truth.h5", MPI_COMM_WORLD);
  sim.center_drift_y = 1.6;  // 2 px over the run, diagonally
  sim.center_drift_x = -1.2;
  simulate::run_simulation(sim, dir + "/beam_moving.h5", dir + "/beam_moving_truth.h5", MPI_COMM_WORLD);

  const auto config = [&](const std::string& in, const std::string& out, bool track) {
    engine::RunConfig c;
    c.input_path = dir + "/" + in;
    c.output_path = dir + "/" + out;
    c.grid.k_max = 0.55;  // the strip stays on the 48 px detector wherever the centre goes
    c.registration.center_track = track;
    return c;
  };
  engine::run(config("beam_static.h5", "beam_static_tau.h5", true), MPI_COMM_WORLD);
  engine::run(config("beam_moving.h5", "beam_tracked_tau.h5", true), MPI_COMM_WORLD);
  engine::run(config("beam_moving.h5", "beam_fixed_tau.h5", false), MPI_COMM_WORLD);
  if (mpi::rank(MPI_COMM_WORLD) != 0) return;

  const auto truth = read_doubles(dir + "/beam_moving_truth.h5", "/truth/beam_center_yx");
  const auto tracked = read_doubles(dir + "/beam_tracked_tau.h5", "/registration/beam_center_yx");
  REQUIRE(tracked.size() == truth.size());
  const double moved = std::hypot(truth[truth.size() - 2] - truth[0], truth.back() - truth[1]);
  INFO("centre moved " << moved << " px; tracked within " << rms_distance(tracked, truth) << " px rms, "
                       << max_distance(tracked, truth) << " px at worst");
  CHECK(moved == Approx(2.0).margin(1e-9));
  CHECK(max_distance(tracked, truth) < 0.2);
  CHECK(std::stoi(read_text_attribute(dir + "/beam_tracked_tau.h5", "/registration/beam_center_yx", "polar_maps")) > 1);

  // The polar transform follows the beam: the ring's mean intensity stays isotropic in
  // k_phi as with a static beam, while a fixed centre sees the ring off-centre (a strong
  // k_phi modulation in every k_r bin).
  const double a_static = test::ring_anisotropy(dir + "/beam_static_tau.h5");
  const double a_tracked = test::ring_anisotropy(dir + "/beam_tracked_tau.h5");
  const double a_fixed = test::ring_anisotropy(dir + "/beam_fixed_tau.h5");
  const auto with_tracking = compare_tau(dir + "/beam_tracked_tau.h5", dir + "/beam_static_tau.h5");
  INFO("ring anisotropy (rms/mean over k_phi): static beam " << a_static << ", tracked " << a_tracked << ", fixed centre "
                                                             << a_fixed << "; tau tracked vs static: median ln ratio "
                                                             << with_tracking.median_ln_ratio);
  CHECK(a_tracked < 1.5 * a_static + 0.01);
  CHECK(a_fixed > 5.0 * a_tracked);
  CHECK(std::fabs(with_tracking.median_ln_ratio) < 0.05);
}

TEST_CASE("the drift estimate is the same on 1, 2 and 4 ranks", "[.registration-ranks]") {
  const auto& pair = test::drift_pair();
  const std::string dir = test::scratch_dir();
  const int me = mpi::rank(MPI_COMM_WORLD), world = mpi::size(MPI_COMM_WORLD);
  std::vector<std::vector<double>> tracks;
  for (int n : {1, 2, 4}) {
    if (n > world) continue;
    MPI_Comm sub;
    MPI_Comm_split(MPI_COMM_WORLD, me < n ? 0 : MPI_UNDEFINED, me, &sub);
    const std::string out = dir + "/ranks" + std::to_string(n) + "_tau.h5";
    if (sub != MPI_COMM_NULL) {
      engine::run(drift_run_config(pair.drifting, out), sub);
      MPI_Comm_free(&sub);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (me == 0) tracks.push_back(read_doubles(out, "/registration/drift_yx"));
  }
  if (me != 0) return;
  REQUIRE(tracks.size() >= 2);
  for (std::size_t i = 1; i < tracks.size(); ++i) CHECK(max_distance(tracks[i], tracks[0]) < 1e-9);
}

TEST_CASE("drift correction reads a frame stream exactly like the 5-D layout", "[registration]") {
  const std::string dir = test::scratch_dir();
  simulate::SimConfig sim;
  sim.scan_y = sim.scan_x = 12;
  sim.cycles = 200;
  sim.det_y = sim.det_x = 32;
  sim.k_pixel_size = 0.04;
  sim.dose = 1.0;
  sim.dtype = h5::DType::u8;
  sim.thickness_contrast = 0.15;
  sim.thickness_size_px = 3.0;
  sim.drift_y = 2.0;
  sim.drift_x = -1.5;
  sim.memory_budget_mb = 64;
  simulate::run_simulation(sim, dir + "/drift5d.h5", dir + "/drift5d_truth.h5", MPI_COMM_WORLD);
  sim.layout = simulate::Layout::stream;
  simulate::run_simulation(sim, dir + "/driftstream.h5", dir + "/driftstream_truth.h5", MPI_COMM_WORLD);
  for (const char* name : {"drift5d", "driftstream"}) {
    test::SimulatedDataset data;
    data.input = dir + "/" + name + ".h5";
    auto c = drift_run_config(data, dir + "/" + name + "_tau.h5");
    c.memory_budget_bytes = 160.0 * 1024 * 1024;  // several tiles per rank, each with its halo
    engine::run(c, MPI_COMM_WORLD);
  }
  if (mpi::rank(MPI_COMM_WORLD) != 0) return;
  CHECK(read_text_attribute(dir + "/drift5d_tau.h5", "/registration/drift_yx", "applied") == "yes");
  CHECK(read_doubles(dir + "/drift5d_tau.h5", "/registration/drift_yx") ==
        read_doubles(dir + "/driftstream_tau.h5", "/registration/drift_yx"));
  const auto a = test::read_floats(dir + "/drift5d_tau.h5", "/tau");
  const auto b = test::read_floats(dir + "/driftstream_tau.h5", "/tau");
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += (std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i];
  CHECK(same == a.size());
  CHECK(test::read_status(dir + "/drift5d_tau.h5") == test::read_status(dir + "/driftstream_tau.h5"));
}

TEST_CASE("a 3 px drift on a 10 x 10 scan with 15 % texture is measured and corrected", "[registration]") {
  // Issue 13: on a 10 x 10 scan the FFT correlation matched content wrapped across the
  // edges (a 3 px drift is 30 % of the image), and registration failed or was off. Seed 4
  // is one where it failed ("not trusted", scatter 0.32 px); over seeds 1-5 of this
  // configuration it measured 0.11-0.32 px rms where it did not (`ecm run` defaults). The
  // direct correlation small scans now use: 0.07-0.15 px, and 0.16 px in this test (its VDF
  // band ends at 0.55 1/A, not 0.6) (docs/registration.md, "Small scans").
  const std::string dir = test::scratch_dir();
  auto sim = small_textured_scan();
  sim.seed = 4;
  simulate::run_simulation(sim, dir + "/small_steady.h5", dir + "/small_steady_truth.h5", MPI_COMM_WORLD);
  sim.drift_y = 3.0;
  sim.drift_x = -2.0;
  simulate::run_simulation(sim, dir + "/small_drift.h5", dir + "/small_drift_truth.h5", MPI_COMM_WORLD);
  for (const char* name : {"small_steady", "small_drift"}) {
    test::SimulatedDataset data;
    data.input = dir + "/" + name + ".h5";
    auto c = test::default_run_config(data, dir + "/" + name + "_tau.h5");
    c.grid.k_max = 0.55;
    c.registration.center_track = false;  // the beam does not move; the drift is the subject
    engine::run(c, MPI_COMM_WORLD);       // registration sampling: the automatic choice
  }
  if (mpi::rank(MPI_COMM_WORLD) != 0) return;

  const auto truth = read_doubles(dir + "/small_drift_truth.h5", "/truth/drift_yx");
  const auto measured = read_doubles(dir + "/small_drift_tau.h5", "/registration/drift_yx");
  REQUIRE(measured.size() == truth.size());
  const double rms = rms_distance(measured, truth);
  INFO("measured within " << rms << " px rms, " << max_distance(measured, truth) << " px at worst; "
                          << read_text_attribute(dir + "/small_drift_tau.h5", "/registration/drift_yx", "method"));
  CHECK(rms < 0.3);
  CHECK(read_text_attribute(dir + "/small_drift_tau.h5", "/registration/drift_yx", "applied") == "yes");
  INFO("drift-free: " << read_text_attribute(dir + "/small_steady_tau.h5", "/registration/drift_yx", "method"));
  CHECK(read_text_attribute(dir + "/small_steady_tau.h5", "/registration/drift_yx", "applied") == "no");
}

TEST_CASE("the drift estimate of a small scan is the same on 1, 2, 3 and 4 ranks", "[.registration-ranks]") {
  // The direct correlation of small scans, with each block left out of its reference,
  // shares the blocks out over ranks like the FFT path: the result must not depend on it.
  const std::string dir = test::scratch_dir();
  auto sim = small_textured_scan();
  sim.drift_y = 3.0;
  sim.drift_x = -2.0;
  const std::string input = dir + "/small_ranks.h5";
  simulate::run_simulation(sim, input, dir + "/small_ranks_truth.h5", MPI_COMM_WORLD);
  const int me = mpi::rank(MPI_COMM_WORLD), world = mpi::size(MPI_COMM_WORLD);
  std::vector<std::vector<double>> tracks;
  for (int n : {1, 2, 3, 4}) {
    if (n > world) continue;
    MPI_Comm sub;
    MPI_Comm_split(MPI_COMM_WORLD, me < n ? 0 : MPI_UNDEFINED, me, &sub);
    const std::string out = dir + "/small_ranks" + std::to_string(n) + "_tau.h5";
    if (sub != MPI_COMM_NULL) {
      test::SimulatedDataset data;
      data.input = input;
      auto c = test::default_run_config(data, out);
      c.grid.k_max = 0.55;
      c.registration.center_track = false;
      engine::run(c, sub);
      MPI_Comm_free(&sub);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (me == 0) tracks.push_back(read_doubles(out, "/registration/drift_yx"));
  }
  if (me != 0) return;
  REQUIRE(tracks.size() >= 2);
  REQUIRE(read_text_attribute(dir + "/small_ranks1_tau.h5", "/registration/drift_yx", "applied") == "yes");
  for (std::size_t i = 1; i < tracks.size(); ++i) CHECK(max_distance(tracks[i], tracks[0]) < 1e-9);
}
