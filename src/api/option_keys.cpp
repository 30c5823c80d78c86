// AnalysisOptions by key: one table of every option's CLI long name, how its text is read
// (set) and written (get, to_ini), in the order to_ini() writes them.
#include <algorithm>
#include <functional>
#include <optional>
#include <sstream>

#include "ecm/analysis_options.hpp"
#include "ecm/api/option_text.hpp"
#include "ecm/core/units.hpp"

namespace ecm {

namespace {

using O = AnalysisOptions;
using Text = std::optional<std::string>;  // nullopt: an optional value that is absent

struct Key {
  const char* name;
  std::function<void(O&, const std::string&)> set;
  std::function<Text(const O&)> get;
};

std::string pair_text(const std::array<double, 2>& v) { return api::number_to_text(v[0]) + "," + api::number_to_text(v[1]); }
Text maybe(const std::string& s) { return s.empty() ? Text{} : Text{s}; }
template <class T>
Text maybe_number(const std::optional<T>& v) {
  return v ? Text{api::number_to_text(double(*v))} : Text{};
}
int to_int(const std::string& text, const char* key) {
  const long long v = api::parse_integer(text, key);
  if (v < -2147483647LL || v > 2147483647LL) throw InputError(std::string("--") + key + " is out of range (got '" + text + "')");
  return int(v);
}
std::string bool_text(bool b) { return b ? "true" : "false"; }

// Builders for the common kinds. `field` is a generic lambda, [](auto& o) -> auto& {...},
// giving the member of a mutable O (set) or a const one (get).
template <class Field>
Key number(const char* name, Field field) {
  return {name, [name, field](O& o, const std::string& t) { field(o) = api::parse_number(t, name); },
          [field](const O& o) { return Text{api::number_to_text(field(o))}; }};
}
template <class Field>
Key integer(const char* name, Field field) {
  return {name, [name, field](O& o, const std::string& t) { field(o) = to_int(t, name); },
          [field](const O& o) { return Text{std::to_string(field(o))}; }};
}
template <class Field>
Key count(const char* name, Field field) {
  return {name, [name, field](O& o, const std::string& t) { field(o) = api::parse_count(t, name); },
          [field](const O& o) { return Text{std::to_string(field(o))}; }};
}
// `negated`: the CLI's switch says the opposite of the field (no-register -> drift).
template <class Field>
Key flag(const char* name, Field field, bool negated = false) {
  return {name, [name, field, negated](O& o, const std::string& t) { field(o) = api::parse_bool(t, name) != negated; },
          [field, negated](const O& o) { return Text{bool_text(field(o) != negated)}; }};
}
template <class Field>
Key text(const char* name, Field field) {
  return {name, [field](O& o, const std::string& t) { field(o) = trim(t); },
          [field](const O& o) { return maybe(field(o)); }};
}
template <class Field>
Key optional_count(const char* name, Field field) {
  return {name,
          [name, field](O& o, const std::string& t) {
            if (trim(t).empty()) field(o).reset();
            else field(o) = api::parse_count(t, name);
          },
          [field](const O& o) { return maybe_number(field(o)); }};
}
template <class Field>
Key optional_number(const char* name, Field field) {
  return {name,
          [name, field](O& o, const std::string& t) {
            if (trim(t).empty()) field(o).reset();
            else field(o) = api::parse_number(t, name);
          },
          [field](const O& o) { return maybe_number(field(o)); }};
}
template <class Field>
Key optional_pair(const char* name, Field field) {
  return {name,
          [name, field](O& o, const std::string& t) {
            if (trim(t).empty()) field(o).reset();
            else field(o) = api::parse_pair(t, name);
          },
          [field](const O& o) {
            const auto& v = field(o);
            return v ? Text{pair_text(*v)} : Text{};
          }};
}

const std::vector<Key>& table() {
  static const std::vector<Key> keys = {
      // Input format and scan
      text("format", [](auto& o) -> auto& { return o.input.format; }),
      text("dataset", [](auto& o) -> auto& { return o.input.dataset; }),
      {"scan-shape",
       [](O& o, const std::string& t) {
         if (trim(t).empty()) o.input.scan_shape.reset();
         else o.input.scan_shape = api::parse_count_pair(t, "scan-shape");
       },
       [](const O& o) {
         const auto& s = o.input.scan_shape;
         return s ? Text{std::to_string((*s)[0]) + "," + std::to_string((*s)[1])} : Text{};
       }},
      count("skip-frames", [](auto& o) -> auto& { return o.input.skip_frames; }),
      count("flyback", [](auto& o) -> auto& { return o.input.flyback; }),
      optional_count("cycle-frames", [](auto& o) -> auto& { return o.input.cycle_frames; }),
      flag("drop-incomplete-cycle", [](auto& o) -> auto& { return o.input.drop_incomplete_cycle; }),
      optional_count("frame-count", [](auto& o) -> auto& { return o.input.frame_count; }),
      flag("allow-external", [](auto& o) -> auto& { return o.input.allow_external; }),
      // Calibration
      optional_number("time-step", [](auto& o) -> auto& { return o.calibration.time_step_s; }),
      optional_number("k-pixel-size", [](auto& o) -> auto& { return o.calibration.k_pixel_size; }),
      optional_pair("beam-center", [](auto& o) -> auto& { return o.calibration.beam_center_yx; }),
      optional_number("convergence", [](auto& o) -> auto& { return o.calibration.convergence; }),
      // Preprocessing and polar strip
      text("dark", [](auto& o) -> auto& { return o.references.dark; }),
      text("gain", [](auto& o) -> auto& { return o.references.gain; }),
      text("mask", [](auto& o) -> auto& { return o.references.mask; }),
      number("threshold", [](auto& o) -> auto& { return o.strip.threshold; }),
      {"kr-range", [](O& o, const std::string& t) { o.strip.kr_range = api::parse_pair(t, "kr-range"); },
       [](const O& o) { return Text{pair_text(o.strip.kr_range)}; }},
      integer("n-kr", [](auto& o) -> auto& { return o.strip.n_kr; }),
      integer("n-kphi", [](auto& o) -> auto& { return o.strip.n_kphi; }),
      integer("bin-kr", [](auto& o) -> auto& { return o.strip.bin_kr; }),
      integer("bin-kphi", [](auto& o) -> auto& { return o.strip.bin_kphi; }),
      integer("bin-t", [](auto& o) -> auto& { return o.strip.bin_t; }),
      integer("polar-subsample", [](auto& o) -> auto& { return o.strip.polar_subsample; }),
      // Drift registration and beam-centre tracking
      flag("no-register", [](auto& o) -> auto& { return o.registration.drift; }, true),
      text("drift-file", [](auto& o) -> auto& { return o.registration.drift_file; }),
      {"drift-reference",
       [](O& o, const std::string& t) {
         const std::string r = trim(t);
         if (r == "first") o.registration.drift_reference = O::DriftReference::first;
         else if (r == "previous") o.registration.drift_reference = O::DriftReference::previous;
         else if (r == "mean") o.registration.drift_reference = O::DriftReference::mean;
         else throw InputError("--drift-reference must be first, previous or mean (got '" + r + "')");
       },
       [](const O& o) {
         switch (o.registration.drift_reference) {
           case O::DriftReference::first: return Text{"first"};
           case O::DriftReference::previous: return Text{"previous"};
           default: return Text{"mean"};
         }
       }},
      count("register-stride", [](auto& o) -> auto& { return o.registration.stride; }),
      count("drift-block", [](auto& o) -> auto& { return o.registration.drift_block; }),
      number("drift-smooth", [](auto& o) -> auto& { return o.registration.drift_smooth; }),
      number("drift-threshold", [](auto& o) -> auto& { return o.registration.drift_threshold; }),
      optional_pair("vdf-k-range", [](auto& o) -> auto& { return o.registration.vdf_k_range; }),
      flag("no-center-track", [](auto& o) -> auto& { return o.registration.center_track; }, true),
      count("center-block", [](auto& o) -> auto& { return o.registration.center_block; }),
      number("center-tolerance", [](auto& o) -> auto& { return o.registration.center_tolerance; }),
      {"ellipse", [](O& o, const std::string& t) { o.registration.ellipse = trim(t); },
       [](const O& o) { return Text{o.registration.ellipse}; }},
      // Correlation and KWW fit
      {"normalization",
       [](O& o, const std::string& t) {
         const std::string n = trim(t);
         if (n == "symmetric") o.correlation.normalization = O::Normalization::symmetric;
         else if (n == "standard") o.correlation.normalization = O::Normalization::standard;
         else throw InputError("unknown g2 normalisation '" + n + "' (expected 'symmetric' or 'standard')");
       },
       [](const O& o) {
         return Text{o.correlation.normalization == O::Normalization::symmetric ? "symmetric" : "standard"};
       }},
      integer("n-lags", [](auto& o) -> auto& { return o.correlation.n_lags; }),
      number("max-lag-fraction", [](auto& o) -> auto& { return o.correlation.max_lag_fraction; }),
      number("min-counts", [](auto& o) -> auto& { return o.correlation.min_counts; }),
      number("tau-min", [](auto& o) -> auto& { return o.fit.tau_min_s; }),
      number("tau-max", [](auto& o) -> auto& { return o.fit.tau_max_s; }),
      number("beta-min", [](auto& o) -> auto& { return o.fit.beta_min; }),
      number("beta-max", [](auto& o) -> auto& { return o.fit.beta_max; }),
      integer("max-iterations", [](auto& o) -> auto& { return o.fit.max_iterations; }),
      // Output and resources
      flag("save-g2", [](auto& o) -> auto& { return o.save_g2; }),
      {"memory-budget", [](O& o, const std::string& t) { o.memory_budget_bytes = parse_size_bytes(trim(t), "memory-budget"); },
       [](const O& o) { return Text{api::size_to_text(o.memory_budget_bytes)}; }},
  };
  return keys;
}

const Key& find(const std::string& key) {
  std::string name = trim(key);
  std::replace(name.begin(), name.end(), '_', '-');
  if (name.rfind("--", 0) == 0) name = name.substr(2);
  for (const auto& k : table())
    if (name == k.name) return k;
  std::string known;
  for (const auto& k : table()) known += (known.empty() ? "" : ", ") + std::string(k.name);
  throw InputError("unknown analysis option '" + key + "' (options: " + known + ")");
}

}  // namespace

void AnalysisOptions::set(const std::string& key, const std::string& value) { find(key).set(*this, value); }

std::string AnalysisOptions::get(const std::string& key) const { return find(key).get(*this).value_or(""); }

std::vector<std::string> AnalysisOptions::keys() {
  std::vector<std::string> names;
  for (const auto& k : table()) names.push_back(k.name);
  return names;
}

std::string AnalysisOptions::to_ini() const {
  std::ostringstream out;
  for (const auto& k : table()) {
    const Text value = k.get(*this);
    if (value) out << k.name << " = " << *value << "\n";
    else out << "# " << k.name << " =\n";  // absent: the input's own, or found
  }
  return out.str();
}

AnalysisOptions AnalysisOptions::from_ini(const std::string& text) {
  AnalysisOptions o;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    const auto eq = t.find('=');
    if (eq == std::string::npos) throw InputError("analysis options: '" + t + "' is not a line 'key = value'");
    o.set(t.substr(0, eq), t.substr(eq + 1));
  }
  return o;
}

}  // namespace ecm
