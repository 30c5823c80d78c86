// Merlin frame headers and acquisition headers: parsing (the reader) and formatting (ecm
// simulate). Field layout: see mib_header.hpp.
#include "ecm/core/units.hpp"
#include "ecm/io/sources/mib_header.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <vector>

#include "ecm/core/error.hpp"

namespace ecm::io::sources {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}


// A whole number written in decimal digits only (the headers zero-pad them: "00384").
std::optional<std::size_t> digits(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + std::size_t(c - '0');
  }
  return v;
}

// Reads `count` decimal digits at s[at], advancing `at`.
bool take_digits(const std::string& s, std::size_t& at, std::size_t count, int& out) {
  if (at + count > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = s[at + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  at += count;
  return true;
}

bool take_char(const std::string& s, std::size_t& at, char c) {
  if (at >= s.size() || s[at] != c) return false;
  ++at;
  return true;
}

// "YYYY-MM-DD<sep>hh:mm:ss[.fraction][Z]" to ns since 1970; nullopt when it is not one.
std::optional<std::int64_t> parse_time(const std::string& s, char sep) {
  std::size_t at = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!(take_digits(s, at, 4, y) && take_char(s, at, '-') && take_digits(s, at, 2, mo) && take_char(s, at, '-') &&
        take_digits(s, at, 2, d) && take_char(s, at, sep) && take_digits(s, at, 2, h) && take_char(s, at, ':') &&
        take_digits(s, at, 2, mi) && take_char(s, at, ':') && take_digits(s, at, 2, sec)))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  // A damaged year: ns since 1970 in 64 bits reach only 1677-2262, and no camera wrote before 1970.
  if (y < 1970 || y > 2200) return std::nullopt;
  std::int64_t frac_ns = 0;
  if (take_char(s, at, '.')) {
    std::int64_t scale = 100000000;  // the first fraction digit is 1e8 ns
    std::size_t n = 0;
    for (; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++n) {
      if (scale > 0) frac_ns += (s[at] - '0') * scale;
      scale /= 10;
    }
    if (n == 0) return std::nullopt;
  }
  take_char(s, at, 'Z');
  if (at != s.size()) return std::nullopt;
  return mib_civil_to_ns(y, mo, d, h, mi, sec, frac_ns);
}

// Days since 1970-01-01 of a proleptic Gregorian date (the standard era-based conversion).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::int64_t mib_civil_to_ns(int year, int month, int day, int hour, int minute, int second, std::int64_t ns) {
  const std::int64_t days = days_from_civil(year, month, day);
  return ((days * 24 + hour) * 60 + minute) * 60 * 1000000000LL + std::int64_t(second) * 1000000000LL + ns;
}

MibCivilTime mib_ns_to_civil(std::int64_t t_ns) {
  std::int64_t secs = t_ns / 1000000000LL, ns = t_ns % 1000000000LL;
  if (ns < 0) ns += 1000000000LL, secs -= 1;
  std::int64_t days = secs / 86400, sod = secs % 86400;
  if (sod < 0) sod += 86400, days -= 1;
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = int(doy - (153 * mp + 2) / 5 + 1);
  const int m = int(mp < 10 ? mp + 3 : mp - 9);
  const int y = int(yoe + era * 400 + (m <= 2));
  return {y, m, d, int(sod / 3600), int(sod / 60 % 60), int(sod % 60), ns};
}

bool MibFrameHeader::same_format(const MibFrameHeader& o) const {
  return header_bytes == o.header_bytes && chips == o.chips && width == o.width && height == o.height &&
         depth == o.depth && layout == o.layout && counter_depth == o.counter_depth;
}

std::string MibFrameHeader::summary() const {
  return std::to_string(width) + " x " + std::to_string(height) + " " + depth + ", " + layout + ", " +
         std::to_string(header_bytes) + "-byte header";
}

std::size_t mib_header_length(const unsigned char* bytes, std::size_t n, const std::string& where) {
  const std::string head(reinterpret_cast<const char*>(bytes), std::min<std::size_t>(n, 32));
  if (head.compare(0, 4, "MQ1,") != 0) throw InputError(where + ": no Merlin frame header here (does not start with \"MQ1,\")");
  const auto f = split(head, ',');
  const auto len = f.size() > 3 ? digits(f[2]) : std::nullopt;
  if (!len) throw InputError(where + ": the frame header's length field is not a number");
  // The fields before the pixels take ~300 bytes for one chip; nothing real is near 1 MiB.
  if (*len < 64 || *len > (1u << 20))
    throw InputError(where + ": the frame header says it is " + std::to_string(*len) + " bytes long (not a Merlin header)");
  return *len;
}

MibFrameHeader parse_mib_frame_header(const unsigned char* bytes, std::size_t n, const std::string& where) {
  const auto* text_end = static_cast<const unsigned char*>(std::memchr(bytes, 0, n));
  const std::string text(reinterpret_cast<const char*>(bytes), text_end ? std::size_t(text_end - bytes) : n);
  const auto f = split(text, ',');
  if (f.size() < 11 || f[0] != "MQ1") throw InputError(where + ": not a Merlin frame header (\"MQ1,\" and 11 fields)");
  auto number = [&](std::size_t i, const char* name) {
    const auto v = digits(f[i]);
    if (!v) throw InputError(where + ": frame header field " + name + " is '" + f[i] + "', not a whole number");
    return *v;
  };
  MibFrameHeader h;
  h.sequence = number(1, "sequence number");
  h.header_bytes = number(2, "header length");
  h.chips = number(3, "chip count");
  h.width = number(4, "width");
  h.height = number(5, "height");
  h.depth = f[6];
  h.layout = trim(f[7]);
  if (h.header_bytes != n)
    throw InputError(where + ": the frame header says it is " + std::to_string(h.header_bytes) +
                     " bytes long, the first frame's header " + std::to_string(n));
  if (h.width == 0 || h.height == 0 || h.width > 65536 || h.height > 65536 || h.chips == 0)
    throw InputError(where + ": frame header says " + std::to_string(h.width) + " x " + std::to_string(h.height) +
                     " pixels on " + std::to_string(h.chips) + " chips (not a frame)");
  static const char* const known[] = {"U01", "U08", "U16", "U32", "U64", "R64"};
  if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return h.depth == k; }))
    throw InputError(where + ": unknown pixel depth '" + h.depth + "' (Merlin writes U01, U08, U16, U32, U64 or R64)");
  char* end = nullptr;
  h.shutter_s = std::strtod(f[10].c_str(), &end);
  if (end == f[10].c_str() || !std::isfinite(h.shutter_s) || h.shutter_s < 0)
    throw InputError(where + ": the frame header's shutter time '" + f[10] + "' is not a time in seconds");
  h.time_ns = parse_time(f[9], ' ');
  // The extension after the per-chip DACs: a UTC time to the ns, the shutter in ns, the counter depth.
  for (std::size_t i = 11; i < f.size(); ++i) {
    if (f[i] != "MQ1A") continue;
    if (i + 1 < f.size())
      if (const auto t = parse_time(f[i + 1], 'T')) h.time_ns = t;
    if (i + 3 < f.size())
      if (const auto d = digits(f[i + 3])) h.counter_depth = int(*d);
    break;
  }
  return h;
}

MibAcquisitionHeader parse_mib_hdr(const std::string& text, const std::string& path) {
  if (text.compare(0, 4, "HDR,") != 0)
    throw InputError(path + ": not a Merlin acquisition header (does not start with \"HDR,\")");
  MibAcquisitionHeader a;
  for (const std::string& raw : split(text, '\n')) {
    const std::string line = trim(raw);
    if (line == "End") break;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    auto whole = [&]() {
      const auto v = digits(value);
      if (!v) throw InputError(path + ": '" + key + "' is '" + value + "', not a whole number");
      return *v;
    };
    if (key == "Frames in Acquisition (Number)") a.frames = whole();
    else if (key == "Frames per Trigger (Number)") a.frames_per_trigger = whole();
    else if (key == "ScanX") a.scan_x = whole();
    else if (key == "ScanY") a.scan_y = whole();
    else if (key == "Counter Depth (number)") a.counter_depth = int(whole());
  }
  return a;
}

std::string mib_hdr_path(const std::string& mib_path) {
  const auto slash = mib_path.rfind('/');
  const auto dot = mib_path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return mib_path + ".hdr";
  return mib_path.substr(0, dot) + ".hdr";
}

std::string mib_data_path(const std::string& hdr_path) {
  const auto slash = hdr_path.rfind('/');
  const auto dot = hdr_path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return hdr_path + ".mib";
  return hdr_path.substr(0, dot) + ".mib";
}

namespace {

// Fields the real single-chip files carry that ecm has no values of: thresholds [keV] and the
// chip's DAC settings, as a Medipix3RX camera wrote them (shared/testdata/real/merlin/002_...).
constexpr const char* kThresholds = "1.200000E+1,5.110000E+2,0.000000E+0,0.000000E+0,0.000000E+0,0.000000E+0,0.000000E+0,0.000000E+0";
constexpr const char* kDacs = "023,511,000,000,000,000,000,000,100,255,100,125,100,100,080,100,090,030,128,004,255,126,128,174,172,511,511";
constexpr std::size_t kSingleChipHeader = 384;

}  // namespace

std::string format_mib_frame_header(std::size_t sequence, std::size_t width, std::size_t height,
                                    const std::string& depth, int counter_depth, double shutter_s,
                                    std::int64_t time_ns) {
  const MibCivilTime t = mib_ns_to_civil(time_ns);
  char local[64], utc[64];
  std::snprintf(local, sizeof local, "%04d-%02d-%02d %02d:%02d:%02d.%06lld", t.year, t.month, t.day, t.hour, t.minute,
                t.second, static_cast<long long>(t.ns / 1000));
  std::snprintf(utc, sizeof utc, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", t.year, t.month, t.day, t.hour, t.minute,
                t.second, static_cast<long long>(t.ns));
  char text[kSingleChipHeader + 1];
  const int n = std::snprintf(text, sizeof text, "MQ1,%06zu,%05zu,01,%04zu,%04zu,%s,   1x1,01,%s,%.6f,0,0,0,%s,3RX,%s,MQ1A,%s,%lldns,%d,",
                              sequence, kSingleChipHeader, width, height, depth.c_str(), local, shutter_s, kThresholds,
                              kDacs, utc, static_cast<long long>(std::llround(shutter_s * 1e9)), counter_depth);
  if (n < 0 || std::size_t(n) >= kSingleChipHeader) throw Error("internal: a Merlin frame header longer than 384 bytes");
  std::string header(text, std::size_t(n));
  header.resize(kSingleChipHeader, '\0');
  return header;
}

std::string format_mib_hdr(std::size_t frames, std::size_t frames_per_trigger, std::size_t scan_x,
                           std::size_t scan_y, int counter_depth, std::int64_t start_ns) {
  const MibCivilTime t = mib_ns_to_civil(start_ns);
  char date[64];
  std::snprintf(date, sizeof date, "%02d/%02d/%04d %02d:%02d:%02d", t.day, t.month, t.year, t.hour, t.minute, t.second);
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"HDR,", ""},
      {"Time and Date Stamp (day, mnth, yr, hr, min, s):", date},
      {"Chip ID:", "ECM_SIM, - , - , - "},
      {"Chip Type (Medipix 3.0, Medipix 3.1, Medipix 3RX):", "Medipix 3RX"},
      {"Assembly Size (NX1, 2X2):", "   1x1"},
      {"Chip Mode  (SPM, CSM, CM, CSCM):", "SPM"},
      {"Counter Depth (number):", std::to_string(counter_depth)},
      {"Gain:", "SLGM"},
      {"Active Counters:", "Counter 0"},
      {"Thresholds (keV):", kThresholds},
      {"DACs:", std::string(kDacs) + "; ; ; "},
      {"bpc File:", "None,,,"},
      {"DAC File:", "None,,,"},
      {"Gap Fill Mode:", "None"},
      {"Flat Field File:", "None"},
      {"Dead Time File:", "Dummy (C:\\<NUL>\\)"},
      {"Acquisition Type (Normal, Th_scan, Config):", "Normal"},
      {"Frames in Acquisition (Number):", std::to_string(frames)},
      {"Frames per Trigger (Number):", std::to_string(frames_per_trigger)},
      {"Trigger Start (Positive, Negative, Internal):", "Internal"},
      {"Trigger Stop (Positive, Negative, Internal):", "Internal"},
      {"Sensor Bias (V):", "120 V"},
      {"Sensor Polarity (Positive, Negative):", "Positive"},
      {"Temperature (C):", "Board Temp 0.000000 Deg C"},
      {"Humidity (%):", "Board Humidity 0.000000 "},
      {"Medipix Clock (MHz):", "120MHz"},
      {"Readout System:", "Merlin Quad"},
      {"Software Version:", "ecm simulate"},
      {"ScanX:", std::to_string(scan_x)},
      {"ScanY:", std::to_string(scan_y)},
  };
  std::string text;
  for (const auto& [key, value] : lines) text += key + "\t" + value + "\r\n";
  text += "End\t";
  if (text.size() < 2048) text.resize(2048, ' ');
  return text;
}

}  // namespace ecm::io::sources
