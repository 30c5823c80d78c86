// Placeholder until the seq writer lands.
#include "ecm/core/error.hpp"
#include "ecm/simulate/camera_writer.hpp"

namespace ecm::simulate {

void prepare_seq(const CameraFileSpec&) { throw InputError("ecm simulate cannot write seq files yet"); }
std::unique_ptr<CameraFileWriter> open_seq_writer(const CameraFileSpec&) {
  throw InputError("ecm simulate cannot write seq files yet");
}

}  // namespace ecm::simulate
