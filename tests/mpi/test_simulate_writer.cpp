// `ecm simulate` across ranks: the file written by n ranks is bit-identical to the one
// written by a single process; the attributes and the truth file round-trip; a failed run
// leaves nothing behind.
#include <catch2/catch.hpp>
#include <mpi.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/core/geometry.hpp"
#include "ecm/simulate/domains.hpp"
#include "ecm/simulate/frames.hpp"
#include "ecm/simulate/options.hpp"
#include "ecm/simulate/simulate.hpp"
#include "ecm/simulate/writer.hpp"

using namespace ecm::simulate;
namespace h5 = ecm::h5;

namespace {

int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

// A per-run scratch path shared by all ranks (rank 0's pid).
std::string scratch(const std::string& name) {
  long pid = static_cast<long>(getpid());
  MPI_Bcast(&pid, 1, MPI_LONG, 0, MPI_COMM_WORLD);
  return "/tmp/ecm_simtest_" + std::to_string(pid) + "_" + name;
}

SimConfig small_config() {
  SimConfig c;
  c.scan_y = 5;
  c.scan_x = 3;
  c.cycles = 24;
  c.det_y = 24;
  c.det_x = 22;
  c.k_pixel_size = 0.05;
  c.convergence = 0.15;
  c.n_sectors = 6;
  c.drift_y = 0.8;
  c.drift_x = -1.3;
  c.center_drift_y = 0.6;
  return c;
}

std::vector<unsigned char> read_all(const std::string& path, const std::string& dataset) {
  h5::Handle file = h5::open_file_serial(path);
  h5::Handle ds = h5::open_dataset(file, dataset);
  const auto shape = h5::dataset_shape(ds);
  hsize_t n = 1;
  for (auto s : shape) n *= s;
  const h5::DType type = h5::dataset_dtype(ds);
  const std::size_t bytes = type == h5::DType::u8 ? 1 : type == h5::DType::u16 ? 2 : type == h5::DType::f64 ? 8 : 4;
  std::vector<unsigned char> data(n * bytes);
  h5::read_hyperslab(ds, h5::native_type(type), std::vector<hsize_t>(shape.size(), 0), shape, data.data(), false);
  return data;
}

}  // namespace

TEST_CASE("simulated files are bit-identical on any number of ranks", "[simulate]") {
  struct Case {
    const char* name;
    Layout layout;
    h5::DType dtype;
    double budget_mb;  // small budgets force tiles that are pieces of rows
    bool detector;
    bool optics;  // ellipticity, beam stop and saturation
  };
  const Case cases[] = {{"5d_u16", Layout::five_d, h5::DType::u16, 1024, true, false},
                        {"stream_u8", Layout::stream, h5::DType::u8, 1024, false, false},
                        {"stream_f32_pieces", Layout::stream, h5::DType::f32, 0.06, true, false},
                        {"5d_u32_pieces", Layout::five_d, h5::DType::u32, 0.06, false, false},
                        {"5d_u16_optics_pieces", Layout::five_d, h5::DType::u16, 0.06, true, true}};
  for (const Case& k : cases) {
    SimConfig cfg = small_config();
    cfg.layout = k.layout;
    cfg.dtype = k.dtype;
    cfg.memory_budget_mb = k.budget_mb;
    if (k.detector) {
      cfg.dark_level = 20;
      cfg.dark_spread = 2;
      cfg.gain_spread = 0.05;
      cfg.read_noise = 1.5;
      cfg.hot_pixels = 3;
    }
    if (k.optics) {
      cfg.ellipticity = 0.1;
      cfg.ellipticity_angle_deg = 70;
      cfg.beam_stop_radius_px = 2.5;
      cfg.beam_stop_arm_px = 1.5;
      cfg.saturation_counts = 40;
    }
    const std::string many = scratch(std::string(k.name) + "_many.h5"), one = scratch(std::string(k.name) + "_one.h5");
    const std::string truth_many = scratch(std::string(k.name) + "_truth_many.h5");
    const std::string truth_one = scratch(std::string(k.name) + "_truth_one.h5");
    run_simulation(cfg, many, truth_many, MPI_COMM_WORLD);
    if (world_rank() == 0) {
      run_simulation(cfg, one, truth_one, MPI_COMM_SELF);
      INFO("case " << k.name);
      const auto a = read_all(many, "/frames"), b = read_all(one, "/frames");
      REQUIRE(a.size() == cfg.dataset_bytes());
      CHECK(a == b);
      if (k.detector)
        for (const char* ref : {"/dark", "/gain", "/mask"}) CHECK(read_all(many, ref) == read_all(one, ref));
      CHECK(read_all(truth_many, "/truth/tau_sector") == read_all(truth_one, "/truth/tau_sector"));
      h5::Handle f = h5::open_file_serial(many);
      h5::Handle ds = h5::open_dataset(f, "/frames");
      const auto shape = h5::dataset_shape(ds);
      if (k.layout == Layout::stream)
        CHECK(shape == std::vector<hsize_t>{cfg.cycles * cfg.scan_y * cfg.scan_x, cfg.det_y, cfg.det_x});
      else
        CHECK(shape == std::vector<hsize_t>{cfg.cycles, cfg.scan_y, cfg.scan_x, cfg.det_y, cfg.det_x});
      CHECK(h5::link_exists(f, "/dark") == k.detector);
      for (const auto& p : {one, truth_one}) std::remove(p.c_str());
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0)
      for (const auto& p : {many, truth_many}) std::remove(p.c_str());
  }
}

TEST_CASE("tile writes are collective in both layouts, empty tiles included", "[simulate]") {
  // BRIEF: check H5Pget_mpio_no_collective_cause. Rank r writes row r (if it exists) and
  // then one more call with an empty tile, as ranks without work do.
  for (Layout layout : {Layout::five_d, Layout::stream}) {
    SimConfig cfg = small_config();
    cfg.layout = layout;
    const std::string path = scratch("collective.h5");
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    {
      h5::Handle file = h5::create_file_parallel(path, MPI_COMM_WORLD);
      h5::Handle frames = create_frames_dataset(file, cfg);
      FrameGenerator gen(cfg);
      const ecm::ScanTile tile = static_cast<std::size_t>(rank) < cfg.scan_y
                                     ? ecm::ScanTile{static_cast<std::size_t>(rank), 0, 1, cfg.scan_x}
                                     : ecm::ScanTile{};
      std::vector<unsigned char> buffer(cfg.cycles * tile.positions() * cfg.frame_bytes());
      if (!tile.empty()) gen.record(tile, buffer.data());
      CHECK(write_tile(frames, cfg, tile, buffer.data()) == 0);
      CHECK(write_tile(frames, cfg, ecm::ScanTile{}, nullptr) == 0);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) std::remove(path.c_str());
  }
}

TEST_CASE("frames attributes and the truth file round-trip", "[simulate]") {
  SimConfig cfg = small_config();
  cfg.kr_exponent = 2.0;
  cfg.layout = Layout::stream;
  cfg.ellipticity = 0.03;
  cfg.ellipticity_angle_deg = 125;
  cfg.beam_stop_radius_px = 3;
  const std::string out = scratch("attrs.h5"), truth_path = scratch("attrs_truth.h5");
  run_simulation(cfg, out, truth_path, MPI_COMM_WORLD);
  {
    h5::Handle f = h5::open_file_serial(out);
    h5::Handle ds = h5::open_dataset(f, "/frames");
    CHECK(h5::read_attribute_doubles(ds, "time_step_s") == std::vector<double>{cfg.time_step_s});
    CHECK(h5::read_attribute_doubles(ds, "k_pixel_size_inv_angstrom") == std::vector<double>{cfg.k_pixel_size});
    CHECK(h5::read_attribute_doubles(ds, "convergence_inv_angstrom") == std::vector<double>{cfg.convergence});
    CHECK(h5::read_attribute_doubles(ds, "beam_center_yx") == std::vector<double>{cfg.center0_y(), cfg.center0_x()});
    CHECK(h5::read_attribute_doubles(ds, "scan_shape") == std::vector<double>{5, 3});
    CHECK(to_ini(from_ini(h5::read_attribute_string(ds, "simulator"))) == to_ini(cfg));
  }
  const Truth truth = Truth::load(truth_path);
  CHECK(truth.scan_y() == 5);
  CHECK(truth.scan_x() == 3);
  CHECK(truth.n_sectors() == 6);
  CHECK(truth.beta() == cfg.beta);
  CHECK(truth.contrast() == cfg.contrast);
  CHECK(truth.tau_median_s() == cfg.tau_median_s);
  CHECK(truth.sigma_ln_tau() == cfg.sigma_ln_tau);
  CHECK(truth.n_cycles() == cfg.cycles);
  CHECK(truth.ellipticity() == cfg.ellipticity);
  CHECK(truth.ellipticity_angle_deg() == cfg.ellipticity_angle_deg);
  {
    h5::Handle f = h5::open_file_serial(truth_path);
    h5::Handle g(h5::check(H5Gopen2(f, "/truth", H5P_DEFAULT), "opening group", "/truth"));
    CHECK(h5::read_attribute_doubles(g, "beam_stop_radius_px") == std::vector<double>{3});
    CHECK(h5::read_attribute_doubles(g, "saturation_counts") == std::vector<double>{0});
    CHECK_THAT(h5::read_attribute_string(g, "ellipticity_rule"), Catch::Contains("(sin theta, cos theta)"));
  }
  const std::vector<double> tau = TauMap(cfg).tau(0, 0, 5, 3);
  for (std::size_t y = 0; y < 5; ++y)
    for (std::size_t x = 0; x < 3; ++x)
      for (int s = 0; s < 6; ++s) {
        const double phi = (s + 0.5) * 2 * ecm::kPi / 6;
        const double expected = tau[(y * 3 + x) * 6 + s];
        CHECK(truth.tau_s(y, x, cfg.k_peak, phi) == Approx(expected).epsilon(1e-12));
        CHECK(truth.tau_s(y, x, 2 * cfg.k_peak, phi + 2 * ecm::kPi) == Approx(4 * expected).epsilon(1e-12));
      }
  const Tracks tracks = make_tracks(cfg);
  REQUIRE(truth.drift_yx().size() == 2 * cfg.cycles);
  CHECK(truth.drift_yx()[2 * (cfg.cycles - 1)] == tracks.drift_y.back());
  CHECK(truth.drift_yx()[2 * (cfg.cycles - 1) + 1] == tracks.drift_x.back());
  CHECK(truth.beam_center_yx()[2 * (cfg.cycles - 1)] == tracks.center_y.back());
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() == 0)
    for (const auto& p : {out, truth_path}) std::remove(p.c_str());
}

TEST_CASE("a failed simulation throws on every rank and leaves no files", "[simulate]") {
  const SimConfig cfg = small_config();
  const std::string truth_path = scratch("failed_truth.h5");
  CHECK_THROWS_AS(run_simulation(cfg, "/nonexistent-dir/out.h5", truth_path, MPI_COMM_WORLD), ecm::InputError);
  MPI_Barrier(MPI_COMM_WORLD);
  CHECK_FALSE(h5::is_hdf5_file(truth_path));
  SimConfig bad = cfg;
  bad.contrast = 2;
  CHECK_THROWS_AS(run_simulation(bad, scratch("bad.h5"), truth_path, MPI_COMM_WORLD), ecm::InputError);
  CHECK_THROWS_AS(run_simulation(cfg, truth_path, truth_path, MPI_COMM_WORLD), ecm::InputError);
}
