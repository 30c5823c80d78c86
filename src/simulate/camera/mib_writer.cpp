// `ecm simulate --format mib`: a Merlin .mib as a single-chip camera writes it, every frame a
// 384-byte "MQ1," header then big-endian counts (U08 / U16 / U32), and the .hdr beside it with
// frames per trigger = the scan width. Rank 0 creates and sizes the file; every rank then
// writes its frames, each with its header, by one positioned write per call.

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ecm/core/error.hpp"
#include "ecm/io/sources/mib_header.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/simulate/camera_writer.hpp"

namespace ecm::simulate {

namespace {

using io::sources::format_mib_frame_header;
using io::sources::format_mib_hdr;
using io::sources::mib_hdr_path;

constexpr std::size_t kHeaderBytes = 384;
constexpr std::size_t kWriteBlockBytes = std::size_t(32) << 20;
// Frame 0's time: a fixed date, so that the same simulation gives the same bytes.
const std::int64_t kStartNs = io::sources::mib_civil_to_ns(2024, 1, 1, 0, 0, 0, 0);

struct MibFormat {
  std::string depth;  // U08, U16, U32
  int counter_depth;  // what a Merlin records with that depth (6, 12, 24 bits)
};

MibFormat mib_format(const CameraFileSpec& spec) {
  switch (spec.type) {
    case io::PixelType::u8: return {"U08", 6};
    case io::PixelType::u16: return {"U16", 12};
    case io::PixelType::u32: return {"U32", 24};
    case io::PixelType::f32: break;
  }
  throw InputError(spec.path + ": Merlin .mib files store counts: cannot write float32 frames (use --dtype uint8, "
                               "uint16 or uint32)");
}

void check_spec(const CameraFileSpec& spec) {
  if (spec.det_y == 0 || spec.det_x == 0 || spec.det_y > 9999 || spec.det_x > 9999)
    throw InputError(spec.path + ": Merlin frames of " + std::to_string(spec.det_y) + " x " + std::to_string(spec.det_x) +
                     " pixels cannot be written (1 to 9999 a side)");
  if (spec.n_frames() == 0) throw InputError(spec.path + ": no frames to write");
  if (mib_hdr_path(spec.path) == spec.path)
    throw InputError(spec.path + ": name the .mib to write (its .hdr is written beside it)");
  if (!(spec.frame_time_s >= 0) || !(spec.time_step_s >= 0))
    throw InputError(spec.path + ": frame time and time step must be >= 0 s");
  mib_format(spec);
}

std::size_t record_bytes(const CameraFileSpec& spec) {
  return kHeaderBytes + spec.det_y * spec.det_x * io::pixel_bytes(spec.type);
}

// Frame i's time: its cycle starts every time step, its frames follow each other by the frame
// time within it (a cycle is longer than its frames: flyback, settling).
std::int64_t frame_time_ns(const CameraFileSpec& spec, std::size_t i) {
  const std::size_t per_cycle = spec.scan_y * spec.scan_x;
  const double t = double(i / per_cycle) * spec.time_step_s + double(i % per_cycle) * spec.frame_time_s;
  return kStartNs + std::llround(t * 1e9);
}

class MibWriter final : public CameraFileWriter {
 public:
  explicit MibWriter(const CameraFileSpec& spec)
      : spec_(spec), format_(mib_format(spec)), file_(spec.path, io::RawOutputFile::Mode::existing), stride_(record_bytes(spec)) {}

  void write_frames(std::size_t first, std::size_t count, const void* frames) override {
    if (first > spec_.n_frames() || count > spec_.n_frames() - first)
      throw Error("internal: frames [" + std::to_string(first) + ", " + std::to_string(first + count) + ") of " +
                  std::to_string(spec_.n_frames()) + " written to " + spec_.path);
    const std::size_t px = spec_.det_y * spec_.det_x, bytes = io::pixel_bytes(spec_.type);
    const std::size_t per_block = std::max<std::size_t>(1, kWriteBlockBytes / stride_);
    const auto* in = static_cast<const unsigned char*>(frames);
    for (std::size_t done = 0; done < count;) {
      const std::size_t k = std::min(per_block, count - done);
      buffer_.resize(k * stride_);
      for (std::size_t i = 0; i < k; ++i) {
        const std::size_t f = first + done + i;
        unsigned char* rec = buffer_.data() + i * stride_;
        const std::string h = format_mib_frame_header(f + 1, spec_.det_x, spec_.det_y, format_.depth,
                                                      format_.counter_depth, spec_.frame_time_s, frame_time_ns(spec_, f));
        std::memcpy(rec, h.data(), kHeaderBytes);
        // Native counts to big-endian: each value's bytes, most significant first.
        const unsigned char* src = in + (done + i) * px * bytes;
        unsigned char* dst = rec + kHeaderBytes;
        if (bytes == 1) std::memcpy(dst, src, px);
        for (std::size_t p = 0; bytes == 2 && p < px; ++p) {
          std::uint16_t v;
          std::memcpy(&v, src + 2 * p, 2);
          dst[2 * p] = std::uint8_t(v >> 8), dst[2 * p + 1] = std::uint8_t(v);
        }
        for (std::size_t p = 0; bytes == 4 && p < px; ++p) {
          std::uint32_t v;
          std::memcpy(&v, src + 4 * p, 4);
          v = __builtin_bswap32(v);
          std::memcpy(dst + 4 * p, &v, 4);
        }
      }
      file_.write_at(std::uint64_t(first + done) * stride_, buffer_.size(), buffer_.data());
      done += k;
    }
  }

 private:
  CameraFileSpec spec_;
  MibFormat format_;
  io::RawOutputFile file_;
  std::size_t stride_;
  std::vector<unsigned char> buffer_;
};

}  // namespace

void prepare_mib(const CameraFileSpec& spec) {
  check_spec(spec);
  const MibFormat f = mib_format(spec);
  // Sized for every record now; each record's header is written with its frame.
  io::RawOutputFile(spec.path, io::RawOutputFile::Mode::create).resize(std::uint64_t(spec.n_frames()) * record_bytes(spec));
  io::write_text_file(mib_hdr_path(spec.path),
                      format_mib_hdr(spec.n_frames(), spec.scan_x, spec.scan_x, spec.scan_y, f.counter_depth, kStartNs));
}

std::unique_ptr<CameraFileWriter> open_mib_writer(const CameraFileSpec& spec) {
  check_spec(spec);
  return std::make_unique<MibWriter>(spec);
}

}  // namespace ecm::simulate
