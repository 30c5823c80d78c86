#include "ecm/io/sources/mrc_header.hpp"

#include <cstring>

#include "ecm/core/error.hpp"

namespace ecm::io::sources {

std::size_t MrcHeader::element_bytes() const {
  switch (mode) {
    case 0: return 1;
    case 1: return 2;
    case 2: return 4;
    case 6: return 2;
    default: return 0;
  }
}

namespace {
std::int32_t int_at(const std::vector<unsigned char>& h, std::size_t at, ByteOrder order) {
  std::int32_t v;
  std::memcpy(&v, h.data() + at, 4);
  to_native(&v, 1, 4, order);
  return v;
}
}  // namespace

MrcHeader read_mrc_header(const RawFile& file) {
  const auto h = file.read_at(0, 1024, "the MRC header");
  MrcHeader m;
  // Machine stamp: 0x44 0x44 (or 0x44 0x41) little-endian, 0x11 0x11 big-endian; files from
  // before MRC2000 may leave it zero, and are little-endian in practice.
  m.order = h[212] == 0x11 ? ByteOrder::big : ByteOrder::little;
  const std::int32_t nx = int_at(h, 0, m.order), ny = int_at(h, 4, m.order), nz = int_at(h, 8, m.order);
  m.mode = int_at(h, 12, m.order);
  const std::int32_t nsymbt = int_at(h, 92, m.order);
  if (nx <= 0 || ny <= 0 || nx > (1 << 20) || ny > (1 << 20) || nsymbt < 0)
    throw InputError(file.path() + ": not a valid MRC header (nx " + std::to_string(nx) + ", ny " +
                     std::to_string(ny) + ", extended header " + std::to_string(nsymbt) + " bytes)");
  m.nx = std::size_t(nx);
  m.ny = std::size_t(ny);
  m.nz = nz > 0 ? std::size_t(nz) : 0;
  m.extended_bytes = std::size_t(nsymbt);
  constexpr std::int32_t kImodStamp = 1146047817;  // "IMOD" read as an int32
  if (int_at(h, 152, m.order) == kImodStamp) m.signed_bytes = (int_at(h, 156, m.order) & 1) != 0;
  if (m.element_bytes() == 0)
    throw InputError(file.path() + ": MRC mode " + std::to_string(m.mode) +
                     " is not read (modes 0 int8, 1 int16, 2 float32, 6 uint16 are)");
  if (file.size() < m.data_offset())
    throw InputError(file.path() + ": the MRC extended header (" + std::to_string(nsymbt) +
                     " bytes) runs past the end of the file");
  m.images_in_file = std::size_t((file.size() - m.data_offset()) / m.image_bytes());
  return m;
}

DetectorReference read_mrc_reference(const std::string& path, std::size_t det_y, std::size_t det_x) {
  RawFile file(path);
  const MrcHeader m = read_mrc_header(file);
  if (m.ny != det_y || m.nx != det_x)
    throw InputError(path + ": reference of " + std::to_string(m.ny) + "x" + std::to_string(m.nx) +
                     " pixels, but the frames are " + std::to_string(det_y) + "x" + std::to_string(det_x));
  if (m.images_in_file < 1) throw InputError(path + ": the MRC file holds no whole image");
  const auto raw = file.read_at(m.data_offset(), m.image_bytes(), "the reference image");
  DetectorReference ref;
  ref.origin = path;
  ref.values.resize(det_y * det_x);
  const std::size_t n = ref.values.size();
  auto convert = [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> v(n);
    std::memcpy(v.data(), raw.data(), n * sizeof(T));
    to_native(v.data(), n, sizeof(T), m.order);
    for (std::size_t i = 0; i < n; ++i) ref.values[i] = float(v[i]);
  };
  switch (m.mode) {
    case 0:
      if (m.signed_bytes) convert(std::int8_t{});
      else convert(std::uint8_t{});
      break;
    case 1: convert(std::int16_t{}); break;
    case 2: convert(float{}); break;
    case 6: convert(std::uint16_t{}); break;
  }
  return ref;
}

}  // namespace ecm::io::sources
