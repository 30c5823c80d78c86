#pragma once
// Quantum Detectors Merlin (Medipix3) files: the .mib holds frames one after another, each an
// ASCII header "MQ1,..." padded with NULs to the length the header states (384 bytes for one
// chip, 768 for a quad), then the pixels. Beside it, an optional acquisition header (.hdr:
// "HDR,", then "Key:\tValue" lines, CR LF). Field positions as real Merlin files hold them
// (shared/testdata/real/merlin):
//
//   MQ1, sequence, header length, chips, width, height, depth (U01 U08 U16 U32 U64 R64),
//   layout ("   1x1", "   2x2"), chip select (hex), local time "YYYY-MM-DD hh:mm:ss.uuuuuu",
//   shutter time [s], counter, colour mode, gain mode, 8 thresholds, per chip "3RX" + 27 DACs,
//   then the extension "MQ1A", UTC time "YYYY-MM-DDThh:mm:ss.nnnnnnnnnZ", shutter "<n>ns",
//   counter depth (1, 6, 12, 24).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ecm::io::sources {

struct MibFrameHeader {
  std::size_t sequence = 0;          // the camera's 1-based frame number
  std::size_t header_bytes = 0;      // offset of the pixels from the start of the record
  std::size_t chips = 0;
  std::size_t width = 0, height = 0; // pixels as stored (raw quad: the 4 chips side by side, 1024 x 256)
  std::string depth;                 // "U08", "U16", "U32", "U01", "U64", "R64"
  std::string layout;                // "1x1", "2x2", "4x1", ... (spaces trimmed)
  double shutter_s = 0;              // exposure of the frame
  std::optional<int> counter_depth;  // bits per pixel counter, from the MQ1A extension
  // Time of the frame in ns since 1970: the MQ1A UTC time (ns), else the local time (us).
  std::optional<std::int64_t> time_ns;

  // Same frame geometry and pixel format (what every frame of one file must share).
  bool same_format(const MibFrameHeader& o) const;
  // "256 x 128 U16, 1x1, 384-byte header" for messages.
  std::string summary() const;
};

// The header length a record states (its third field), from at least its first 32 bytes.
// Throws InputError "<where>: ..." when the bytes are not an MQ1 header.
std::size_t mib_header_length(const unsigned char* bytes, std::size_t n, const std::string& where);
// Parses a whole frame header (n = its header_bytes). Throws InputError "<where>: ..." on a
// malformed one.
MibFrameHeader parse_mib_frame_header(const unsigned char* bytes, std::size_t n, const std::string& where);

// The facts of the acquisition header ecm uses; absent when the .hdr does not say.
struct MibAcquisitionHeader {
  std::optional<std::size_t> frames;              // "Frames in Acquisition (Number)"
  std::optional<std::size_t> frames_per_trigger;  // "Frames per Trigger (Number)": the scan width
  std::optional<std::size_t> scan_x, scan_y;      // "ScanX", "ScanY" (newer Merlin software)
  std::optional<int> counter_depth;               // "Counter Depth (number)"
};

// Parses the text of a .hdr; throws InputError naming `path` when it is not a Merlin header.
MibAcquisitionHeader parse_mib_hdr(const std::string& text, const std::string& path);
// The acquisition header beside a .mib: its extension replaced by .hdr (appended if none).
std::string mib_hdr_path(const std::string& mib_path);
// The .mib an acquisition header belongs to.
std::string mib_data_path(const std::string& hdr_path);

// ns since 1970 of a civil UTC time (proleptic Gregorian); and back, as "YYYY-MM-DD hh:mm:ss"
// plus the fraction of a second in ns.
std::int64_t mib_civil_to_ns(int year, int month, int day, int hour, int minute, int second, std::int64_t ns);
struct MibCivilTime {
  int year, month, day, hour, minute, second;
  std::int64_t ns;
};
MibCivilTime mib_ns_to_civil(std::int64_t t_ns);

// What ecm simulate writes: a single-chip (1x1) frame header of exactly 384 bytes with the
// fields of the real files, for a frame of `width` x `height` pixels of `depth` (U08, U16,
// U32) taken at `time_ns` with exposure `shutter_s`.
std::string format_mib_frame_header(std::size_t sequence, std::size_t width, std::size_t height,
                                    const std::string& depth, int counter_depth, double shutter_s,
                                    std::int64_t time_ns);
// A .hdr as Merlin writes it (CR LF lines, padded with spaces to 2048 bytes), for `frames`
// frames of `frames_per_trigger` frames per trigger (the scan width) in a scan_y x scan_x scan.
std::string format_mib_hdr(std::size_t frames, std::size_t frames_per_trigger, std::size_t scan_x,
                           std::size_t scan_y, int counter_depth, std::int64_t start_ns);

}  // namespace ecm::io::sources
