#include "ecm/simulate/camera_writer.hpp"

#include "ecm/core/error.hpp"

namespace ecm::simulate {

std::vector<std::string> camera_formats() { return {"mib", "seq", "mrc", "empad", "nexus"}; }

void prepare_camera_file(const std::string& format, const CameraFileSpec& spec) {
  if (format == "mib") return prepare_mib(spec);
  if (format == "seq") return prepare_seq(spec);
  if (format == "mrc") return prepare_mrc(spec);
  if (format == "empad") return prepare_empad(spec);
  if (format == "nexus") return prepare_nexus(spec);
  throw InputError("--format '" + format + "': ecm simulate writes hdf5, mib, seq, mrc, empad or nexus");
}

std::unique_ptr<CameraFileWriter> open_camera_file(const std::string& format, const CameraFileSpec& spec) {
  if (format == "mib") return open_mib_writer(spec);
  if (format == "seq") return open_seq_writer(spec);
  if (format == "mrc") return open_mrc_writer(spec);
  if (format == "empad") return open_empad_writer(spec);
  if (format == "nexus") throw Error("internal: NeXus data are written collectively (create_nexus_data)");
  throw InputError("--format '" + format + "': ecm simulate writes hdf5, mib, seq, mrc, empad or nexus");
}

}  // namespace ecm::simulate
