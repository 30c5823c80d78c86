// The EMPAD software's acquisition xml: one line of flat elements under <root>. Only a few
// elements matter, found by name; the text is small (4 kB in the samples), so plain string
// search does, and no XML library is needed.
#include "ecm/core/units.hpp"
#include "ecm/io/sources/empad_xml.hpp"

#include <cmath>
#include <cstdlib>

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"

namespace ecm::io::sources {

namespace {

struct Span {
  std::size_t begin = 0, end = std::string::npos;
};

// Position of the start tag "<tag" (followed by space, '>' or '/') in [span), or npos.
std::size_t find_start(const std::string& xml, const std::string& tag, std::size_t from, std::size_t end) {
  const std::string open = "<" + tag;
  for (std::size_t at = xml.find(open, from); at != std::string::npos && at < end; at = xml.find(open, at + 1)) {
    const std::size_t next = at + open.size();
    if (next < xml.size() && (xml[next] == ' ' || xml[next] == '>' || xml[next] == '/' || xml[next] == '\t' ||
                              xml[next] == '\n' || xml[next] == '\r'))
      return at;
  }
  return std::string::npos;
}

std::string unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities)
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + 1))
      s.replace(at, std::string(from).size(), to);
  return s;
}


// The start tag's text "<tag ...>" at `at`.
std::string start_tag_at(const std::string& xml, std::size_t at) {
  const auto close = xml.find('>', at);
  return close == std::string::npos ? xml.substr(at) : xml.substr(at, close - at + 1);
}

std::optional<std::string> attribute(const std::string& tag_text, const std::string& name) {
  for (std::size_t at = tag_text.find(name + "="); at != std::string::npos; at = tag_text.find(name + "=", at + 1)) {
    if (at == 0 || (tag_text[at - 1] != ' ' && tag_text[at - 1] != '\t')) continue;
    const std::size_t q = at + name.size() + 1;
    if (q >= tag_text.size() || (tag_text[q] != '"' && tag_text[q] != '\'')) continue;
    const auto close = tag_text.find(tag_text[q], q + 1);
    if (close == std::string::npos) return std::nullopt;
    return unescape(tag_text.substr(q + 1, close - q - 1));
  }
  return std::nullopt;
}

// The content of the first element `tag` in span (not a self-closing one).
std::optional<std::string> content(const std::string& xml, const std::string& tag, Span span = {}) {
  for (std::size_t at = find_start(xml, tag, span.begin, span.end); at != std::string::npos;
       at = find_start(xml, tag, at + 1, span.end)) {
    const std::string st = start_tag_at(xml, at);
    if (st.size() >= 2 && st[st.size() - 2] == '/') continue;
    const std::size_t body = at + st.size();
    const auto close = xml.find("</" + tag + ">", body);
    if (close == std::string::npos || close > span.end) return std::nullopt;
    return xml.substr(body, close - body);
  }
  return std::nullopt;
}

// The span of the first `tag` element whose start tag has attr="value" (any, if attr is empty).
std::optional<Span> element_with(const std::string& xml, const std::string& tag, const std::string& attr,
                                 const std::string& value) {
  for (std::size_t at = find_start(xml, tag, 0, std::string::npos); at != std::string::npos;
       at = find_start(xml, tag, at + 1, std::string::npos)) {
    const std::string st = start_tag_at(xml, at);
    if (!attr.empty() && attribute(st, attr) != std::optional<std::string>(value)) continue;
    const auto close = xml.find("</" + tag + ">", at + st.size());
    if (close == std::string::npos) continue;
    return Span{at + st.size(), close};
  }
  return std::nullopt;
}

std::optional<double> number(const EmpadXml& x, const std::string& xml, const std::string& tag, Span span = {}) {
  const auto text = content(xml, tag, span);
  if (!text) return std::nullopt;
  const std::string t = trim(*text);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(v))
    throw InputError(x.path + ": <" + tag + "> is '" + t + "', not a number");
  return v;
}

std::optional<std::size_t> whole(const EmpadXml& x, const std::string& xml, const std::string& tag, Span span = {}) {
  const auto v = number(x, xml, tag, span);
  if (!v) return std::nullopt;
  if (!(*v >= 1) || *v != std::floor(*v) || *v > 1e12)
    throw InputError(x.path + ": <" + tag + "> is " + trim(*content(xml, tag, span)) + ", not a whole number >= 1");
  return std::size_t(*v);
}

}  // namespace

bool looks_like_empad_xml(const std::string& text) {
  return text.find("<root") != std::string::npos && text.find("<raw_file") != std::string::npos;
}

EmpadXml read_empad_xml(const std::string& path) {
  RawFile file(path);
  constexpr std::uint64_t kMaxBytes = 16u << 20;  // the samples are 4 kB
  if (file.size() > kMaxBytes)
    throw InputError(path + ": " + std::to_string(file.size()) + " bytes is too large for an EMPAD xml");
  const auto bytes = file.read_at(0, std::size_t(file.size()), "the EMPAD xml");
  const std::string xml(bytes.begin(), bytes.end());
  EmpadXml x;
  x.path = path;
  const std::size_t raw_at = find_start(xml, "raw_file", 0, std::string::npos);
  const auto raw = raw_at == std::string::npos ? std::nullopt : attribute(start_tag_at(xml, raw_at), "filename");
  if (!raw || trim(*raw).empty())
    throw InputError(path + ": no <raw_file filename=\"...\"/>: not an EMPAD acquisition xml");
  x.raw_file = trim(*raw);
  x.type = trim(content(xml, "type").value_or(""));
  x.software_version = trim(content(xml, "software_version").value_or(""));

  const auto pix_x = whole(x, xml, "pix_x"), pix_y = whole(x, xml, "pix_y");
  if (pix_x && pix_y) {
    x.scan_shape = std::array<std::size_t, 2>{*pix_y, *pix_x};
  } else if (x.type == "series") {
    x.series_count = whole(x, xml, "count");
    if (!x.series_count)
      if (const auto sp = element_with(xml, "scan_parameters", "", "")) x.series_count = whole(x, xml, "series_count", *sp);
    x.scan_shape = std::array<std::size_t, 2>{1, 1};
  } else {
    // 1.2.x: the scan of the "acquire" mode ("search" is the live view's).
    auto sp = element_with(xml, "scan_parameters", "mode", "acquire");
    if (!sp) sp = element_with(xml, "scan_parameters", "", "");
    if (sp) {
      const auto rx = whole(x, xml, "scan_resolution_x", *sp), ry = whole(x, xml, "scan_resolution_y", *sp);
      if (rx && ry) x.scan_shape = std::array<std::size_t, 2>{*ry, *rx};
    }
  }
  x.exposure_time = number(x, xml, "exposure_time");
  x.calibrated_diffraction_angle = number(x, xml, "calibrated_diffraction_angle");
  x.calibrated_pixelsize = number(x, xml, "calibrated_pixelsize");
  x.high_voltage = number(x, xml, "high_voltage");
  if (!x.high_voltage) x.high_voltage = number(x, xml, "source.get_voltage");
  return x;
}

std::string empad_raw_path(const EmpadXml& xml) {
  const auto slash = xml.path.rfind('/');
  const std::string dir = slash == std::string::npos ? std::string() : xml.path.substr(0, slash + 1);
  if (!xml.raw_file.empty() && xml.raw_file[0] == '/') return xml.raw_file;
  const std::string as_given = dir + xml.raw_file;
  if (file_exists(as_given)) return as_given;
  // Written on the acquisition machine, read elsewhere: the .raw beside the xml.
  const auto raw_slash = xml.raw_file.find_last_of("/\\");
  return raw_slash == std::string::npos ? as_given : dir + xml.raw_file.substr(raw_slash + 1);
}

}  // namespace ecm::io::sources
