#include "ecm/engine/input_files.hpp"

#include <filesystem>

#include "ecm/core/mpi_check.hpp"
#include "ecm/io/output_guard.hpp"

namespace ecm::engine {

namespace {

// A reference option is "FILE.h5:/path", "/path" in the input, or "none". Its file is the
// part before the last ":/" or, without one, the whole text; both are taken where they
// exist, so that the check does not depend on how the option is split.
void add_files_of_reference(const std::string& spec, std::vector<std::string>& files) {
  if (spec.empty() || spec == "none") return;
  std::error_code ec;
  const auto colon = spec.rfind(":/");
  for (const std::string& candidate : {spec, colon == std::string::npos ? std::string() : spec.substr(0, colon)})
    if (!candidate.empty() && std::filesystem::is_regular_file(candidate, ec)) files.push_back(candidate);
}

}  // namespace

std::unique_ptr<io::InputDataset> open_input(const RunConfig& config, MPI_Comm comm) {
  if (config.frames) return std::make_unique<io::InputDataset>(config.frames, config.frames->description(), config.input);
  return std::make_unique<io::InputDataset>(config.input_path, config.input, comm);
}

std::vector<std::string> files_read_besides_input(const RunConfig& config, const io::InputDataset& input) {
  std::vector<std::string> files = input.source().metadata().other_files;
  for (const std::string* spec : {&config.dark, &config.gain, &config.mask, &config.registration.drift_file})
    add_files_of_reference(*spec, files);
  return files;
}

void refuse_writing_inputs(const RunConfig& config, const io::InputDataset& input, bool with_ledger, MPI_Comm comm) {
  mpi::run_then_agree(comm, [&] {
    io::refuse_writing_inputs(config.output_path, with_ledger, config.input_path, files_read_besides_input(config, input));
  });
}

}  // namespace ecm::engine
