// Beam-centre finding on frames a real camera wrote (../shared/testdata/real/merlin, a
// Medipix3 Merlin, 4 x 2 scans): a saturated direct beam with a lopsided halo, cut by the
// detector edge, and an empty acquisition with one hot pixel. The frames are decoded here
// by a few lines written from the format's layout (an ASCII header per frame whose third
// field is its length, then width x height big-endian pixels), not by ecm.
#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "ecm/engine/beam_center.hpp"
#include "ecm/engine/center_tracking.hpp"
#include "ecm/registration/ring_fit.hpp"

using namespace ecm;

namespace {

struct MibFrames {
  std::size_t width = 0, height = 0, count = 0;
  std::vector<double> values;  // count x height x width
};

MibFrames read_mib(const std::string& name) {
  const std::string path = std::string(ECM_REAL_DATA_DIR) + "/merlin/" + name;
  std::ifstream in(path, std::ios::binary);
  INFO("test data " << path << " (the shared/ folder beside the checkout)");
  REQUIRE(in.good());
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // "MQ1,000001,00384,01,0256,0256,U08,...": header length, width, height, pixel type.
  std::vector<std::string> field;
  std::stringstream header(std::string(bytes.begin(), bytes.begin() + 64));
  for (std::string f; std::getline(header, f, ',');) field.push_back(f);
  MibFrames m;
  const std::size_t header_bytes = std::stoul(field[2]);
  m.width = std::stoul(field[4]);
  m.height = std::stoul(field[5]);
  const std::size_t pixel_bytes = field[6] == "U08" ? 1 : field[6] == "U16" ? 2 : 4;
  const std::size_t record = header_bytes + m.width * m.height * pixel_bytes;
  m.count = bytes.size() / record;
  for (std::size_t f = 0; f < m.count; ++f)
    for (std::size_t p = 0; p < m.width * m.height; ++p) {
      std::size_t v = 0;
      for (std::size_t b = 0; b < pixel_bytes; ++b) v = (v << 8) | bytes[f * record + header_bytes + p * pixel_bytes + b];
      m.values.push_back(double(v));
    }
  return m;
}

std::vector<double> sum_frames(const MibFrames& m, std::size_t first, std::size_t n) {
  std::vector<double> sum(m.width * m.height, 0.0);
  for (std::size_t f = first; f < first + n; ++f)
    for (std::size_t p = 0; p < sum.size(); ++p) sum[p] += m.values[f * sum.size() + p];
  return sum;
}

}  // namespace

TEST_CASE("a saturated direct beam on a real Merlin acquisition is found on the beam, not its halo", "[ring][real]") {
  const auto m = read_mib("001_4x2_6bit.mib");
  REQUIRE(m.count == 8);
  REQUIRE(m.width == 256);
  const auto mean = sum_frames(m, 0, m.count);
  // Reference: a least-squares circle through the edge of the saturated disc (pixels
  // saturated in all 8 frames), leaving out the detector's border, which cuts the disc.
  const double full = 63.0 * 8;
  std::vector<double> ex, ey;
  const auto saturated = [&](long y, long x) {
    return y >= 0 && x >= 0 && y < long(m.height) && x < long(m.width) && mean[std::size_t(y) * m.width + std::size_t(x)] >= full;
  };
  for (long y = 1; y + 1 < long(m.height); ++y)
    for (long x = 1; x + 1 < 70; ++x)
      if (y > 100 && saturated(y, x) &&
          !(saturated(y - 1, x) && saturated(y + 1, x) && saturated(y, x - 1) && saturated(y, x + 1)))
        ex.push_back(double(x)), ey.push_back(double(y));
  REQUIRE(ex.size() > 50);
  Eigen::MatrixXd A(ex.size(), 3);
  Eigen::VectorXd b(ex.size());
  for (std::size_t i = 0; i < ex.size(); ++i) {
    A(Eigen::Index(i), 0) = 2 * ex[i], A(Eigen::Index(i), 1) = 2 * ey[i], A(Eigen::Index(i), 2) = 1;
    b[Eigen::Index(i)] = ex[i] * ex[i] + ey[i] * ey[i];
  }
  const Eigen::Vector3d circle = A.colPivHouseholderQr().solve(b);
  const double ref_x = circle[0], ref_y = circle[1];

  const engine::RingAnnulus annulus{70.0, 120.0};
  const auto c = engine::direct_beam_center(mean, {}, m.height, m.width, annulus);
  REQUIRE(c.has_value());
  INFO("found (" << (*c)[0] << ", " << (*c)[1] << "), circle through the saturated edge (" << ref_y << ", " << ref_x << ")");
  CHECK(std::hypot((*c)[0] - ref_y, (*c)[1] - ref_x) < 3.0);

  // The 8 frames as 4 blocks of 2: the beam does not move over a 4 x 2 scan, and the
  // tracking gates apply no movement.
  engine::CenterPatterns patterns;
  patterns.det_y = m.height;
  patterns.det_x = m.width;
  for (std::size_t blk = 0; blk < 4; ++blk) {
    const auto s = sum_frames(m, 2 * blk, 2);
    patterns.sums.insert(patterns.sums.end(), s.begin(), s.end());
    patterns.block_cycle.push_back(2.0 * double(blk) + 0.5);
    patterns.frames.push_back(2);
  }
  engine::CenterSettings settings;
  settings.start = *c;
  settings.start_source = "attribute";
  settings.annulus = annulus;
  settings.ellipse_mode = engine::EllipseMode::off;
  engine::Registration reg;
  reg.n_t = 8;
  engine::track_center(patterns, settings, reg);
  INFO(reg.center_method);
  CHECK(reg.center_method.find("direct-beam centroid") != std::string::npos);
  CHECK_FALSE(reg.center_moved);
  CHECK(reg.center(7)[0] == (*c)[0]);
}

TEST_CASE("a hot pixel on an empty real Merlin acquisition is neither a beam nor a ring", "[ring][real]") {
  const auto m = read_mib("002_merlin_test_roi_sig256x128_nav4x2_hot_pixel_52x_39y.mib");
  REQUIRE(m.count == 8);
  REQUIRE(m.width == 256);
  REQUIRE(m.height == 128);
  const auto mean = sum_frames(m, 0, m.count);
  CHECK(mean[39 * m.width + 52] > 0);  // the hot pixel, decoded where the file's name says
  const engine::RingAnnulus annulus{20.0, 60.0};
  CHECK_FALSE(engine::direct_beam_center(mean, {}, m.height, m.width, annulus).has_value());
  registration::RingFitOptions o;
  o.center_guess = registration::ring_centroid(mean, {}, m.height, m.width);
  o.r_lo = annulus.r_lo;
  o.r_hi = annulus.r_hi;
  const auto ring = registration::fit_ring(mean, {}, m.height, m.width, o);
  INFO(ring.why);
  CHECK((!ring.ok || ring.significance < 10));
}
