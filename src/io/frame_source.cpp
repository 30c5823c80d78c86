#include "ecm/io/frame_source.hpp"

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/io/regular_file.hpp"
#include "ecm/io/sources/formats.hpp"

namespace ecm::io {

std::size_t pixel_bytes(PixelType t) {
  switch (t) {
    case PixelType::u8: return 1;
    case PixelType::u16: return 2;
    case PixelType::u32: return 4;
    case PixelType::f32: return 4;
  }
  return 0;
}

std::string pixel_type_name(PixelType t) {
  switch (t) {
    case PixelType::u8: return "uint8";
    case PixelType::u16: return "uint16";
    case PixelType::u32: return "uint32";
    case PixelType::f32: return "float32";
  }
  return "?";
}

std::vector<std::string> frame_source_formats() { return {"auto", "hdf5", "nexus", "seq", "mib", "mrc", "empad"}; }

namespace {

std::string formats_list() {
  std::string s;
  for (const auto& f : frame_source_formats()) s += (s.empty() ? "" : ", ") + f;
  return s;
}


}  // namespace

std::unique_ptr<FrameSource> open_frame_source(const std::string& path, const SourceOptions& options, MPI_Comm comm) {
  using namespace sources;
  std::string format = options.format;
  if (format == "merlin") format = "mib";
  if (format == "de" || format == "streampix") format = "seq";
  if (format == "h5") format = "hdf5";
  if (format == "nexus") format = "hdf5";  // a NeXus master is an HDF5 file; the HDF5 reader follows its links

  require_regular_file(path);  // a FIFO would block the first read; a directory is no input
  // Files that come in parts (a .mib with its .hdr, EMPAD's .xml and .raw) may be named by any part.
  const bool exists = file_exists(path);
  if (format == "auto") {
    const auto head = exists ? file_head(path, kHeadBytes) : std::vector<unsigned char>{};
    if (exists && head.empty() && lower_extension(path) != "xml") throw InputError(path + ": the file is empty or cannot be read");
    if (!exists && lower_extension(path) != "xml" && lower_extension(path) != "hdr") throw InputError(path + ": no such file");
    if (looks_like_hdf5(path, head)) format = "hdf5";
    else if (looks_like_mib(path, head)) format = "mib";
    else if (looks_like_seq(path, head)) format = "seq";
    else if (looks_like_empad(path, head)) format = "empad";
    else if (looks_like_mrc(path, head)) format = "mrc";
    else
      throw InputError(path + ": not a format ecm reads (looked for HDF5, Merlin .mib, StreamPix .seq, MRC, EMPAD); "
                              "give --format if it is one of " + formats_list());
  }
  if (format == "hdf5") return open_hdf5(path, options, comm);
  if (format == "mib") return open_mib(path, options);
  if (format == "seq") return open_seq(path, options);
  if (format == "mrc") return open_mrc(path, options);
  if (format == "empad") return open_empad(path, options);
  throw InputError("--format '" + options.format + "' is not one of " + formats_list());
}

}  // namespace ecm::io
