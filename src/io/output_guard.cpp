#include "ecm/io/output_guard.hpp"

#include <utility>

#include "ecm/core/error.hpp"
#include "ecm/io/file_identity.hpp"

namespace ecm::io {

void refuse_writing_inputs(const std::string& output, bool with_ledger, const std::string& input,
                           const std::vector<std::string>& also_read) {
  // What is written, as the message names it. The names follow io::ResultFile and the
  // tile ledger of engine::run.
  std::vector<std::pair<std::string, std::string>> written{
      {output, "the output '" + output + "'"},
      {output + ".partial", "the output's partial file '" + output + ".partial'"}};
  if (with_ledger) written.emplace_back(output + ".partial.tiles", "the output's tile ledger '" + output + ".partial.tiles'");

  for (const auto& [out, out_words] : written) {
    // The input itself: named again only when spelled otherwise (./data.h5 against /abs/data.h5).
    if (same_file(out, input))
      throw InputError(out_words + " is the input file" + (out == input ? "" : " '" + input + "'") +
                       "; choose another -o");
    for (const auto& f : also_read)
      if (same_file(out, f))
        throw InputError(out_words + " is " + (out == f ? "" : "'" + f + "', ") + "a file read with the input '" +
                         input + "'; choose another -o");
  }
}

}  // namespace ecm::io
