// `ecm simulate --format mrc`: an MRC2014 stack with the header a DE-Server writes for its
// movies (the sample 20241021_00405_movie.mrc: "MAP DD", nversion 20140, ispg 1, mz = nz),
// one image per frame. DE-Server writes movies as mode 6 (uint16) or 2 (float32): uint16
// frames go as mode 6, uint8 widened to mode 6, float32 as mode 2, and uint32 as mode 2,
// which holds every count below 2^24 exactly (a larger count is refused, not rounded).
// A path ending in `_movie.mrc` also gets the DE-Server `_info.txt` with the scan size,
// repeats and frame rate; other names are plain stacks, whose scan the reader is told.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/simulate/camera_writer.hpp"

namespace ecm::simulate {

namespace {

constexpr std::uint64_t kHeaderBytes = 1024;
constexpr std::uint32_t kExactFloatLimit = 1u << 24;  // float32 holds every integer up to here

int mode_of(io::PixelType t) { return t == io::PixelType::u16 || t == io::PixelType::u8 ? 6 : 2; }
std::size_t stored_bytes(io::PixelType t) { return mode_of(t) == 6 ? 2 : 4; }

using io::base_name;
using io::ends_with;

void put_int(std::vector<unsigned char>& h, std::size_t at, std::int32_t v) {
  io::to_native(&v, 1, 4, io::ByteOrder::little);  // the same swap turns native into little-endian
  std::memcpy(h.data() + at, &v, 4);
}
void put_float(std::vector<unsigned char>& h, std::size_t at, float v) {
  io::to_native(&v, 1, 4, io::ByteOrder::little);
  std::memcpy(h.data() + at, &v, 4);
}

std::vector<unsigned char> mrc_header(const CameraFileSpec& spec) {
  std::vector<unsigned char> h(kHeaderBytes, 0);
  const auto nx = std::int32_t(spec.det_x), ny = std::int32_t(spec.det_y), nz = std::int32_t(spec.n_frames());
  put_int(h, 0, nx);
  put_int(h, 4, ny);
  put_int(h, 8, nz);
  put_int(h, 12, mode_of(spec.type));
  put_int(h, 28, nx);  // mx, my, mz: sampling of the cell, one per pixel
  put_int(h, 32, ny);
  put_int(h, 36, nz);
  put_float(h, 40, float(nx));  // cell: 1 A per pixel (the frames are diffraction patterns)
  put_float(h, 44, float(ny));
  put_float(h, 48, float(nz));
  for (std::size_t at : {52, 56, 60}) put_float(h, at, 90.0f);
  put_int(h, 64, 1);  // mapc, mapr, maps: columns x, rows y, sections z
  put_int(h, 68, 2);
  put_int(h, 72, 3);
  // dmax < dmin and rms < 0: "not computed" in MRC2014, as DE-Server leaves them.
  put_float(h, 76, 2.0f);
  put_float(h, 80, 1.0f);
  put_int(h, 88, 1);  // ispg 1, as DE-Server writes its movies
  put_int(h, 108, 20140);  // nversion
  std::memcpy(h.data() + 208, "MAP ", 4);
  h[212] = 0x44;  // machine stamp: little-endian
  h[213] = 0x44;
  put_float(h, 216, -1.0f);
  const char label[] = "ecm simulate";
  put_int(h, 220, 1);  // nlabl
  std::memcpy(h.data() + 224, label, sizeof(label) - 1);
  return h;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// DE-Server's info file: "<key padded to 64 columns>= <value>", keys in alphabetical order.
void write_info(const CameraFileSpec& spec, const std::string& path) {
  std::map<std::string, std::string> kv;
  kv["Server Software Version"] = "ecm simulate";
  kv["Autosave Movie"] = "Save";
  kv["Autosave Movie File Format"] = "MRC";
  kv["Autosave Movie Frames File Path"] = base_name(spec.path);
  kv["Autosave Movie Frames Written"] = std::to_string(spec.n_frames());
  kv["Frame Count"] = std::to_string(spec.n_frames());
  kv["Image Size X (pixels)"] = std::to_string(spec.det_x);
  kv["Image Size Y (pixels)"] = std::to_string(spec.det_y);
  kv["Scan - Enable"] = "Enable";
  kv["Scan - ROI Enable"] = "Disable";
  kv["Scan - Type"] = "Raster";
  kv["Scan - Size X"] = std::to_string(spec.scan_x);
  kv["Scan - Size Y"] = std::to_string(spec.scan_y);
  kv["Scan - Points"] = std::to_string(spec.scan_x * spec.scan_y);
  kv["Scan - Repeats"] = std::to_string(spec.cycles);
  kv["Scan - Camera Frames Per Point"] = "1";
  if (spec.frame_time_s > 0) {
    kv["Frames Per Second"] = number(1.0 / spec.frame_time_s);
    kv["Frame Time (nanoseconds)"] = number(spec.frame_time_s * 1e9);
    const double per_scan = spec.frame_time_s * double(spec.scan_x * spec.scan_y);
    kv["Scan - Time Per Scan (seconds)"] = number(per_scan);
    kv["Scan - Dwell Time (microseconds)"] = number(spec.frame_time_s * 1e6);
    // The reader's time step is time per scan + repeat delay.
    if (spec.time_step_s > per_scan) kv["Scan - Repeat Delay (seconds)"] = number(spec.time_step_s - per_scan);
    else kv["Scan - Repeat Delay (seconds)"] = "0";
  }
  std::string text;
  for (const auto& [k, v] : kv) {
    std::string key = k;
    key.resize(std::max<std::size_t>(64, k.size()), ' ');  // "%-64s": keys padded to 64 columns
    text += key + "=" + (v.empty() ? "" : " ") + v + "\n";
  }
  io::write_text_file(path, text);
}

class MrcWriter final : public CameraFileWriter {
 public:
  explicit MrcWriter(const CameraFileSpec& spec) : spec_(spec), file_(spec.path, io::RawOutputFile::Mode::existing) {}

  void write_frames(std::size_t first, std::size_t count, const void* frames) override {
    if (first > spec_.n_frames() || count > spec_.n_frames() - first)
      throw Error(spec_.path + ": frames " + std::to_string(first) + " + " + std::to_string(count) +
                  " are beyond the " + std::to_string(spec_.n_frames()) + " prepared");
    const std::size_t n = count * spec_.det_y * spec_.det_x;
    const std::size_t bytes = n * stored_bytes(spec_.type);
    buffer_.resize(bytes);
    switch (spec_.type) {
      case io::PixelType::u16:
      case io::PixelType::f32: std::memcpy(buffer_.data(), frames, bytes); break;
      case io::PixelType::u8: {
        const auto* in = static_cast<const std::uint8_t*>(frames);
        for (std::size_t i = 0; i < n; ++i) {
          const std::uint16_t v = in[i];
          std::memcpy(buffer_.data() + 2 * i, &v, 2);
        }
        break;
      }
      case io::PixelType::u32: {
        const auto* in = static_cast<const std::uint32_t*>(frames);
        for (std::size_t i = 0; i < n; ++i) {
          if (in[i] > kExactFloatLimit)
            throw InputError(spec_.path + ": count " + std::to_string(in[i]) + " in frame " +
                             std::to_string(first + i / (spec_.det_y * spec_.det_x)) +
                             " is above 2^24, which MRC float32 cannot hold exactly");
          const float v = float(in[i]);
          std::memcpy(buffer_.data() + 4 * i, &v, 4);
        }
        break;
      }
    }
    io::to_native(buffer_.data(), n, stored_bytes(spec_.type), io::ByteOrder::little);
    const std::uint64_t image = std::uint64_t(spec_.det_y) * spec_.det_x * stored_bytes(spec_.type);
    file_.write_at(kHeaderBytes + first * image, bytes, buffer_.data());
  }

 private:
  CameraFileSpec spec_;
  io::RawOutputFile file_;
  std::vector<unsigned char> buffer_;
};

}  // namespace

void prepare_mrc(const CameraFileSpec& spec) {
  if (spec.det_x == 0 || spec.det_y == 0 || spec.det_x > (1u << 20) || spec.det_y > (1u << 20))
    throw InputError(spec.path + ": MRC frames of " + std::to_string(spec.det_y) + " x " + std::to_string(spec.det_x) +
                     " px are not possible");
  if (spec.n_frames() == 0 || spec.n_frames() > std::size_t(INT32_MAX))
    throw InputError(spec.path + ": " + std::to_string(spec.n_frames()) +
                     " frames do not fit an MRC header (nz is a 32-bit count)");
  const auto header = mrc_header(spec);
  const io::RawOutputFile file(spec.path, io::RawOutputFile::Mode::create);
  file.write_at(0, header.size(), header.data());
  file.resize(kHeaderBytes + std::uint64_t(spec.n_frames()) * spec.det_y * spec.det_x * stored_bytes(spec.type));
  if (ends_with(spec.path, "_movie.mrc"))
    write_info(spec, spec.path.substr(0, spec.path.size() - std::string("_movie.mrc").size()) + "_info.txt");
}

std::unique_ptr<CameraFileWriter> open_mrc_writer(const CameraFileSpec& spec) {
  return std::make_unique<MrcWriter>(spec);
}

}  // namespace ecm::simulate
