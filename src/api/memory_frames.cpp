#include "ecm/api/memory_frames.hpp"

#include <cstring>
#include <limits>

#include "ecm/core/error.hpp"

namespace ecm::api {

namespace {

io::PixelType pixel_type(FrameArray::Type t) {
  switch (t) {
    case FrameArray::Type::u8: return io::PixelType::u8;
    case FrameArray::Type::u16: return io::PixelType::u16;
    case FrameArray::Type::u32: return io::PixelType::u32;
    case FrameArray::Type::f32: return io::PixelType::f32;
  }
  throw InputError("frames in memory: unknown pixel type");
}

class MemoryFrameSource final : public io::FrameSource {
 public:
  explicit MemoryFrameSource(const FrameArray& f) : data_(static_cast<const unsigned char*>(f.data)), name_(f.name) {
    const auto& s = f.shape;
    shape_.type = pixel_type(f.type);
    shape_.det_y = s[3];
    shape_.det_x = s[4];
    shape_.n_frames = s[0] * s[1] * s[2];
    meta_.scan_shape = std::array<std::size_t, 2>{s[1], s[2]};
    meta_.cycles = s[0];
    // 0 = not given, as a file without the attribute (AnalysisOptions::calibration may give it).
    if (f.time_step_s != 0) meta_.time_step_s = f.time_step_s;
    if (f.k_pixel_size != 0) meta_.k_pixel_size = f.k_pixel_size;
    if (f.convergence != 0) meta_.convergence = f.convergence;
    meta_.beam_center_yx = f.beam_center_yx;
  }
  std::string format() const override { return "memory"; }
  std::string description() const override {
    return name_ + ": " + std::to_string(shape_.n_frames) + " frames of " + std::to_string(shape_.det_y) + "x" +
           std::to_string(shape_.det_x) + " " + io::pixel_type_name(shape_.type) + " in memory";
  }
  const io::FrameShape& shape() const override { return shape_; }
  const io::SourceMetadata& metadata() const override { return meta_; }
  void read_frames(const io::FrameRun* runs, std::size_t n_runs, void* out) const override {
    unsigned char* to = static_cast<unsigned char*>(out);
    const std::size_t frame_bytes = shape_.frame_bytes();
    for (std::size_t i = 0; i < n_runs; ++i) {
      require(runs[i].first <= shape_.n_frames && runs[i].count <= shape_.n_frames - runs[i].first,
              name_ + ": frames " + std::to_string(runs[i].first) + "+" + std::to_string(runs[i].count) +
                  " lie outside the array of " + std::to_string(shape_.n_frames));
      std::memcpy(to, data_ + runs[i].first * frame_bytes, runs[i].count * frame_bytes);
      to += runs[i].count * frame_bytes;
    }
  }

 private:
  const unsigned char* data_;
  std::string name_;
  io::FrameShape shape_;
  io::SourceMetadata meta_;
};

}  // namespace

std::shared_ptr<const io::FrameSource> make_memory_source(const FrameArray& frames) {
  require(frames.data != nullptr, "FrameArray '" + frames.name + "': no data");
  double elements = 1;
  for (std::size_t e : frames.shape) {
    require(e >= 1, "FrameArray '" + frames.name + "': every extent of (n_t, scan_y, scan_x, det_y, det_x) must be >= 1");
    elements *= double(e);
  }
  require(elements * 4 < double(std::numeric_limits<std::size_t>::max()), "FrameArray '" + frames.name + "': too large");
  return std::make_shared<MemoryFrameSource>(frames);
}

}  // namespace ecm::api
