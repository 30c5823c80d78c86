// The fuzz targets: each input is what a user could hand ecm as a file of that kind.
#include "fuzz_targets.hpp"

#include <mpi.h>

#include <fstream>
#include <stdexcept>

#include "ecm/io/frame_source.hpp"
#include "ecm/io/sources/de_config.hpp"
#include "ecm/io/sources/de_server_info.hpp"
#include "ecm/io/sources/empad_xml.hpp"
#include "ecm/io/sources/mib_header.hpp"
#include "ecm/simulate/options.hpp"

namespace ecm::fuzz {

namespace {

void write_file(const std::string& path, const std::uint8_t* data, std::size_t n) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(n));
}

// Everything a command does with a source right after opening it: describe it, read the
// first, middle and last frames and the timestamps of the first and last.
void exercise(const std::string& path, const char* format) {
  ecm::io::SourceOptions o;
  o.format = format;
  const auto src = ecm::io::open_frame_source(path, o, MPI_COMM_SELF);
  (void)src->description();
  const auto& s = src->shape();
  if (s.n_frames == 0 || s.frame_bytes() == 0 || s.frame_bytes() > (64u << 20)) return;
  std::vector<ecm::io::FrameRun> runs{{0, 1}, {s.n_frames / 2, 1}, {s.n_frames - 1, 1}};
  std::vector<unsigned char> buf(runs.size() * s.frame_bytes());
  src->read_frames(runs.data(), runs.size(), buf.data());
  (void)src->timestamps({0, s.n_frames - 1});
}

}  // namespace

const std::vector<std::string>& targets() {
  static const std::vector<std::string> names{"mib", "mib_hdr", "seq", "mrc", "de_info", "empad_xml", "de_config", "hdf5", "sim_ini"};
  return names;
}

void run_target(const std::string& t, const std::uint8_t* data, std::size_t n, const std::string& dir) {
  const std::string base = dir + "/in";
  if (t == "mib") {
    write_file(base + ".mib", data, n);
    exercise(base + ".mib", "mib");
  } else if (t == "mib_hdr") {
    ecm::io::sources::parse_mib_hdr(std::string(reinterpret_cast<const char*>(data), n), base + ".hdr");
  } else if (t == "seq") {
    write_file(base + ".seq", data, n);
    exercise(base + ".seq", "seq");
  } else if (t == "mrc") {
    write_file(base + ".mrc", data, n);
    exercise(base + ".mrc", "mrc");
  } else if (t == "de_info") {
    write_file(dir + "/m_info.txt", data, n);
    ecm::io::sources::read_de_server_info(dir + "/m_info.txt");
    exercise(dir + "/m_movie.mrc", "mrc");  // the fixed movie with this info
  } else if (t == "empad_xml") {
    write_file(base + ".xml", data, n);
    const auto xml = ecm::io::sources::read_empad_xml(base + ".xml");
    (void)ecm::io::sources::empad_raw_path(xml);
    exercise(base + ".xml", "empad");
  } else if (t == "de_config") {
    write_file(base + ".xml", data, n);
    ecm::io::sources::read_de_config(base + ".xml");
  } else if (t == "hdf5") {
    write_file(base + ".h5", data, n);
    exercise(base + ".h5", "hdf5");
  } else if (t == "sim_ini") {
    ecm::simulate::from_ini(std::string(reinterpret_cast<const char*>(data), n));
  } else {
    throw std::invalid_argument("unknown fuzz target " + t);
  }
}


}  // namespace ecm::fuzz
