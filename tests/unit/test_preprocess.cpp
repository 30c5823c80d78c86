// Preprocessing: dark, gain, threshold and mask, in that order.
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <vector>

#include "ecm/kernels/convert.hpp"
#include "ecm/kernels/preprocess.hpp"

using namespace ecm;

TEST_CASE("preprocess subtracts dark, multiplies gain, thresholds and masks", "[preprocess]") {
  const std::vector<float> dark{1, 2, 3, 4}, gain{2, 0.5f, 1, 1}, mask{0, 0, 0, 1};
  auto c = preprocess::make_corrections<MemSpace>(dark, gain, mask, 1.5f);
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> frames("frames", 2, 4);
  auto h = Kokkos::create_mirror_view(frames);
  const float raw[2][4] = {{3, 10, 4, 100}, {1, 4, 5.4f, 4}};
  for (int f = 0; f < 2; ++f)
    for (int p = 0; p < 4; ++p) h(f, p) = raw[f][p];
  Kokkos::deep_copy(frames, h);
  preprocess::apply(ExecSpace(), frames, c);
  Kokkos::deep_copy(h, frames);
  // (3-1)*2=4; (10-2)*0.5=4; 4-3=1 < 1.5 -> 0; masked -> 0
  CHECK(h(0, 0) == Approx(4));
  CHECK(h(0, 1) == Approx(4));
  CHECK(h(0, 2) == 0);
  CHECK(h(0, 3) == 0);
  // 0 -> 0; (4-2)*0.5 = 1 < 1.5 -> 0; 5.4-3 = 2.4 kept
  CHECK(h(1, 0) == 0);
  CHECK(h(1, 1) == 0);
  CHECK(h(1, 2) == Approx(2.4));
}

TEST_CASE("preprocess without references is the identity above threshold", "[preprocess]") {
  auto c = preprocess::make_corrections<MemSpace>({}, {}, {}, 0.0f);
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> frames("frames", 1, 3);
  auto h = Kokkos::create_mirror_view(frames);
  h(0, 0) = 0;
  h(0, 1) = 7;
  h(0, 2) = 65535;
  Kokkos::deep_copy(frames, h);
  preprocess::apply(ExecSpace(), frames, c);
  Kokkos::deep_copy(h, frames);
  CHECK(h(0, 1) == 7);
  CHECK(h(0, 2) == 65535);
}

TEST_CASE("stored detector values convert to float for every input type", "[preprocess]") {
  auto check_type = [](auto sample, h5::DType dtype) {
    using T = decltype(sample);
    const std::vector<T> values{T(0), T(1), T(7), T(200), sample};
    Kokkos::View<unsigned char*, MemSpace> raw("raw", values.size() * sizeof(T));
    auto rh = Kokkos::create_mirror_view(raw);
    std::memcpy(rh.data(), values.data(), values.size() * sizeof(T));
    Kokkos::deep_copy(raw, rh);
    Kokkos::View<float*, MemSpace> out("out", values.size());
    convert::to_float(ExecSpace(), dtype, raw.data(), out.data(), values.size());
    auto oh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    for (std::size_t i = 0; i < values.size(); ++i) CHECK(oh(i) == static_cast<float>(values[i]));
  };
  check_type(std::uint8_t(255), h5::DType::u8);
  check_type(std::uint16_t(65535), h5::DType::u16);
  check_type(std::uint32_t(4000000), h5::DType::u32);
  check_type(2.5f, h5::DType::f32);
}

// Issue 14, class 2: one NaN pixel in float32 frames reached the polar bins (and before that
// crashed the run). A NaN or Inf value is read as 0 counts; other values are as before.
TEST_CASE("NaN and Inf frame values read as 0 counts, other float values pass unchanged", "[preprocess]") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  auto c = preprocess::make_corrections<MemSpace>({}, {}, {}, 0.0f);
  c.screen_nonfinite = true;  // float frames
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> frames("frames", 1, 6);
  auto h = Kokkos::create_mirror_view(frames);
  const float raw[6] = {nan, inf, -inf, -2.5f, 7.0f, 3.0e38f};
  for (int p = 0; p < 6; ++p) h(0, p) = raw[p];
  Kokkos::deep_copy(frames, h);
  preprocess::apply(ExecSpace(), frames, c);
  Kokkos::deep_copy(h, frames);
  CHECK(h(0, 0) == 0.0f);
  CHECK(h(0, 1) == 0.0f);
  CHECK(h(0, 2) == 0.0f);
  CHECK(h(0, 3) == -2.5f);  // no threshold, no reference: a negative float value is kept, as before
  CHECK(h(0, 4) == 7.0f);
  CHECK(h(0, 5) == 3.0e38f);
}

TEST_CASE("a gain that overflows a float reads as 0 counts, not Inf", "[preprocess]") {
  const std::vector<float> gain{1e30f, 1.0f};
  const auto c = preprocess::make_corrections<MemSpace>({}, gain, {}, 0.0f);  // integer frames: no screen asked
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> frames("frames", 1, 2);
  auto h = Kokkos::create_mirror_view(frames);
  h(0, 0) = 4.0e9f;  // * 1e30 = Inf in float
  h(0, 1) = 5.0f;
  Kokkos::deep_copy(frames, h);
  preprocess::apply(ExecSpace(), frames, c);
  Kokkos::deep_copy(h, frames);
  CHECK(h(0, 0) == 0.0f);
  CHECK(h(0, 1) == 5.0f);
}

TEST_CASE("NaN or Inf in a dark or gain reference masks that pixel", "[preprocess]") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<float> gain{1.0f, nan, 2.0f, inf}, mask;
  CHECK(preprocess::mask_nonfinite(gain, 1.0f, mask) == 2);
  CHECK(gain == std::vector<float>{1.0f, 1.0f, 2.0f, 1.0f});
  CHECK(mask == std::vector<float>{0.0f, 1.0f, 0.0f, 1.0f});
  std::vector<float> dark{-inf, 0.5f, 0.0f, 0.0f};
  CHECK(preprocess::mask_nonfinite(dark, 0.0f, mask) == 1);  // into the same mask
  CHECK(dark == std::vector<float>{0.0f, 0.5f, 0.0f, 0.0f});
  CHECK(mask == std::vector<float>{1.0f, 1.0f, 0.0f, 1.0f});
  std::vector<float> clean{1.0f, 2.0f}, no_mask;
  CHECK(preprocess::mask_nonfinite(clean, 1.0f, no_mask) == 0);
  CHECK(no_mask.empty());  // a clean reference adds no mask
}
