#pragma once
// The pixels of one Merlin .mib record, as stored, to a decoded frame.
//
// U08 / U16 / U32 are big-endian counts, row-major, the quad already assembled (512 x 512).
// U01 is read as packed bits, the first pixel in the most significant bit of each byte.
// R64 ("raw") is the readout as the chips send it: 64-bit big-endian words, each holding
// 64 / b pixels of b bits (b = 1, 8, 16 for counter depths 1, 6, 12), the first pixel in the
// least significant bits. A quad's raw frame is a strip of its four chips side by side
// (1024 x 256): chips 3 and 2 are the top-left and top-right quadrants as they are, chips 1 and
// 0 the bottom-left and bottom-right turned by 180 degrees. The 1-bit layout, single chip and
// quad, was checked against U08 frames the same camera took seconds before or after
// (RosettaSciIO's Merlin_Single_Quad samples): 99.9 % of pixels agree, the rest is counting
// noise, while any other word order, bit order or chip placement agrees on <= 96 %. 6- and
// 12-bit raw frames follow the same words unchecked; raw 24-bit frames (two 12-bit counters)
// are refused.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ecm/io/frame_source.hpp"
#include "ecm/io/sources/mib_header.hpp"

namespace ecm::io::sources {

struct MibPixelFormat {
  enum class Kind { copy8, swap16, swap32, bits_msb_first, raw64 };
  Kind kind = Kind::copy8;
  PixelType type = PixelType::u8;
  std::size_t det_y = 0, det_x = 0;  // the decoded frame
  std::size_t stored_bytes = 0;      // pixel bytes of one record
  // raw64: bits per pixel in the words; the stored strip; whether it is a 2x2 quad to assemble.
  int raw_bits = 0;
  std::size_t strip_w = 0, strip_h = 0;
  bool quad = false;
  // One line for the user when this decoding has not been checked against a camera file.
  std::string caveat;
};

// The decoding of frames with header `h`; `counter_depth` from the frame header or the .hdr
// (needed for R64). Throws InputError naming `path` for a format ecm does not read.
MibPixelFormat mib_pixel_format(const MibFrameHeader& h, std::optional<int> counter_depth, const std::string& path);

// Decodes one record's pixels (f.stored_bytes at `stored`) into `out` (det_y * det_x values of
// f.type, native endianness). `scratch` is working memory kept between calls.
void decode_mib_pixels(const MibPixelFormat& f, const unsigned char* stored, void* out,
                       std::vector<unsigned char>& scratch);

}  // namespace ecm::io::sources
