#pragma once
// EMPAD (Electron Microscope Pixel Array Detector) acquisitions: a `.raw` file of frames of
// 128 columns x 130 rows of little-endian float32 (the last 2 rows carry per-frame metadata,
// not pixels) and an `.xml` written by the EMPAD software that names the .raw
// (<raw_file filename="..."/>) and says the scan: <pix_x>/<pix_y> (0.5x software), the
// "acquire" <scan_parameters> (1.2.x software, which omits pix_x/pix_y), or
// <type>series</type> with a <count> for a time series at one probe position.
#include <array>
#include <cstddef>
#include <optional>
#include <string>

namespace ecm::io::sources {

constexpr std::size_t kEmpadColumns = 128;
constexpr std::size_t kEmpadRows = 130;       // as stored
constexpr std::size_t kEmpadPixelRows = 128;  // the frame ecm reads
constexpr std::size_t kEmpadRecordBytes = kEmpadColumns * kEmpadRows * 4;

struct EmpadXml {
  std::string path;              // the .xml
  std::string raw_file;          // as the xml names it
  std::string type;              // "scan", "series", or empty where the xml does not say (1.2.x)
  std::string software_version;  // as written
  std::optional<std::array<std::size_t, 2>> scan_shape;  // (NY, NX); (1, 1) for a series
  std::optional<std::size_t> series_count;               // frames of a series
  // Recorded, but not calibration ecm takes (the xml gives no units): reported as notes.
  std::optional<double> exposure_time, calibrated_diffraction_angle, calibrated_pixelsize, high_voltage;
};

// Parses `path`; throws InputError naming it when it cannot be read or is not an EMPAD xml
// (no <raw_file filename=.../>) or a scan size is not a whole number >= 1.
EmpadXml read_empad_xml(const std::string& path);

// The .raw the xml names, beside the xml (its directory part, if any, is dropped when the
// name is not found as given relative to the xml).
std::string empad_raw_path(const EmpadXml& xml);

// Does this text look like an EMPAD xml (its first bytes)?
bool looks_like_empad_xml(const std::string& text);

}  // namespace ecm::io::sources
