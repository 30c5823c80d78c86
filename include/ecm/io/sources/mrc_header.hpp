#pragma once
// The MRC / MRC2014 header (1024 bytes, then `nsymbt` bytes of extended header, then the
// data), as the MRC stack reader and the DE dark/gain references need it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecm/io/frame_source.hpp"
#include "ecm/io/raw_file.hpp"

namespace ecm::io::sources {

struct MrcHeader {
  std::size_t nx = 0, ny = 0, nz = 0;  // columns, rows, sections as the header says
  int mode = 0;                        // 0 int8, 1 int16, 2 float32, 6 uint16 (others refused)
  std::size_t extended_bytes = 0;      // nsymbt
  ByteOrder order = ByteOrder::little;  // from the machine stamp (byte 212)
  // Mode 0 bytes are signed in MRC2014; IMOD marks its files (imodStamp at byte 152) and
  // stores bytes unsigned unless bit 0 of imodFlags (byte 156) says signed.
  bool signed_bytes = true;
  std::uint64_t data_offset() const { return 1024 + extended_bytes; }
  std::size_t element_bytes() const;
  std::size_t image_bytes() const { return nx * ny * element_bytes(); }
  // Whole images the file holds after the header (may differ from nz: DE writes a bogus nz
  // into its references).
  std::size_t images_in_file = 0;
};

// Parses and checks the header of `file`; throws InputError naming it on a malformed header.
MrcHeader read_mrc_header(const RawFile& file);

// The first image of an MRC file as det_y x det_x floats (a dark or gain reference). Throws
// InputError naming the file and both shapes when it is not det_y x det_x.
DetectorReference read_mrc_reference(const std::string& path, std::size_t det_y, std::size_t det_x);

}  // namespace ecm::io::sources
