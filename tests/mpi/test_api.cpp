// The public C++ API (include/ecm/analysis.hpp) against the `ecm` CLI, on the shared e2e
// acquisition: the same options give the same bits from `ecm run`, from Analysis::run(file)
// and from Analysis::run(frames in memory), and --resume through the API refuses a checkpoint
// made with other options and continues one the CLI made with the same. The CLI's outputs come
// from the ctest fixture api_cli_outputs (make_cli_outputs.sh), run before mpi_tests_np*.
#include <catch2/catch.hpp>
#include <mpi.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e_fixture.hpp"
#include "ecm/ecm.hpp"
#include "ecm/io/hdf5.hpp"

namespace ecm {
namespace {

// The options make_cli_outputs.sh gives `ecm run` (keep in step).
AnalysisOptions api_test_options() {
  AnalysisOptions o;
  o.set("memory-budget", "120M");
  o.set("n-kphi", "24");
  o.set("n-lags", "40");
  o.set("min-counts", "0.02");
  return o;
}

std::string cli_output(const std::string& name) { return std::string(ECM_TEST_DATA_DIR) + "/" + name; }

// True on every rank when rank 0 sees the file.
bool exists_everywhere(const std::string& path) {
  int there = mpi::rank(MPI_COMM_WORLD) == 0 && std::filesystem::exists(path);
  MPI_Bcast(&there, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return there != 0;
}

// The frames of the e2e file, read whole with HDF5 on this rank, and its calibration
// attributes: what a program holding the acquisition in memory passes.
struct FramesInMemory {
  std::vector<std::uint8_t> values;
  FrameArray array;
};
FramesInMemory read_frames(const std::string& path) {
  FramesInMemory m;
  h5::Handle file = h5::open_file_serial(path);
  h5::Handle ds = h5::open_dataset(file, "/frames");
  const auto shape = h5::dataset_shape(ds);
  REQUIRE(shape.size() == 5);
  REQUIRE(h5::dataset_dtype(ds) == h5::DType::u8);
  m.values = h5::read_dataset<std::uint8_t>(file, "/frames");
  m.array.data = m.values.data();
  m.array.type = FrameArray::Type::u8;
  for (std::size_t i = 0; i < 5; ++i) m.array.shape[i] = std::size_t(shape[i]);
  m.array.time_step_s = h5::read_attribute_doubles(ds, "time_step_s").at(0);
  m.array.k_pixel_size = h5::read_attribute_doubles(ds, "k_pixel_size_inv_angstrom").at(0);
  if (h5::has_attribute(ds, "beam_center_yx")) {
    const auto c = h5::read_attribute_doubles(ds, "beam_center_yx");
    m.array.beam_center_yx = std::array<double, 2>{c.at(0), c.at(1)};
  }
  if (h5::has_attribute(ds, "convergence_inv_angstrom"))
    m.array.convergence = h5::read_attribute_doubles(ds, "convergence_inv_angstrom").at(0);
  m.array.name = "reliable.h5 in memory";
  return m;
}

// /tau and /fit_status of `path` are those of `reference`, bit for bit (rank 0 reads both).
void require_same_results(const std::string& reference, const std::string& path) {
  int same = 1;
  if (mpi::rank(MPI_COMM_WORLD) == 0) {
    const auto tau_ref = test::read_floats(reference, "/tau"), tau = test::read_floats(path, "/tau");
    const auto status_ref = test::read_status(reference), status = test::read_status(path);
    same = tau.size() == tau_ref.size() && status == status_ref &&
           std::memcmp(tau.data(), tau_ref.data(), tau.size() * sizeof(float)) == 0;
    INFO(path << " against " << reference);
    CHECK(tau.size() == tau_ref.size());
    CHECK(status == status_ref);
    CHECK(std::memcmp(tau.data(), tau_ref.data(), tau.size() * sizeof(float)) == 0);
  }
  MPI_Bcast(&same, 1, MPI_INT, 0, MPI_COMM_WORLD);
  REQUIRE(same == 1);
}

// The message of the ecm::Error `run` throws on this rank; empty when it throws none. Other
// ranks may get PeerFailure: only messages that are not one are returned.
template <class F>
std::string error_of(F&& run) {
  try {
    run();
  } catch (const PeerFailure&) {
    return "(peer failure)";
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

// Copies the CLI's checkpoint to OUT.partial and OUT.partial.tiles (rank 0).
void copy_checkpoint_to(const std::string& out) {
  test::edit_on_rank0([&] {
    const std::string from = cli_output("api_cli_partial.h5");
    for (const std::string suffix : {".partial", ".partial.tiles"})
      std::filesystem::copy_file(from + suffix, out + suffix, std::filesystem::copy_options::overwrite_existing);
  });
}

}  // namespace

TEST_CASE("the CLI, Analysis::run(file) and Analysis::run(frames) give the same tau", "[api]") {
  const auto& data = test::reliable_dataset();
  const std::string cli = cli_output("api_cli.h5");
  REQUIRE(exists_everywhere(cli));  // made by the ctest fixture api_cli_outputs
  const AnalysisOptions options = api_test_options();
  // The CLI's provenance is the library's canonical text of the same options.
  std::string configuration;
  if (mpi::rank(MPI_COMM_WORLD) == 0)
    configuration = h5::read_attribute_string(h5::open_file_serial(cli), "configuration");
  configuration = mpi::broadcast(configuration, MPI_COMM_WORLD);
  CHECK(configuration == options.to_ini());

  const Analysis analysis(options);
  const std::string dir = test::scratch_dir();
  const RunReport from_file = analysis.run(data.input, dir + "/api_file.h5");
  CHECK(from_file.output_path == dir + "/api_file.h5");
  CHECK(from_file.n_converged > from_file.n_pixels / 2);
  require_same_results(cli, dir + "/api_file.h5");

  RunReport from_memory;
  {
    const FramesInMemory frames = read_frames(data.input);
    from_memory = analysis.run(frames.array, dir + "/api_memory.h5");
  }
  require_same_results(cli, dir + "/api_memory.h5");
  CHECK(from_memory.n_pixels == from_file.n_pixels);
  CHECK(from_memory.n_converged == from_file.n_converged);
  CHECK(from_memory.median_tau_s == from_file.median_tau_s);
  CHECK(from_memory.status_counts == from_file.status_counts);
  if (mpi::rank(MPI_COMM_WORLD) == 0) {
    h5::Handle file = h5::open_file_serial(dir + "/api_memory.h5");
    CHECK(h5::read_attribute_string(file, "configuration") == options.to_ini());
    CHECK(h5::read_attribute_string(file, "input_file").rfind("memory: reliable.h5 in memory", 0) == 0);
    CHECK(h5::read_attribute_string(file, "input_identity").rfind("memory ", 0) == 0);
  }
}

TEST_CASE("--resume through the API: a CLI checkpoint of other options is refused, of the same continued",
          "[api]") {
  const auto& data = test::reliable_dataset();
  REQUIRE(exists_everywhere(cli_output("api_cli_partial.h5.partial.tiles")));
  const std::string dir = test::scratch_dir();
  RunControls resume;
  resume.resume = true;

  // Other options: refused, and the checkpoint is left as it was.
  const std::string other = dir + "/resume_other.h5";
  copy_checkpoint_to(other);
  AnalysisOptions other_options = api_test_options();
  other_options.set("n-lags", "30");
  const std::string refused = error_of([&] { Analysis(other_options, resume).run(data.input, other); });
  if (refused != "(peer failure)") CHECK_THAT(refused, Catch::Contains("cannot resume") && Catch::Contains("other options"));
  REQUIRE(!refused.empty());
  REQUIRE(exists_everywhere(other + ".partial"));
  REQUIRE(exists_everywhere(other + ".partial.tiles"));

  // The same frames in memory are another input: refused too.
  {
    const FramesInMemory frames = read_frames(data.input);
    const std::string memory_refused =
        error_of([&] { Analysis(api_test_options(), resume).run(frames.array, other); });
    if (memory_refused != "(peer failure)") CHECK_THAT(memory_refused, Catch::Contains("cannot resume"));
    REQUIRE(!memory_refused.empty());
  }

  // The same options: continued from the CLI's tiles, and the result is the CLI's whole run.
  const std::string same = dir + "/resume_same.h5";
  copy_checkpoint_to(same);
  const RunReport report = Analysis(api_test_options(), resume).run(data.input, same);
  CHECK(report.tiles_resumed >= 1);
  require_same_results(cli_output("api_cli.h5"), same);
  REQUIRE(!exists_everywhere(same + ".partial"));
}

}  // namespace ecm

namespace ecm {

TEST_CASE("Analysis refuses bad options and bad frames on every rank, leaving no output", "[api]") {
  AnalysisOptions bad;
  bad.correlation.n_lags = 4;
  CHECK_THROWS_WITH(Analysis(bad), Catch::Contains("--n-lags must be >= 5"));
  RunControls loud;
  loud.progress = "loud";
  CHECK_THROWS_WITH(Analysis(AnalysisOptions{}, loud), Catch::Contains("--progress must be"));

  const Analysis analysis{AnalysisOptions{}};
  const std::string out = test::scratch_dir() + "/api_refused.h5";
  FrameArray frames;
  CHECK_THROWS_WITH(analysis.run(frames, out), Catch::Contains("no data"));
  std::vector<std::uint16_t> zeros(16 * 2 * 2 * 16 * 16, 0);
  frames.data = zeros.data();
  frames.shape = {16, 2, 2, 16, 16};
  frames.k_pixel_size = 0.04;
  // No time step, neither in the frames nor in the options: as a file without the attribute.
  const std::string missing = error_of([&] { analysis.run(frames, out); });
  if (missing != "(peer failure)") CHECK_THAT(missing, Catch::Contains("time_step_s' is missing") && Catch::Contains("--time-step"));
  REQUIRE(!missing.empty());
  CHECK(!exists_everywhere(out));
  CHECK(!exists_everywhere(out + ".partial"));
  CHECK_THROWS_WITH(analysis.run("", out), Catch::Contains("no input file given"));
}

}  // namespace ecm
