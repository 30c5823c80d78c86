// Direct Electron's Config.Metadata.xml: a tolerant scan of elements and attributes, the
// <FileInfo> values and the <BadPixelMap> defects, and the bad-pixel mask of an image.
#include "ecm/core/units.hpp"
#include "ecm/io/regular_file.hpp"
#include "ecm/io/sources/de_config.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ecm/core/error.hpp"

namespace ecm::io::sources {

namespace {

struct Element {
  std::string name, parent;
  std::map<std::string, std::string> attrs;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Every start (or empty) element with its attributes and the name of the element around it.
// Comments, processing instructions and declarations are skipped; a malformed tail ends the scan.
std::vector<Element> scan_elements(const std::string& x) {
  std::vector<Element> out;
  std::vector<std::string> open;
  std::size_t i = 0;
  auto skip_past = [&](const char* end) {
    const auto at = x.find(end, i);
    i = at == std::string::npos ? x.size() : at + std::string(end).size();
  };
  while ((i = x.find('<', i)) != std::string::npos) {
    if (x.compare(i, 4, "<!--") == 0) { skip_past("-->"); continue; }
    if (x.compare(i, 2, "<?") == 0) { skip_past("?>"); continue; }
    if (x.compare(i, 2, "<!") == 0) { skip_past(">"); continue; }
    if (x.compare(i, 2, "</") == 0) {
      const auto end = x.find('>', i);
      std::string name = x.substr(i + 2, end == std::string::npos ? std::string::npos : end - i - 2);
      while (!name.empty() && is_space(name.back())) name.pop_back();
      // Close up to the matching element; a stray end tag closes nothing.
      for (std::size_t k = open.size(); k-- > 0;)
        if (open[k] == name) { open.resize(k); break; }
      i = end == std::string::npos ? x.size() : end + 1;
      continue;
    }
    ++i;
    Element e;
    while (i < x.size() && !is_space(x[i]) && x[i] != '/' && x[i] != '>') e.name += x[i++];
    e.parent = open.empty() ? std::string() : open.back();
    bool closed = false, ended = false;
    while (i < x.size()) {
      while (i < x.size() && is_space(x[i])) ++i;
      if (i >= x.size()) break;
      if (x[i] == '>') { ++i; ended = true; break; }
      if (x[i] == '/') { ++i; closed = true; continue; }
      std::string key, value;
      while (i < x.size() && !is_space(x[i]) && x[i] != '=' && x[i] != '>' && x[i] != '/') key += x[i++];
      while (i < x.size() && is_space(x[i])) ++i;
      if (i < x.size() && x[i] == '=') {
        ++i;
        while (i < x.size() && is_space(x[i])) ++i;
        if (i < x.size() && (x[i] == '"' || x[i] == '\'')) {
          const char q = x[i++];
          const auto end = x.find(q, i);
          value = x.substr(i, end == std::string::npos ? std::string::npos : end - i);
          i = end == std::string::npos ? x.size() : end + 1;
        } else {
          while (i < x.size() && !is_space(x[i]) && x[i] != '>') value += x[i++];
        }
      }
      if (!key.empty()) e.attrs[key] = value;
    }
    if (!ended) break;  // the file ends inside a tag
    if (!e.name.empty()) {
      out.push_back(e);
      if (!closed) open.push_back(e.name);
    }
  }
  return out;
}


bool parse_index(const std::string& s, std::size_t& v) {
  const std::string t = trim(s);
  if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 9) return false;
  v = std::size_t(std::stoul(t));
  return true;
}

// "12" or "10-152" (inclusive).
bool parse_range(const std::string& s, std::optional<std::size_t>& first, std::optional<std::size_t>& last) {
  const auto dash = s.find('-');
  std::size_t a, b;
  if (dash == std::string::npos) {
    if (!parse_index(s, a)) return false;
    first = last = a;
    return true;
  }
  if (!parse_index(s.substr(0, dash), a) || !parse_index(s.substr(dash + 1), b) || b < a) return false;
  first = a;
  last = b;
  return true;
}

std::string element_text(const Element& e) {
  std::string t = "<" + e.name;
  for (const auto& [k, v] : e.attrs) t += " " + k + "=\"" + v + "\"";
  return t + " />";
}

std::optional<std::string> attr(const Element& e, const std::string& key) {
  const auto it = e.attrs.find(key);
  if (it == e.attrs.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::optional<double> DeConfig::number(const std::string& name) const {
  const auto it = file_info.find(name);
  if (it == file_info.end()) return std::nullopt;
  const std::string t = trim(it->second);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return std::nullopt;
  return v;
}

DeConfig read_de_config(const std::string& path) {
  require_regular_file(path);  // an ifstream on a FIFO blocks
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  DeConfig c;
  c.path = path;
  const auto elements = scan_elements(text);
  if (elements.empty()) throw InputError(path + ": not an XML file (no element found)");
  for (const auto& e : elements) {
    if (e.parent == "FileInfo") {
      if (const auto v = attr(e, "Value")) c.file_info[e.name] = *v;
    } else if (e.name == "BadPixelMap") {
      std::size_t v;
      if (const auto r = attr(e, "Rows"); r && parse_index(*r, v)) c.map_rows = v;
      if (const auto r = attr(e, "Columns"); r && parse_index(*r, v)) c.map_cols = v;
    } else if (e.name == "Defect" && e.parent == "BadPixelMap") {
      DeDefect d;
      d.text = element_text(e);
      bool ok = true;
      const auto row = attr(e, "Row") ? attr(e, "Row") : attr(e, "Rows");
      const auto col = attr(e, "Column") ? attr(e, "Column") : attr(e, "Columns");
      if (row) ok = ok && parse_range(*row, d.row_first, d.row_last);
      if (col) ok = ok && parse_range(*col, d.col_first, d.col_last);
      if (const auto p = attr(e, "pattern")) {
        d.pattern = trim(*p);
        ok = ok && !d.pattern.empty() && d.pattern.find_first_not_of("01") == std::string::npos;
      }
      ok = ok && (row || col);
      if (ok)
        c.defects.push_back(d);
      else
        c.notes.push_back(path + ": defect " + d.text + " not understood, ignored");
    }
  }
  return c;
}

std::vector<std::uint8_t> de_bad_pixel_mask(const DeConfig& c, std::size_t det_y, std::size_t det_x,
                                            std::string& note) {
  const double off_y = c.number("ImageOffsetY").value_or(0), off_x = c.number("ImageOffsetX").value_or(0);
  const double binning = c.number("ImageBinning").value_or(1);
  const std::string where = "the " + std::to_string(det_y) + "x" + std::to_string(det_x) + " image at (" +
                            std::to_string(long(off_y)) + ", " + std::to_string(long(off_x)) + ")";
  const std::string listed = c.path.substr(c.path.rfind('/') + 1) + " lists " + std::to_string(c.defects.size()) +
                             (c.defects.size() == 1 ? " defect" : " defects") +
                             (c.map_rows && c.map_cols
                                  ? " on the " + std::to_string(*c.map_rows) + "x" + std::to_string(*c.map_cols) + " sensor"
                                  : std::string());
  if (c.defects.empty()) {
    note.clear();
    return {};
  }
  if (binning != 1 || off_y < 0 || off_x < 0) {
    note = listed + "; with ImageBinning " + std::to_string(long(binning)) + " they are not mapped onto the image";
    return {};
  }
  const std::size_t oy = std::size_t(off_y), ox = std::size_t(off_x);
  std::vector<std::uint8_t> mask(det_y * det_x, 0);
  std::size_t bad = 0;
  for (const auto& d : c.defects) {
    // Sensor ranges clipped to the image [o, o + n); an absent coordinate spans the image.
    const std::size_t r0 = d.row_first.value_or(oy), r1 = d.row_last.value_or(oy + det_y - 1);
    const std::size_t c0 = d.col_first.value_or(ox), c1 = d.col_last.value_or(ox + det_x - 1);
    const bool along_cols = d.col_first && d.col_last != d.col_first;
    for (std::size_t r = std::max(r0, oy); r <= r1 && r < oy + det_y; ++r)
      for (std::size_t q = std::max(c0, ox); q <= c1 && q < ox + det_x; ++q) {
        if (!d.pattern.empty()) {
          const std::size_t k = along_cols ? q - c0 : r - r0;
          if (d.pattern[k % d.pattern.size()] != '1') continue;
        }
        auto& m = mask[(r - oy) * det_x + (q - ox)];
        bad += m == 0;
        m = 1;
      }
  }
  note = listed + ": " + std::to_string(bad) + " bad pixels in " + where;
  if (bad == 0) return {};
  return mask;
}

std::string de_config_xml(std::size_t det_y, std::size_t det_x, double frame_rate, std::size_t frames,
                          const std::vector<std::uint8_t>& bad) {
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\" ?>\n<Configuration>\n"
    << "    <BadPixels>\n        <BadPixelMap Rows=\"" << det_y << "\" Columns=\"" << det_x << "\">\n";
  for (std::size_t r = 0; r < det_y && bad.size() == det_y * det_x; ++r)
    for (std::size_t q = 0; q < det_x;) {
      if (!bad[r * det_x + q]) { ++q; continue; }
      std::size_t e = q;
      while (e + 1 < det_x && bad[r * det_x + e + 1]) ++e;
      if (e == q)
        x << "            <Defect Column=\"" << q << "\" Row=\"" << r << "\" />\n";
      else
        x << "            <Defect Columns=\"" << q << "-" << e << "\" Row=\"" << r << "\" />\n";
      q = e + 1;
    }
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.17g", frame_rate);
  x << "        </BadPixelMap>\n    </BadPixels>\n    <FileInfo>\n"
    << "        <ImageSizeX Value=\"" << det_x << "\" />\n        <ImageSizeY Value=\"" << det_y << "\" />\n"
    << "        <ImageOffsetX Value=\"0\" />\n        <ImageOffsetY Value=\"0\" />\n"
    << "        <ImageBinning Value=\"1\" />\n        <FrameRate Value=\"" << rate << "\" />\n"
    << "        <SegmentPreBuffer Value=\"1\" />\n        <TotalFrames Value=\"" << frames << "\" />\n"
    << "    </FileInfo>\n</Configuration>\n";
  return x.str();
}

}  // namespace ecm::io::sources
