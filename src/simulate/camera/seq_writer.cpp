// `ecm simulate --format seq`: a StreamPix .seq as DE's StreamPix 4.3 writes it (header v5,
// records of image + timestamp padded to 8192 bytes, the first at byte 8192), with the dark
// and gain references as float32 MRC (`<path>.dark.mrc`, `.gain.mrc`) and the bad pixels in
// a `<path>.Config.Metadata.xml`, as in ../shared/testdata/real/de/streampix_64x64/.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/io/sources/de_config.hpp"
#include "ecm/io/sources/seq_header.hpp"
#include "ecm/simulate/seq_writer.hpp"

namespace ecm::simulate {

namespace {

using io::sources::SeqHeader;

// Timestamps start at this second (2022-08-11, when the DE samples were taken).
constexpr std::int64_t kEpochSecond = 1660243750;
// Bytes of records assembled per pwrite.
constexpr std::size_t kChunkBytes = std::size_t(8) << 20;

// A reference as DE writes it: MRC mode 2 (float32), one nx x ny image, little-endian.
void write_float_mrc(const std::string& path, std::size_t ny, std::size_t nx, const std::vector<float>& v,
                     const std::string& what) {
  if (v.size() != ny * nx)
    throw InputError("the " + what + " reference has " + std::to_string(v.size()) + " values, the frames " +
                     std::to_string(ny * nx));
  std::string h(1024, '\0');
  auto put_i = [&](std::size_t at, std::int32_t x) {
    io::to_native(&x, 1, 4, io::ByteOrder::little);
    std::memcpy(&h[at], &x, 4);
  };
  auto put_f = [&](std::size_t at, float x) {
    io::to_native(&x, 1, 4, io::ByteOrder::little);
    std::memcpy(&h[at], &x, 4);
  };
  float lo = v.empty() ? 0.f : v[0], hi = lo;
  double sum = 0;
  for (float x : v) lo = std::min(lo, x), hi = std::max(hi, x), sum += x;
  put_i(0, std::int32_t(nx)), put_i(4, std::int32_t(ny)), put_i(8, 1), put_i(12, 2);  // nx ny nz mode
  put_i(28, std::int32_t(nx)), put_i(32, std::int32_t(ny)), put_i(36, 1);           // mx my mz
  put_f(40, float(nx)), put_f(44, float(ny)), put_f(48, 1.f);                        // cell lengths
  put_f(52, 90.f), put_f(56, 90.f), put_f(60, 90.f);                                 // cell angles
  put_i(64, 1), put_i(68, 2), put_i(72, 3);                                          // axis order
  put_f(76, lo), put_f(80, hi), put_f(84, float(v.empty() ? 0 : sum / double(v.size())));
  std::memcpy(&h[208], "MAP ", 4);
  h[212] = 0x44, h[213] = 0x44;  // little-endian machine stamp
  std::string data(v.size() * 4, '\0');
  std::memcpy(&data[0], v.data(), data.size());
  io::to_native(&data[0], v.size(), 4, io::ByteOrder::little);
  io::write_text_file(path, h + data);
}

SeqHeader layout_for(const CameraFileSpec& spec, int version) {
  if (spec.type == io::PixelType::f32)
    throw InputError(spec.path + ": a .seq holds 8, 16 or 32-bit integer pixels, not float32");
  if (version != 4 && version != 5) throw InputError("a .seq header version is 4 or 5, not " + std::to_string(version));
  if (spec.det_y == 0 || spec.det_x == 0 || spec.det_x > (1u << 16) || spec.det_y > (1u << 16))
    throw InputError(spec.path + ": frames of " + std::to_string(spec.det_y) + "x" + std::to_string(spec.det_x) +
                     " pixels do not fit a .seq");
  if (spec.n_frames() > 0xffffffffu) throw InputError(spec.path + ": more frames than a .seq header can count");
  SeqHeader h;
  h.version = version;
  h.width = std::uint32_t(spec.det_x);
  h.height = std::uint32_t(spec.det_y);
  h.bit_depth = h.bit_depth_real = std::uint32_t(8 * io::pixel_bytes(spec.type));
  h.image_bytes = std::uint32_t(spec.det_y * spec.det_x * io::pixel_bytes(spec.type));
  h.allocated_frames = std::uint32_t(spec.n_frames());
  // v5: StreamPix's 8192-byte alignment; v4 starts after the header, records padded to 512.
  h.data_offset = version >= 5 ? io::sources::kSeqV5Alignment : io::sources::kSeqHeaderBytes;
  h.true_image_size = std::uint32_t(io::sources::seq_record_stride(h.image_bytes, version >= 5 ? h.data_offset : 512));
  h.frame_rate = spec.frame_time_s > 0 ? 1.0 / spec.frame_time_s : 0;
  return h;
}

class SeqWriter final : public CameraFileWriter {
 public:
  explicit SeqWriter(const CameraFileSpec& spec)
      : spec_(spec),
        header_(io::sources::read_seq_header(io::RawFile(spec.path))),
        file_(spec.path, io::RawOutputFile::Mode::existing) {}

  void write_frames(std::size_t first, std::size_t count, const void* frames) override {
    if (first + count > header_.allocated_frames)
      throw Error(spec_.path + ": frames [" + std::to_string(first) + ", " + std::to_string(first + count) +
                  ") written, the file holds " + std::to_string(header_.allocated_frames));
    const std::size_t stride = header_.true_image_size, image = header_.image_bytes;
    const std::size_t per_chunk = std::max<std::size_t>(1, kChunkBytes / stride);
    const auto* src = static_cast<const unsigned char*>(frames);
    std::vector<unsigned char> buf;
    for (std::size_t done = 0; done < count;) {
      const std::size_t n = std::min(per_chunk, count - done);
      buf.assign(n * stride, 0);
      for (std::size_t i = 0; i < n; ++i) {
        unsigned char* rec = buf.data() + i * stride;
        std::memcpy(rec, src + (done + i) * image, image);
        io::to_native(rec, image / (header_.bit_depth / 8), header_.bit_depth / 8, io::ByteOrder::little);
        io::sources::encode_seq_timestamp(timestamp(first + done + i), header_.version, rec + image);
      }
      file_.write_at(header_.record_offset(first + done), buf.size(), buf.data());
      done += n;
    }
  }

 private:
  // Frame f = (t * NY + y) * NX + x is taken at t * time_step + (y * NX + x) * frame_time.
  io::sources::SeqTimestamp timestamp(std::size_t f) const {
    const std::size_t positions = spec_.scan_y * spec_.scan_x;
    double t = double(f) * spec_.frame_time_s;
    if (positions > 0 && spec_.time_step_s > 0)
      t = double(f / positions) * spec_.time_step_s + double(f % positions) * spec_.frame_time_s;
    const auto us = std::int64_t(std::llround(t * 1e6));
    io::sources::SeqTimestamp s;
    s.seconds = kEpochSecond + us / 1000000;
    s.ms = std::uint32_t(us % 1000000 / 1000);
    s.us = std::uint32_t(us % 1000);
    return s;
  }

  CameraFileSpec spec_;
  SeqHeader header_;
  io::RawOutputFile file_;
};

}  // namespace

void prepare_seq_version(const CameraFileSpec& spec, int version) {
  const SeqHeader h = layout_for(spec, version);
  const std::uint64_t size = h.record_offset(h.allocated_frames);
  {
    const io::RawOutputFile file(spec.path, io::RawOutputFile::Mode::create);
    const auto bytes = io::sources::encode_seq_header(h, "ecm simulate");
    file.write_at(0, bytes.size(), bytes.data());
    file.resize(size);
  }
  // Companions named after the file; stale ones from an earlier run would be read as ours.
  const std::string dark = spec.path + ".dark.mrc", gain = spec.path + ".gain.mrc";
  const std::string xml = spec.path + ".Config.Metadata.xml";
  for (const auto* p : {&dark, &gain, &xml}) std::remove(p->c_str());
  if (!spec.dark.empty()) write_float_mrc(dark, spec.det_y, spec.det_x, spec.dark, "dark");
  if (!spec.gain.empty()) write_float_mrc(gain, spec.det_y, spec.det_x, spec.gain, "gain");
  if (!spec.bad_pixels.empty()) {
    if (spec.bad_pixels.size() != spec.det_y * spec.det_x)
      throw InputError("the bad-pixel map has " + std::to_string(spec.bad_pixels.size()) + " values, the frames " +
                       std::to_string(spec.det_y * spec.det_x));
    io::write_text_file(xml, io::sources::de_config_xml(spec.det_y, spec.det_x, h.frame_rate, h.allocated_frames,
                                               spec.bad_pixels));
  }
}

void prepare_seq(const CameraFileSpec& spec) { prepare_seq_version(spec, 5); }

std::unique_ptr<CameraFileWriter> open_seq_writer(const CameraFileSpec& spec) {
  return std::make_unique<SeqWriter>(spec);
}

}  // namespace ecm::simulate
