// Placeholder until the mrc writer lands.
#include "ecm/core/error.hpp"
#include "ecm/simulate/camera_writer.hpp"

namespace ecm::simulate {

void prepare_mrc(const CameraFileSpec&) { throw InputError("ecm simulate cannot write mrc files yet"); }
std::unique_ptr<CameraFileWriter> open_mrc_writer(const CameraFileSpec&) {
  throw InputError("ecm simulate cannot write mrc files yet");
}

}  // namespace ecm::simulate
