#include "ecm/simulate/options.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "ecm/core/error.hpp"
#include "ecm/core/units.hpp"

namespace ecm::simulate {

namespace {


[[noreturn]] void bad(const std::string& name, const std::string& expected, const std::string& text) {
  throw InputError("--" + name + " expects " + expected + " (got '" + text + "')");
}

double to_double(const std::string& name, const std::string& text) {
  std::istringstream in(trim(text));
  double v = 0;
  if (!(in >> v) || !(in >> std::ws).eof() || !std::isfinite(v)) bad(name, "a number", text);
  return v;
}

std::size_t to_size(const std::string& name, const std::string& text) {
  const std::string t = trim(text);
  if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos) bad(name, "a non-negative integer", text);
  std::istringstream in(t);
  unsigned long long v = 0;
  if (!(in >> v)) bad(name, "a non-negative integer", text);
  return static_cast<std::size_t>(v);
}

std::pair<std::string, std::string> split_pair(const std::string& name, const std::string& text) {
  const auto comma = text.find(',');
  if (comma == std::string::npos || text.find(',', comma + 1) != std::string::npos)
    bad(name, "two values as A,B", text);
  return {text.substr(0, comma), text.substr(comma + 1)};
}

// Shortest decimal text that reads back to the same double (readable provenance).
std::string fmt(double v) {
  for (int precision = 6; precision <= 17; ++precision) {
    std::ostringstream out;
    out.precision(precision);
    out << v;
    if (std::stod(out.str()) == v) return out.str();
  }
  return std::to_string(v);
}

// Builders for the common kinds of option.
OptionSpec number(const std::string& name, const std::string& hint, const std::string& help, double SimConfig::*field) {
  return {name, hint, help, [name, field](SimConfig& c, const std::string& t) { c.*field = to_double(name, t); },
          [field](const SimConfig& c) { return fmt(c.*field); }};
}

OptionSpec count(const std::string& name, const std::string& help, std::size_t SimConfig::*field) {
  return {name, "N", help, [name, field](SimConfig& c, const std::string& t) { c.*field = to_size(name, t); },
          [field](const SimConfig& c) { return std::to_string(c.*field); }};
}

OptionSpec size_pair(const std::string& name, const std::string& hint, const std::string& help,
                     std::size_t SimConfig::*a, std::size_t SimConfig::*b) {
  return {name, hint, help,
          [name, a, b](SimConfig& c, const std::string& t) {
            auto [x, y] = split_pair(name, t);
            c.*a = to_size(name, x);
            c.*b = to_size(name, y);
          },
          [a, b](const SimConfig& c) { return std::to_string(c.*a) + "," + std::to_string(c.*b); }};
}

OptionSpec number_pair(const std::string& name, const std::string& hint, const std::string& help, double SimConfig::*a,
                       double SimConfig::*b) {
  return {name, hint, help,
          [name, a, b](SimConfig& c, const std::string& t) {
            auto [x, y] = split_pair(name, t);
            c.*a = to_double(name, x);
            c.*b = to_double(name, y);
          },
          [a, b](const SimConfig& c) { return fmt(c.*a) + "," + fmt(c.*b); }};
}

std::vector<OptionSpec> build_table() {
  using C = SimConfig;
  std::vector<OptionSpec> t;
  t.push_back(size_pair("scan", "NY,NX", "scan positions (rows, columns)", &C::scan_y, &C::scan_x));
  t.push_back(count("cycles", "number of scan cycles T (time samples), >= 2", &C::cycles));
  t.push_back(number("time-step", "S", "time between cycles [s]", &C::time_step_s));
  t.push_back(size_pair("detector", "DY,DX", "detector pixels (rows, columns)", &C::det_y, &C::det_x));
  t.push_back({"dtype", "TYPE", "element type of /frames: uint8, uint16, uint32 or float32",
               [](C& c, const std::string& v) {
                 const std::string s = trim(v);
                 if (s == "uint8") c.dtype = h5::DType::u8;
                 else if (s == "uint16") c.dtype = h5::DType::u16;
                 else if (s == "uint32") c.dtype = h5::DType::u32;
                 else if (s == "float32") c.dtype = h5::DType::f32;
                 else bad("dtype", "uint8, uint16, uint32 or float32", v);
               },
               [](const C& c) { return h5::dtype_name(c.dtype); }});
  t.push_back({"layout", "5d|stream",
               "/frames layout: 5d = (t, scan_y, scan_x, det_y, det_x); stream = (frame, det_y, det_x) with "
               "frame = (t*NY + y)*NX + x",
               [](C& c, const std::string& v) {
                 const std::string s = trim(v);
                 if (s == "5d") c.layout = Layout::five_d;
                 else if (s == "stream") c.layout = Layout::stream;
                 else bad("layout", "5d or stream", v);
               },
               [](const C& c) { return layout_name(c.layout); }});
  t.push_back({"format", "F",
               "file format: hdf5 (the layout above) or a camera's, frames in recording order: mib (Merlin), seq "
               "(DE StreamPix), mrc (DE-Server movie), empad (128x128 float32 only), nexus (Dectris X_master.h5 + data + "
               "scan files)",
               [](C& c, const std::string& v) {
                 const std::string s = trim(v);
                 if (s != "hdf5" && s != "mib" && s != "seq" && s != "mrc" && s != "empad" && s != "nexus")
                   bad("format", "hdf5, mib, seq, mrc, empad or nexus", v);
                 c.format = s;
               },
               [](const C& c) { return c.format; }});
  t.push_back(number("k-pixel-size", "DK", "detector pixel size in k [1/A per px]", &C::k_pixel_size));
  t.push_back({"center", "Y,X", "beam centre at t = 0 [px, pixel centres at integers]; 'auto' = detector centre",
               [](C& c, const std::string& v) {
                 if (trim(v) == "auto") {
                   c.center_y = c.center_x = -1.0;
                   return;
                 }
                 auto [y, x] = split_pair("center", v);
                 c.center_y = to_double("center", y);
                 c.center_x = to_double("center", x);
                 if (c.center_y < 0 || c.center_x < 0) bad("center", "non-negative pixel coordinates or 'auto'", v);
               },
               [](const C& c) { return c.center_y < 0 && c.center_x < 0 ? std::string("auto")
                                                                      : fmt(c.center0_y()) + "," + fmt(c.center0_x()); }});
  t.push_back(number_pair("center-drift", "DY,DX", "linear beam-centre shift over the whole run [detector px]",
                          &C::center_drift_y, &C::center_drift_x));
  t.push_back(number("k-peak", "K", "first diffraction ring position [1/A]", &C::k_peak));
  t.push_back(number("ring-width", "SIGMA", "Gaussian sigma of the ring [1/A]", &C::ring_width));
  t.push_back(number("convergence", "KC",
                     "probe convergence k_c [1/A]: speckle FWHM and direct-beam disc radius", &C::convergence));
  t.push_back(number("dose", "E", "mean electrons per pixel per frame at the ring peak", &C::dose));
  t.push_back(number("background", "B",
                     "flat background relative to the ring height: I(k) = dose*(G(k)+B)/(1+B)", &C::background));
  t.push_back(number("direct-beam", "E", "direct-beam disc intensity [electrons/px/frame] (0: no disc)",
                     &C::direct_beam));
  t.push_back(number_pair("ellipticity", "E,ANGLE",
                          "projector ellipticity of the whole pattern: stretched by sqrt(1+E) along the direction at "
                          "ANGLE [deg] (polar angle, from +x towards +y) and shrunk by 1/sqrt(1+E) across it, so a "
                          "ring's axis ratio is 1+E and its area is kept; E in [0, 0.2] (0: round)",
                          &C::ellipticity, &C::ellipticity_angle_deg));
  t.push_back(number("beam-stop", "R",
                     "radius of an opaque beam stop fixed at the t = 0 beam centre [detector px]: pixels inside "
                     "read the dark level and read noise only (0: none)", &C::beam_stop_radius_px));
  t.push_back(number("beam-stop-arm", "W",
                     "width of the beam stop's arm from its disc to the detector edge along +x [detector px] "
                     "(0: no arm)", &C::beam_stop_arm_px));
  t.push_back(number("contrast", "A", "speckle contrast A of g2 = 1 + A exp(-2 (t/tau)^beta), in [0, 1]",
                     &C::contrast));
  t.push_back(number("tau", "S", "median relaxation time [s]", &C::tau_median_s));
  t.push_back(number("sigma-ln-tau", "S", "standard deviation of ln tau over the sample (log-normal)",
                     &C::sigma_ln_tau));
  t.push_back(number("beta", "B", "KWW stretching exponent, 0 < beta <= 2", &C::beta));
  t.push_back(number("domain-size", "PX",
                     "FWHM of the spatial autocorrelation of ln tau [scan px] (0: uncorrelated)", &C::domain_size_px));
  t.push_back(number("thickness-contrast", "REL",
                     "relative rms of the sample's scattering strength (thickness) over the scan; gives VDF images "
                     "texture for drift registration (0: uniform)", &C::thickness_contrast));
  t.push_back(number("thickness-size", "PX", "FWHM of the spatial autocorrelation of the thickness map [scan px]",
                     &C::thickness_size_px));
  t.push_back({"sectors", "N", "independent tau maps: equal azimuthal sectors over [0, 2 pi)",
               [](C& c, const std::string& v) {
                 const std::size_t n = to_size("sectors", v);
                 if (n < 1 || n > 100000) bad("sectors", "an integer between 1 and 100000", v);
                 c.n_sectors = static_cast<int>(n);
               },
               [](const C& c) { return std::to_string(c.n_sectors); }});
  t.push_back(number("kr-exponent", "E", "k dependence tau(k) = tau_sector * (k/k_peak)^E", &C::kr_exponent));
  t.push_back(number("aging-factor", "F",
                     "aging: tau grows linearly to F times its start value over the run, tau(t) = tau (1 + (F-1) "
                     "t/T_run); needs --beta 1 when F != 1 (1: stationary)", &C::aging_factor));
  t.push_back(number_pair("drift", "DY,DX", "linear sample drift over the whole run [scan px]", &C::drift_y,
                          &C::drift_x));
  t.push_back(number("drift-walk", "PX", "rms per axis of a random-walk drift at the end of the run [scan px]",
                     &C::drift_walk_px));
  t.push_back({"shot-noise", "on|off", "Poisson electron counting (off: expected electrons, for noise-free tests)",
               [](C& c, const std::string& v) {
                 const std::string s = trim(v);
                 if (s == "on" || s == "true" || s == "1") c.shot_noise = true;
                 else if (s == "off" || s == "false" || s == "0") c.shot_noise = false;
                 else bad("shot-noise", "on or off", v);
               },
               [](const C& c) { return std::string(c.shot_noise ? "on" : "off"); }});
  t.push_back(number("counts-per-electron", "C", "mean detector counts per electron", &C::counts_per_electron));
  t.push_back(number("gain-spread", "G", "relative rms of the per-pixel gain (gain_pix = 1 + G*N(0,1))",
                     &C::gain_spread));
  t.push_back(number("dark-level", "D", "mean dark offset [counts]", &C::dark_level));
  t.push_back(number("dark-spread", "D", "pixel-to-pixel rms of the dark offset [counts]", &C::dark_spread));
  t.push_back(number("read-noise", "R", "read noise rms per pixel and frame [counts]", &C::read_noise));
  t.push_back(count("hot-pixels", "number of hot pixels (stuck at --hot-value, flagged in /mask)", &C::hot_pixels));
  t.push_back(number("hot-value", "C", "value of hot pixels [counts], clamped to the dtype range and --saturation",
                     &C::hot_pixel_value));
  t.push_back(number("saturation", "COUNTS",
                     "counter depth: raw values are clipped at COUNTS after the detector response, e.g. 4095 for "
                     "12 bit [counts] (0: only the dtype's range)", &C::saturation_counts));
  t.push_back({"seed", "N", "random seed; the dataset depends on the configuration and the seed only",
               [](C& c, const std::string& v) { c.seed = static_cast<std::uint64_t>(to_size("seed", v)); },
               [](const C& c) { return std::to_string(c.seed); }});
  t.push_back({"memory-budget", "SIZE",
               "memory for the frames being generated, per rank: bytes, or with a unit K, M, G, T (binary), "
               "as for `ecm run`",
               [](C& c, const std::string& v) { c.memory_budget_mb = parse_size_bytes(trim(v), "memory-budget") / (1024.0 * 1024.0); },
               [](const C& c) { return fmt(c.memory_budget_mb) + "M"; }});
  return t;
}

}  // namespace

const std::vector<OptionSpec>& option_table() {
  static const std::vector<OptionSpec> table = build_table();
  return table;
}

void apply_option(SimConfig& cfg, const std::string& name, const std::string& value) {
  const auto& table = option_table();
  auto it = std::find_if(table.begin(), table.end(), [&](const OptionSpec& o) { return o.name == name; });
  if (it == table.end()) throw InputError("unknown simulate option '" + name + "'");
  it->set(cfg, value);
}

std::string to_ini(const SimConfig& cfg) {
  std::string out;
  for (const auto& o : option_table()) out += o.name + " = " + o.get(cfg) + "\n";
  return out;
}

SimConfig from_ini(const std::string& text) {
  SimConfig cfg;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) throw InputError("configuration line without '=': '" + line + "'");
    apply_option(cfg, trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
  }
  return cfg;
}

}  // namespace ecm::simulate
