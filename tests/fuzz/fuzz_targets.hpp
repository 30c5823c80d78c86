#pragma once
// The fuzz targets of the input parsers, shared by the libFuzzer programs (fuzz_main.cpp) and
// the unit test that replays the inputs they found (test_fuzz_regressions.cpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ecm::fuzz {

// The target names: mib, mib_hdr, seq, mrc, de_info, empad_xml, de_config, hdf5, sim_ini.
const std::vector<std::string>& targets();
// Hands `data` to `target` as the file it reads, inside `dir` (which holds the fixed
// companions some targets need: m_movie.mrc for de_info, the EMPAD raw file). Throws what the
// parser throws: an ecm::InputError or ecm::Error is the expected answer to bad bytes.
void run_target(const std::string& target, const std::uint8_t* data, std::size_t n, const std::string& dir);

}  // namespace ecm::fuzz
