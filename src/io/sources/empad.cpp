// EMPAD .raw + .xml: frames of 128 x 130 little-endian float32 back to back, the last 2 rows
// of each being metadata that is dropped; the .xml names the .raw and says the scan. The
// path may name either file. A run of frames is one scatter read: the first 128 rows of each
// record into the output, the metadata rows into a small buffer that is dropped.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/io/sources/empad_xml.hpp"
#include "ecm/io/sources/formats.hpp"

namespace ecm::io::sources {

namespace {

constexpr std::size_t kPixelBytes = kEmpadColumns * kEmpadPixelRows * 4;



std::string num(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

// The EMPAD xmls in the .raw's directory that name it (the EMPAD software names the .raw
// after the scan, e.g. scan_x4_y4.raw, and the xml after the acquisition).
std::vector<EmpadXml> xmls_naming(const std::string& raw_path) {
  namespace fs = std::filesystem;
  std::vector<EmpadXml> found;
  std::error_code ec;
  const fs::path dir = fs::path(raw_path).parent_path().empty() ? fs::path(".") : fs::path(raw_path).parent_path();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path p = it->path();
    if (lower_extension(p.filename().string()) != "xml" || !it->is_regular_file(ec)) continue;
    const auto head = file_head(p.string(), kHeadBytes);
    if (!looks_like_empad_xml(std::string(head.begin(), head.end()))) continue;
    try {
      EmpadXml x = read_empad_xml(p.string());
      if (base_name(x.raw_file) == base_name(raw_path)) found.push_back(std::move(x));
    } catch (const InputError&) {
      // Another acquisition's broken xml says nothing about this .raw.
    }
  }
  std::sort(found.begin(), found.end(), [](const EmpadXml& a, const EmpadXml& b) { return a.path < b.path; });
  return found;
}

class EmpadSource final : public FrameSource {
 public:
  EmpadSource(RawFile raw, std::size_t n_frames, SourceMetadata meta, std::string description)
      : raw_(std::move(raw)), meta_(std::move(meta)), description_(std::move(description)) {
    shape_.det_y = kEmpadPixelRows;
    shape_.det_x = kEmpadColumns;
    shape_.type = PixelType::f32;
    shape_.n_frames = n_frames;
  }

  std::string format() const override { return "empad"; }
  std::string description() const override { return description_; }
  const FrameShape& shape() const override { return shape_; }
  const SourceMetadata& metadata() const override { return meta_; }

  void read_frames(const FrameRun* runs, std::size_t n_runs, void* out) const override {
    auto* dst = static_cast<unsigned char*>(out);
    for (std::size_t i = 0; i < n_runs;) {
      // Runs that continue one another are read together.
      std::size_t first = runs[i].first, count = runs[i].count, j = i + 1;
      while (j < n_runs && runs[j].first == first + count) count += runs[j++].count;
      i = j;
      if (first > shape_.n_frames || count > shape_.n_frames - first)
        throw Error(raw_.path() + ": frames " + std::to_string(first) + " .. " + std::to_string(first + count) +
                    " asked for, the file has " + std::to_string(shape_.n_frames));
      raw_.read_records(std::uint64_t(first) * kEmpadRecordBytes, count, kEmpadRecordBytes, 0, kPixelBytes, dst,
                        "frames " + std::to_string(first) + " .. " + std::to_string(first + count - 1));
      to_native(dst, count * kEmpadColumns * kEmpadPixelRows, 4, ByteOrder::little);
      dst += count * kPixelBytes;
    }
  }

 private:
  RawFile raw_;
  FrameShape shape_;
  SourceMetadata meta_;
  std::string description_;
};

// What the xml records without units ecm could rely on: told, not used.
std::string unused_values_note(const EmpadXml& x) {
  std::string s;
  auto add = [&](const char* name, const std::optional<double>& v) {
    if (v) s += std::string(s.empty() ? "" : ", ") + name + " " + num(*v);
  };
  add("exposure_time", x.exposure_time);
  add("calibrated_diffraction_angle", x.calibrated_diffraction_angle);
  add("calibrated_pixelsize", x.calibrated_pixelsize);
  add("high_voltage", x.high_voltage);
  if (s.empty()) return s;
  return x.path + ": " + s + " (no units given): not used as calibration (give --k-pixel-size and --time-step)";
}

}  // namespace

bool looks_like_empad(const std::string& path, const std::vector<unsigned char>& head) {
  if (looks_like_empad_xml(std::string(head.begin(), head.end()))) return true;
  const std::string ext = lower_extension(path);
  // A named .xml that is not there: the opener says so, naming it.
  if (ext == "xml" && !file_exists(path)) return true;
  if (ext != "raw" || !file_exists(path)) return false;
  if (head.size() >= 212 && std::memcmp(head.data() + 208, "MAP ", 4) == 0) return false;  // an MRC named .raw
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return !ec && size > 0 && size % kEmpadRecordBytes == 0;
}

std::unique_ptr<FrameSource> open_empad(const std::string& path, const SourceOptions& options) {
  (void)options;
  std::optional<EmpadXml> xml;
  std::string raw_path;
  SourceMetadata meta;
  const auto head = file_head(path, kHeadBytes);
  if (looks_like_empad_xml(std::string(head.begin(), head.end())) || lower_extension(path) == "xml") {
    if (!file_exists(path)) throw InputError(path + ": no such file (the EMPAD .xml)");
    xml = read_empad_xml(path);
    raw_path = empad_raw_path(*xml);
    if (!file_exists(raw_path))
      throw InputError(path + " names the frames file '" + xml->raw_file + "', but " + raw_path + " does not exist");
  } else {
    raw_path = path;
    auto found = xmls_naming(raw_path);
    if (found.empty()) {
      meta.notes.push_back(raw_path + ": no EMPAD .xml beside it names it: scan shape unknown (give --scan-shape)");
    } else {
      if (found.size() > 1)
        meta.notes.push_back(raw_path + ": " + std::to_string(found.size()) + " xmls name it: using " + found[0].path);
      xml = std::move(found[0]);
    }
  }

  RawFile raw(raw_path);
  if (raw.size() == 0 || raw.size() % kEmpadRecordBytes != 0)
    throw InputError(raw_path + ": " + std::to_string(raw.size()) +
                     " bytes is not a whole number of EMPAD frames of 128 x 130 float32 (" +
                     std::to_string(kEmpadRecordBytes) + " bytes each): " +
                     std::to_string(raw.size() / kEmpadRecordBytes) + " frames and " +
                     std::to_string(raw.size() % kEmpadRecordBytes) + " bytes over (truncated?)");
  const std::size_t in_file = std::size_t(raw.size() / kEmpadRecordBytes);
  std::size_t n_frames = in_file;

  std::string description = "EMPAD " + raw_path;
  meta.other_files.push_back(raw_path);
  if (xml) meta.other_files.push_back(xml->path);
  if (xml) {
    description += " (" + base_name(xml->path) +
                   (xml->software_version.empty() ? "" : ", EMPAD software " + xml->software_version) + ")";
    if (const std::string note = unused_values_note(*xml); !note.empty()) meta.notes.push_back(note);
    const std::string both = raw_path + " holds " + std::to_string(in_file) + " frames, but " + xml->path;
    if (xml->type == "series") {
      meta.scan_shape = std::array<std::size_t, 2>{1, 1};
      if (xml->series_count) {
        if (*xml->series_count > in_file)
          throw InputError(both + " says a series of " + std::to_string(*xml->series_count));
        if (*xml->series_count < in_file)
          meta.notes.push_back(raw_path + ": the frames after the series of " + std::to_string(*xml->series_count) +
                               " that " + base_name(xml->path) + " says are ignored");
        n_frames = *xml->series_count;
      }
      meta.cycles = n_frames;
      meta.notes.push_back(xml->path + ": a series of " + std::to_string(n_frames) +
                           " frames at one probe position: scan shape 1 x 1");
    } else if (xml->scan_shape) {
      const auto [ny, nx] = *xml->scan_shape;
      const std::size_t per_scan = ny * nx;
      if (in_file < per_scan)
        throw InputError(both + " says a scan of " + std::to_string(ny) + " x " + std::to_string(nx) + " (" +
                         std::to_string(per_scan) + " frames): truncated?");
      meta.scan_shape = xml->scan_shape;
      if (in_file % per_scan == 0) meta.cycles = in_file / per_scan;
      else
        meta.notes.push_back(raw_path + ": " + std::to_string(in_file) + " frames are not a whole number of " +
                             std::to_string(ny) + " x " + std::to_string(nx) + " scans (" +
                             std::to_string(in_file % per_scan) + " over)");
    } else {
      meta.notes.push_back(xml->path + ": no scan size (pix_x/pix_y or scan_parameters): give --scan-shape");
    }
  }
  description += ": " + std::to_string(n_frames) + " frames of 128 x 128 float32 (128 x 130 stored, 2 metadata rows dropped)";
  return std::make_unique<EmpadSource>(std::move(raw), n_frames, std::move(meta), std::move(description));
}

}  // namespace ecm::io::sources
