// Placeholder until the mib writer lands.
#include "ecm/core/error.hpp"
#include "ecm/simulate/camera_writer.hpp"

namespace ecm::simulate {

void prepare_mib(const CameraFileSpec&) { throw InputError("ecm simulate cannot write mib files yet"); }
std::unique_ptr<CameraFileWriter> open_mib_writer(const CameraFileSpec&) {
  throw InputError("ecm simulate cannot write mib files yet");
}

}  // namespace ecm::simulate
