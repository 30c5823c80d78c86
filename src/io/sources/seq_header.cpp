// The Norpix .seq header, field by field: the published Norpix header layout, every field
// read here checked against the bytes of the two DE samples in ../shared/testdata/real/de/:
//
//    0 uint32  magic 0xFEED                 548 uint32  width
//    4 wchar12 "Norpix seq" (UTF-16LE)      552 uint32  height
//   28 int32   version (5 in both samples)  556 uint32  bit depth (16)
//   32 int32   header size (1024)           560 uint32  real bit depth (12)
//   36 wchar256 description                 564 uint32  image size in bytes
//  572 uint32  allocated frames             568 uint32  image format (100 = mono)
//  580 uint32  TrueImageSize (stride)       584 double  frame rate
//  620 uint32  compression (0 = none)       660 uint32  byte alignment (8192, v5)
//
// Other fields (origin, reference frame, flags, H.264/JPEG settings, index offset) are
// written with the samples' values and not read.
#include "ecm/io/sources/seq_header.hpp"

#include <cstring>

#include "ecm/core/error.hpp"

namespace ecm::io::sources {

namespace {

constexpr std::uint32_t kMagic = 0xFEED;
const char kName[] = "Norpix seq";

template <class T>
T get(const std::vector<unsigned char>& h, std::size_t at) {
  T v;
  std::memcpy(&v, h.data() + at, sizeof(T));
  to_native(&v, 1, sizeof(T), ByteOrder::little);
  return v;
}

template <class T>
void put(std::vector<unsigned char>& h, std::size_t at, T v) {
  to_native(&v, 1, sizeof(T), ByteOrder::little);  // a swap is its own inverse
  std::memcpy(h.data() + at, &v, sizeof(T));
}

void put_utf16(std::vector<unsigned char>& h, std::size_t at, const std::string& s, std::size_t max_chars) {
  for (std::size_t i = 0; i < s.size() && i + 1 < max_chars; ++i) put<std::uint16_t>(h, at + 2 * i, std::uint8_t(s[i]));
}

}  // namespace

PixelType SeqHeader::pixel_type() const {
  switch (bit_depth) {
    case 8: return PixelType::u8;
    case 16: return PixelType::u16;
    default: return PixelType::u32;
  }
}

bool is_seq_magic(const std::vector<unsigned char>& head) {
  if (head.size() < 24 || get<std::uint32_t>(head, 0) != kMagic) return false;
  for (std::size_t i = 0; i < sizeof(kName) - 1; ++i)
    if (head[4 + 2 * i] != static_cast<unsigned char>(kName[i]) || head[5 + 2 * i] != 0) return false;
  return true;
}

SeqHeader read_seq_header(const RawFile& file) {
  const auto h = file.read_at(0, kSeqHeaderBytes, "the .seq header");
  const std::string& p = file.path();
  if (!is_seq_magic(h)) throw InputError(p + ": not a Norpix .seq file (no 0xFEED \"Norpix seq\" header)");
  SeqHeader s;
  s.version = get<std::int32_t>(h, 28);
  if (s.version != 4 && s.version != 5)
    throw InputError(p + ": .seq header version " + std::to_string(s.version) + " is not read (versions 4 and 5 are)");
  const auto header_size = get<std::int32_t>(h, 32);
  s.width = get<std::uint32_t>(h, 548);
  s.height = get<std::uint32_t>(h, 552);
  s.bit_depth = get<std::uint32_t>(h, 556);
  s.bit_depth_real = get<std::uint32_t>(h, 560);
  s.image_bytes = get<std::uint32_t>(h, 564);
  s.image_format = get<std::uint32_t>(h, 568);
  s.allocated_frames = get<std::uint32_t>(h, 572);
  s.true_image_size = get<std::uint32_t>(h, 580);
  s.frame_rate = get<double>(h, 584);
  s.compression = get<std::uint32_t>(h, 620);
  const auto alignment = get<std::uint32_t>(h, 660);

  if (header_size != int(kSeqHeaderBytes))
    throw InputError(p + ": .seq header size " + std::to_string(header_size) + ", expected 1024");
  if (s.image_format != kSeqFormatMono && s.image_format != kSeqFormatMonoBayer)
    throw InputError(p + ": .seq image format " + std::to_string(s.image_format) +
                     " is not read (only single-channel images, format 100 or 101)");
  if (s.compression != 0)
    throw InputError(p + ": compressed .seq (compression format " + std::to_string(s.compression) +
                     ") is not read");
  if (s.bit_depth != 8 && s.bit_depth != 16 && s.bit_depth != 32)
    throw InputError(p + ": .seq bit depth " + std::to_string(s.bit_depth) + " is not read (8, 16 or 32 are)");
  if (s.width == 0 || s.height == 0 || s.width > (1u << 16) || s.height > (1u << 20))
    throw InputError(p + ": .seq header gives an image of " + std::to_string(s.width) + "x" +
                     std::to_string(s.height) + " pixels");
  const std::uint64_t expect = std::uint64_t(s.width) * s.height * (s.bit_depth / 8);
  if (s.image_bytes != expect)
    throw InputError(p + ": .seq header says images of " + std::to_string(s.image_bytes) + " bytes, but " +
                     std::to_string(s.width) + "x" + std::to_string(s.height) + " pixels of " +
                     std::to_string(s.bit_depth) + " bits take " + std::to_string(expect));
  if (std::uint64_t(s.true_image_size) < expect + s.timestamp_bytes())
    throw InputError(p + ": .seq record stride (TrueImageSize) of " + std::to_string(s.true_image_size) +
                     " bytes cannot hold an image of " + std::to_string(expect) + " bytes and its timestamp");
  // Version 5 pads the header to the byte alignment (byte 660); older versions start right after it.
  if (s.version >= 5)
    s.data_offset = alignment >= kSeqHeaderBytes && alignment % 512 == 0 ? alignment : kSeqV5Alignment;
  else
    s.data_offset = kSeqHeaderBytes;
  return s;
}

std::vector<unsigned char> encode_seq_header(const SeqHeader& s, const std::string& description) {
  std::vector<unsigned char> h(kSeqHeaderBytes, 0);
  put<std::uint32_t>(h, 0, kMagic);
  put_utf16(h, 4, kName, 12);
  put<std::int32_t>(h, 28, s.version);
  put<std::int32_t>(h, 32, std::int32_t(kSeqHeaderBytes));
  put_utf16(h, 36, description, 256);
  put<std::uint32_t>(h, 548, s.width);
  put<std::uint32_t>(h, 552, s.height);
  put<std::uint32_t>(h, 556, s.bit_depth);
  put<std::uint32_t>(h, 560, s.bit_depth_real);
  put<std::uint32_t>(h, 564, s.image_bytes);
  put<std::uint32_t>(h, 568, s.image_format);
  put<std::uint32_t>(h, 572, s.allocated_frames);
  put<std::uint32_t>(h, 580, s.true_image_size);
  put<double>(h, 584, s.frame_rate);
  put<std::uint32_t>(h, 620, s.compression);
  // As in the samples: flags 0x10, H.264 GOP 30 and bitrate 5e6, JPEG quality word.
  put<std::uint32_t>(h, 604, 0x10);
  put<std::uint32_t>(h, 632, 30);
  put<std::uint32_t>(h, 636, 5000000);
  put<std::uint32_t>(h, 640, 0x80000000u);
  if (s.version >= 5) {
    put<std::uint32_t>(h, 660, std::uint32_t(s.data_offset));
    // Undocumented; both samples hold allocated frames + 1 at 664 and all ones at 672.
    put<std::uint32_t>(h, 664, s.allocated_frames + 1);
    put<std::uint64_t>(h, 672, ~std::uint64_t(0));
  }
  return h;
}

SeqTimestamp decode_seq_timestamp(const unsigned char* b, int version) {
  std::int32_t s;
  std::uint16_t ms, us = 0;
  std::memcpy(&s, b, 4);
  std::memcpy(&ms, b + 4, 2);
  if (version >= 5) std::memcpy(&us, b + 6, 2);
  to_native(&s, 1, 4, ByteOrder::little);
  to_native(&ms, 1, 2, ByteOrder::little);
  to_native(&us, 1, 2, ByteOrder::little);
  return {s, ms, us};
}

void encode_seq_timestamp(const SeqTimestamp& t, int version, unsigned char* b) {
  std::int32_t s = std::int32_t(t.seconds);
  std::uint16_t ms = std::uint16_t(t.ms), us = std::uint16_t(t.us);
  to_native(&s, 1, 4, ByteOrder::little);
  to_native(&ms, 1, 2, ByteOrder::little);
  to_native(&us, 1, 2, ByteOrder::little);
  std::memcpy(b, &s, 4);
  std::memcpy(b + 4, &ms, 2);
  if (version >= 5) std::memcpy(b + 6, &us, 2);
}

std::uint64_t seq_record_stride(std::uint64_t image_bytes, std::uint64_t alignment) {
  const std::uint64_t need = image_bytes + 8;
  return (need + alignment - 1) / alignment * alignment;
}

}  // namespace ecm::io::sources
