#pragma once
// Direct Electron's `<movie>.seq.Config.Metadata.xml`, written beside every StreamPix movie:
// the camera's settings (<FileInfo>: image size and offset on the sensor, frame rate, segment
// prebuffer) and its bad-pixel map (<BadPixels><BadPixelMap Rows= Columns=> with <Defect>
// elements). Read with a small tolerant scanner, not an XML library: only elements and
// their attributes matter, comments (which hold example defects) are skipped.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ecm::io::sources {

// One <Defect> as listed: each coordinate a single index or an inclusive range "a-b"; an
// absent coordinate means the whole sensor along it. `pattern` ("00110011") repeats along
// the range it accompanies, '1' marking a bad pixel.
struct DeDefect {
  std::optional<std::size_t> row_first, row_last, col_first, col_last;
  std::string pattern;
  std::string text;  // the element as written, for notes
};

struct DeConfig {
  std::string path;
  std::map<std::string, std::string> file_info;  // <FileInfo> children: name -> Value
  std::optional<std::size_t> map_rows, map_cols;  // <BadPixelMap Rows= Columns=>: sensor size
  std::vector<DeDefect> defects;
  std::vector<std::string> notes;  // defects that could not be understood

  // A <FileInfo> value as a number; empty when absent or not a number.
  std::optional<double> number(const std::string& name) const;
};

// Reads `path`; throws InputError naming it when it cannot be read or is not XML at all.
DeConfig read_de_config(const std::string& path);

// The bad pixels of an image of det_y x det_x pixels that sits at ImageOffsetY/X on the
// sensor (1 = bad), and one note on what was found; empty when the map lists no defect in
// the image. Defects are in sensor coordinates (the map is sensor-sized, 1024x1024 on the
// samples whose images are 64x64 or 256x256), so the image offset is subtracted.
std::vector<std::uint8_t> de_bad_pixel_mask(const DeConfig& c, std::size_t det_y, std::size_t det_x,
                                            std::string& note);

// A minimal Config.Metadata.xml in the samples' layout: <BadPixels> with one
// <Defect Columns="a-b" Row="r" /> per run of bad pixels along a row, and <FileInfo> with
// the image size (offset 0), the frame rate and the frame count.
std::string de_config_xml(std::size_t det_y, std::size_t det_x, double frame_rate, std::size_t frames,
                          const std::vector<std::uint8_t>& bad_pixels);

}  // namespace ecm::io::sources
