#pragma once
// `ecm simulate --format seq` beyond prepare_seq: the header version to write, for tests of
// the older layout (v4: records right after the 1024-byte header, timestamps without
// microseconds). prepare_seq writes version 5, as StreamPix 4.3 on the DE cameras does.
#include "ecm/simulate/camera_writer.hpp"

namespace ecm::simulate {

void prepare_seq_version(const CameraFileSpec& spec, int version);

}  // namespace ecm::simulate
