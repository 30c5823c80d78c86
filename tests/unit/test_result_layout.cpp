// Readers of result files check the shapes they index with (issue 14, class 12): `ecm
// inspect` read /tau with /fit_status's length (out of bounds when /tau was smaller), and a
// 1-D /registration/drift_yx or an empty peak_quality crashed it. Small files are written
// here with every shape wrong in turn; each reader must answer with one InputError naming
// the file and the dataset, and read a consistent file as before.
#include <catch2/catch.hpp>
#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

#include "decoder_support.hpp"
#include "ecm/core/error.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/inspect.hpp"
#include "ecm/io/result_cube.hpp"
#include "ecm/io/result_layout.hpp"
#include "ecm/report/report_inputs.hpp"

using Catch::Matchers::Contains;
namespace h5 = ecm::h5;

namespace {

using Dims = std::vector<hsize_t>;

// A dataset of `dims` filled with `value` (float64 in the file: the readers convert).
void put(hid_t file, const std::string& path, const Dims& dims, double value = 1.0) {
  std::size_t n = 1;
  for (hsize_t d : dims) n *= d;
  const std::vector<double> data(n, value);
  h5::Handle ds = h5::create_dataset(file, path, H5T_IEEE_F64LE, dims);
  if (n) h5::check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "writing", path);
}

struct Layout {
  Dims tau{2, 3, 1, 4}, status{2, 3, 1, 4}, mean{2, 3, 1, 4}, k_r{1}, k_phi{4};
  Dims drift{5, 2}, peaks{3};
};

// A result file of `layout` (with /tau_err and /mean_intensity of their own shapes).
std::string write_result(const std::string& dir, const std::string& name, const Layout& l) {
  const std::string path = dir + "/" + name;
  h5::Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  REQUIRE(file.valid());
  put(file, "/tau", l.tau, 2.0);
  put(file, "/fit_status", l.status, 0.0);
  put(file, "/tau_err", l.tau, 0.1);
  put(file, "/mean_intensity", l.mean, 3.0);
  put(file, "/axes/k_r", l.k_r, 0.4);
  put(file, "/axes/k_phi", l.k_phi, 0.1);
  put(file, "/registration/drift_yx", l.drift, 0.0);
  put(file, "/registration/blocks/peak_quality", l.peaks, 5.0);
  return path;
}

std::string message_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const ecm::InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace

TEST_CASE("result layout: a consistent result reads as before", "[result-layout]") {
  const std::string dir = ecm::test::make_temp_dir("layout");
  const std::string path = write_result(dir, "good.h5", Layout{});
  {
    h5::Handle file = h5::open_file_serial(path);
    CHECK(ecm::io::result_hypercube_shape(file, path) == Dims{2, 3, 1, 4});
    CHECK(ecm::io::table_rows(file, "/registration/drift_yx", 2, path) == 5);
    CHECK(ecm::io::table_rows(file, "/registration/blocks/peak_quality", 0, path) == 3);
  }
  const auto cube = ecm::io::read_result_cube(path, MPI_COMM_WORLD);
  CHECK(cube.tau.size() == 24);
  CHECK(cube.fit_status.size() == 24);
  CHECK(cube.k_phi.size() == 4);
  CHECK_THAT(ecm::io::describe_file(path, {}), Contains("hypercube 2 x 3 x 1 x 4") && Contains("median tau"));
}

TEST_CASE("result layout: /tau smaller than /fit_status is refused by every reader", "[result-layout]") {
  const std::string dir = ecm::test::make_temp_dir("layout");
  Layout l;
  l.tau = {1, 3, 1, 4};
  const std::string path = write_result(dir, "tau_smaller.h5", l);
  const std::string expected = "'" + path + "': /fit_status is 2 x 3 x 1 x 4 but /tau is 1 x 3 x 1 x 4";
  CHECK_THAT(message_of([&] { ecm::io::describe_file(path, {}); }), Contains(expected));
  CHECK_THAT(message_of([&] { ecm::io::read_result_cube(path, MPI_COMM_WORLD); }), Contains(expected));
}

TEST_CASE("result layout: every per-pixel dataset must have /tau's shape", "[result-layout]") {
  const std::string dir = ecm::test::make_temp_dir("layout");
  SECTION("/tau larger than /fit_status") {
    Layout l;
    l.status = {2, 3, 1, 2};
    const std::string path = write_result(dir, "status_smaller.h5", l);
    CHECK_THAT(message_of([&] { ecm::io::describe_file(path, {}); }), Contains("/fit_status is 2 x 3 x 1 x 2"));
    CHECK_THAT(message_of([&] { ecm::io::read_result_cube(path, MPI_COMM_WORLD); }), Contains("/fit_status"));
  }
  SECTION("another quantity of another shape") {
    Layout l;
    l.mean = {3, 2, 1, 4};
    const std::string path = write_result(dir, "mean_other.h5", l);
    CHECK_THAT(message_of([&] { ecm::io::read_result_cube(path, MPI_COMM_WORLD); }),
               Contains("/mean_intensity is 3 x 2 x 1 x 4 but /tau is 2 x 3 x 1 x 4"));
  }
  SECTION("/tau not 4-D, or empty") {
    Layout l;
    l.tau = l.status = l.mean = {6, 4};
    const std::string flat = write_result(dir, "flat.h5", l);
    CHECK_THAT(message_of([&] { ecm::io::read_result_cube(flat, MPI_COMM_WORLD); }), Contains("/tau is 6 x 4, not 4-D"));
    l.tau = l.status = l.mean = {0, 3, 1, 4};
    const std::string empty = write_result(dir, "empty.h5", l);
    CHECK_THAT(message_of([&] { ecm::io::describe_file(empty, {}); }), Contains("an empty hypercube"));
  }
  SECTION("/g2 without /tau's shape in front") {
    const std::string path = write_result(dir, "g2.h5", Layout{});
    {
      h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
      put(file, "/g2", {2, 3, 4, 1, 7});
    }
    CHECK_THAT(message_of([&] { ecm::io::read_result_cube(path, MPI_COMM_WORLD); }), Contains("/g2 is 2 x 3 x 4 x 1 x 7"));
  }
  SECTION("an axis that is not a list of the hypercube's length") {
    Layout l;
    l.k_phi = {2, 2};
    const std::string two_d = write_result(dir, "kphi_2d.h5", l);
    CHECK_THAT(message_of([&] { ecm::io::read_result_cube(two_d, MPI_COMM_WORLD); }),
               Contains("/axes/k_phi is 2 x 2, not a list"));
    l.k_phi = {5};
    const std::string longer = write_result(dir, "kphi_long.h5", l);
    CHECK_THAT(message_of([&] { ecm::io::read_result_cube(longer, MPI_COMM_WORLD); }), Contains("does not match /tau"));
  }
}

TEST_CASE("result layout: registration tables of the wrong shape", "[result-layout]") {
  const std::string dir = ecm::test::make_temp_dir("layout");
  Layout l;
  l.drift = {3};
  const std::string drift = write_result(dir, "drift_1d.h5", l);
  CHECK_THAT(message_of([&] { ecm::io::describe_file(drift, {}); }),
             Contains("/registration/drift_yx is 3, not a table of 2 columns"));
  l = Layout{};
  l.peaks = {0};
  const std::string peaks = write_result(dir, "peaks_empty.h5", l);
  CHECK_THAT(message_of([&] { ecm::io::describe_file(peaks, {}); }),
             Contains("/registration/blocks/peak_quality is 0, not a list with at least 1 row"));
}

TEST_CASE("result layout: the ttcf reader checks its matrix and lists", "[result-layout]") {
  const std::string dir = ecm::test::make_temp_dir("layout");
  const auto write_ttcf = [&](const std::string& name, const Dims& g, const Dims& elapsed, const Dims& width) {
    const std::string path = dir + "/" + name;
    h5::Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    put(file, "/ttcf/G_mean", g);
    put(file, "/ttcf/elapsed_s", elapsed);
    put(file, "/ttcf/band_width_s", width);
    h5::Handle group(H5Gopen2(file, "/ttcf", H5P_DEFAULT));
    h5::write_attribute(group, "time_step_s", 0.5);
    return path;
  };
  CHECK(ecm::report::read_ttcf(write_ttcf("good.h5", {6, 6}, {2}, {2}), MPI_COMM_WORLD).n_t == 6);
  CHECK_THAT(message_of([&] { ecm::report::read_ttcf(write_ttcf("g.h5", {6, 5}, {2}, {2}), MPI_COMM_WORLD); }),
             Contains("not a square matrix"));
  CHECK_THAT(message_of([&] { ecm::report::read_ttcf(write_ttcf("e.h5", {6, 6}, {2, 1}, {2}), MPI_COMM_WORLD); }),
             Contains("/ttcf/elapsed_s is 2 x 1, not a list"));
  CHECK_THAT(message_of([&] { ecm::report::read_ttcf(write_ttcf("w.h5", {6, 6}, {2}, {3}), MPI_COMM_WORLD); }),
             Contains("differ in length"));
}
