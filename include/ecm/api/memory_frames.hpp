#pragma once
// Frames in memory (ecm::FrameArray) as an io::FrameSource: the engine reads them as it reads
// a file's, frame by frame in recording order (t, scan_y, scan_x), each rank only its tiles.
#include <memory>

#include "ecm/analysis.hpp"
#include "ecm/io/frame_source.hpp"

namespace ecm::api {

// Checks the array (data given, every extent >= 1, a size that fits) and wraps it, not
// copied: `frames.data` must outlive the source. Throws InputError.
std::shared_ptr<const io::FrameSource> make_memory_source(const FrameArray& frames);

}  // namespace ecm::api
