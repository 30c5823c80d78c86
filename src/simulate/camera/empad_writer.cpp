// Placeholder until the empad writer lands.
#include "ecm/core/error.hpp"
#include "ecm/simulate/camera_writer.hpp"

namespace ecm::simulate {

void prepare_empad(const CameraFileSpec&) { throw InputError("ecm simulate cannot write empad files yet"); }
std::unique_ptr<CameraFileWriter> open_empad_writer(const CameraFileSpec&) {
  throw InputError("ecm simulate cannot write empad files yet");
}

}  // namespace ecm::simulate
