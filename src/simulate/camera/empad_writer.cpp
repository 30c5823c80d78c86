// `ecm simulate --format empad`: the EMPAD software's pair, an .xml in the layout of the 0.5x
// software (the sample map4x4.xml: <type>scan</type>, <pix_x>/<pix_y>, <raw_file/>, and the
// "acquire" <scan_parameters> that 1.2.x readers look at) and a .raw of 128 x 130 float32
// records per frame, the 2 metadata rows zero. Only 128 x 128 frames exist on an EMPAD.
// Counts are written as float32: uint8/uint16 exactly, uint32 up to 2^24 (above that a count
// is refused, not rounded).
// Names: a path ending in .raw is the .raw and the xml is beside it with .xml; any other
// path is the xml and the .raw is named after it (X.xml -> X.raw, X -> X.raw).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/io/sources/empad_xml.hpp"
#include "ecm/simulate/camera_writer.hpp"

namespace ecm::simulate {

namespace {

using io::base_name;
using io::ends_with;
using io::sources::kEmpadColumns;
using io::sources::kEmpadPixelRows;
using io::sources::kEmpadRecordBytes;
constexpr std::uint32_t kExactFloatLimit = 1u << 24;



struct EmpadNames {
  std::string xml, raw;
};

EmpadNames names_of(const std::string& path) {
  if (ends_with(path, ".raw")) return {path.substr(0, path.size() - 4) + ".xml", path};
  return {path, (ends_with(path, ".xml") ? path.substr(0, path.size() - 4) : path) + ".raw"};
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

void write_xml(const CameraFileSpec& spec, const EmpadNames& names) {
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string name = base_name(names.xml);
  if (ends_with(name, ".xml")) name.resize(name.size() - 4);
  const std::string nx = std::to_string(spec.scan_x), ny = std::to_string(spec.scan_y);
  char timestamp[64], exposure[64];
  std::snprintf(timestamp, sizeof timestamp, "%.6f", now);
  // The EMPAD software writes the exposure in ms (1 in the samples).
  std::snprintf(exposure, sizeof exposure, "%.17g", spec.frame_time_s * 1e3);
  const std::string xml = "<root name=\"" + xml_escape(name) + "\"><timestamp timestamp=\"" + timestamp +
                          "\"/><software_version>ecm simulate</software_version><type>scan</type><pix_x>" + nx +
                          "</pix_x><pix_y>" + ny + "</pix_y><raw_file filename=\"" + xml_escape(base_name(names.raw)) +
                          "\"/><exposure_time>" + exposure +
                          "</exposure_time><post_exposure_time>0</post_exposure_time>"
                          "<scan_parameters mode=\"acquire\"><scan_resolution_x>" + nx +
                          "</scan_resolution_x><scan_resolution_y>" + ny +
                          "</scan_resolution_y></scan_parameters></root>\n";
  io::write_text_file(names.xml, xml);
}

class EmpadWriter final : public CameraFileWriter {
 public:
  explicit EmpadWriter(const CameraFileSpec& spec)
      : spec_(spec), raw_(names_of(spec.path).raw), file_(raw_, io::RawOutputFile::Mode::existing) {}

  void write_frames(std::size_t first, std::size_t count, const void* frames) override {
    if (first > spec_.n_frames() || count > spec_.n_frames() - first)
      throw Error(raw_ + ": frames " + std::to_string(first) + " + " + std::to_string(count) + " are beyond the " +
                  std::to_string(spec_.n_frames()) + " prepared");
    constexpr std::size_t pixels = kEmpadColumns * kEmpadPixelRows;
    to_float(frames, count * pixels, first);
    records_.assign(count * kEmpadRecordBytes, 0);  // the metadata rows stay zero
    for (std::size_t f = 0; f < count; ++f)
      std::memcpy(records_.data() + f * kEmpadRecordBytes, values_.data() + f * pixels, pixels * 4);
    io::to_native(records_.data(), records_.size() / 4, 4, io::ByteOrder::little);
    file_.write_at(std::uint64_t(first) * kEmpadRecordBytes, records_.size(), records_.data());
  }

 private:
  template <class T>
  void widen(const void* frames, std::size_t n) {
    const T* in = static_cast<const T*>(frames);
    for (std::size_t i = 0; i < n; ++i) values_[i] = float(in[i]);
  }

  void to_float(const void* frames, std::size_t n, std::size_t first) {
    values_.resize(n);
    switch (spec_.type) {
      case io::PixelType::u8: return widen<std::uint8_t>(frames, n);
      case io::PixelType::u16: return widen<std::uint16_t>(frames, n);
      case io::PixelType::f32: return widen<float>(frames, n);
      case io::PixelType::u32: {
        const auto* in = static_cast<const std::uint32_t*>(frames);
        for (std::size_t i = 0; i < n; ++i)
          if (in[i] > kExactFloatLimit)
            throw InputError(raw_ + ": count " + std::to_string(in[i]) + " in frame " +
                             std::to_string(first + i / (kEmpadColumns * kEmpadPixelRows)) +
                             " is above 2^24, which EMPAD float32 cannot hold exactly");
        return widen<std::uint32_t>(frames, n);
      }
    }
  }

  CameraFileSpec spec_;
  std::string raw_;
  io::RawOutputFile file_;
  std::vector<float> values_;
  std::vector<unsigned char> records_;
};

}  // namespace

void prepare_empad(const CameraFileSpec& spec) {
  if (spec.det_y != kEmpadPixelRows || spec.det_x != kEmpadColumns)
    throw InputError(spec.path + ": EMPAD frames are 128 x 128 pixels, not " + std::to_string(spec.det_y) + " x " +
                     std::to_string(spec.det_x) + " (give --detector 128,128)");
  if (spec.n_frames() == 0) throw InputError(spec.path + ": no frames to write");
  const EmpadNames names = names_of(spec.path);
  io::RawOutputFile(names.raw, io::RawOutputFile::Mode::create).resize(std::uint64_t(spec.n_frames()) * kEmpadRecordBytes);
  write_xml(spec, names);
}

std::unique_ptr<CameraFileWriter> open_empad_writer(const CameraFileSpec& spec) {
  return std::make_unique<EmpadWriter>(spec);
}

}  // namespace ecm::simulate
