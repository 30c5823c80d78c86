#pragma once
// Before a command creates or truncates anything, none of the files it is about to write
// may be a file it reads. An output OUT is written as OUT.partial and renamed when complete,
// and `ecm run` keeps its tile ledger in OUT.partial.tiles: all three are checked, by
// identity (io/file_identity.hpp), so that neither `-o ./data.h5` for data.h5, nor
// `ecm run r.h5.partial -o r.h5`, nor a symlink OUT.partial -> data.h5 can destroy the input.
#include <string>
#include <vector>

namespace ecm::io {

// Throws InputError, one line naming both files, when a file written for `-o output` (with
// `with_ledger`, also its tile ledger) is the file `input` or one of `also_read`, the files
// read with it (a camera's companion files, references). Only looks at the file system.
void refuse_writing_inputs(const std::string& output, bool with_ledger, const std::string& input,
                           const std::vector<std::string>& also_read);

}  // namespace ecm::io
