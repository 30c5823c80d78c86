// libFuzzer targets for every parser of input bytes (issue 14): one binary per target, chosen
// at compile time by ECM_FUZZ_TARGET (the targets are in fuzz_targets.cpp). Each input is what a user could hand
// ecm as a file of that kind; the contract is the one of every command: an ecm::InputError or
// ecm::Error (one clear line), never a crash, a hang, a read outside the file (ASan) or
// undefined behaviour (UBSan), and never another exception type (std::bad_alloc from a header
// that asks for terabytes, std::out_of_range from a missing field...): those abort, so the
// fuzzer keeps them as findings.
//
// Targets (the file the bytes become, and what reads it):
//   mib       X.mib      the Merlin source: frame headers, pixel decoding, timestamps
//   mib_hdr   X.hdr      the Merlin acquisition header (text)
//   seq       X.seq      the StreamPix/DE source: header, records, timestamps
//   mrc       X.mrc      the MRC stack source
//   de_info   X_info.txt the DE-Server info beside a fixed small movie
//   empad_xml X.xml      the EMPAD description beside a fixed raw file
//   de_config X.xml      the DE Config.Metadata.xml (bad pixels)
//   hdf5      X.h5       the HDF5 source (layout, attributes, chunk index read from the file)
//   sim_ini   text       `ecm simulate --config` INI
#include <mpi.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "ecm/core/error.hpp"
#include "ecm/io/hdf5.hpp"
#include "fuzz_targets.hpp"

#ifndef ECM_FUZZ_TARGET
#error "define ECM_FUZZ_TARGET"
#endif

namespace {
std::string g_dir;
}

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  MPI_Init(argc, argv);
  ecm::h5::silence_hdf5_errors();
  char tmpl[] = "/tmp/ecm_fuzz_XXXXXX";
  if (!mkdtemp(tmpl)) std::abort();
  g_dir = tmpl;
  // The fixed companions of the text targets: a DE-Server movie of 4 frames of 8 x 8 uint16
  // (written by the harness from ECM_FUZZ_MOVIE if given), an EMPAD raw file of 2 frames.
  if (const char* movie = std::getenv("ECM_FUZZ_MOVIE"))
    std::system(("cp '" + std::string(movie) + "' '" + g_dir + "/m_movie.mrc'").c_str());
  if (const char* raw = std::getenv("ECM_FUZZ_EMPAD_RAW"))
    std::system(("cp '" + std::string(raw) + "' '" + g_dir + "/'").c_str());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t n) {
  try {
    ecm::fuzz::run_target(ECM_FUZZ_TARGET, data, n, g_dir);
  } catch (const ecm::InputError&) {
  } catch (const ecm::Error&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: an exception other than ecm's: %s\n", e.what());
    std::abort();
  }
  return 0;
}
