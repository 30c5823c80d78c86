#pragma once
// The Norpix StreamPix sequence (.seq) header and record layout, as the .seq reader and the
// `ecm simulate --format seq` writer share it.
//
// A .seq file is a 1024-byte header, then (after padding, see data_offset) one record per
// stored image at a fixed stride, TrueImageSize: the image, then its timestamp, then zeros up
// to the stride. All numbers are little-endian (StreamPix runs on Windows).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecm/io/frame_source.hpp"
#include "ecm/io/raw_file.hpp"

namespace ecm::io::sources {

constexpr std::size_t kSeqHeaderBytes = 1024;
// Header versions 5 and later pad the header to this alignment (the sector alignment of
// StreamPix's unbuffered writes, also stored at byte 660): both DE samples start at 8192.
constexpr std::size_t kSeqV5Alignment = 8192;
// Norpix image format codes of single-channel images (100 monochrome, 101 raw Bayer).
constexpr std::uint32_t kSeqFormatMono = 100, kSeqFormatMonoBayer = 101;

struct SeqHeader {
  int version = 5;                     // 4 or 5 are read
  std::uint32_t width = 0, height = 0;  // pixels of one stored image
  std::uint32_t bit_depth = 16;        // bits per stored pixel: 8, 16 or 32
  std::uint32_t bit_depth_real = 16;   // significant bits (12 on the DE cameras)
  std::uint32_t image_bytes = 0;       // ImageSizeBytes
  std::uint32_t image_format = kSeqFormatMono;
  std::uint32_t allocated_frames = 0;  // the frame count the header claims
  std::uint32_t true_image_size = 0;   // record stride
  double frame_rate = 0;               // [frames/s]
  std::uint32_t compression = 0;       // 0 = none (the only one read)
  std::uint64_t data_offset = 0;       // byte of the first record

  PixelType pixel_type() const;
  // Bytes of the timestamp after each image: v5 stores s (int32), ms (uint16), us (uint16);
  // earlier versions s and ms only.
  std::size_t timestamp_bytes() const { return version >= 5 ? 8 : 6; }
  std::uint64_t record_offset(std::uint64_t record) const { return data_offset + record * true_image_size; }
};

// Whether the first bytes are a .seq header: 0xFEED, then "Norpix seq" in UTF-16LE.
bool is_seq_magic(const std::vector<unsigned char>& head);

// Parses and checks the header of `file`: magic, version, pixel depth, image size against
// width x height, a stride that holds image and timestamp. Throws InputError naming the file.
SeqHeader read_seq_header(const RawFile& file);

// The 1024 header bytes of `h` as StreamPix writes them (data_offset and the fields the
// reader ignores included); the caller pads the file to h.data_offset.
std::vector<unsigned char> encode_seq_header(const SeqHeader& h, const std::string& description);

// A record's timestamp, split as stored.
struct SeqTimestamp {
  std::int64_t seconds = 0;  // since 1970 (time_t)
  std::uint32_t ms = 0, us = 0;
};
SeqTimestamp decode_seq_timestamp(const unsigned char* bytes, int version);
void encode_seq_timestamp(const SeqTimestamp& t, int version, unsigned char* bytes);

// The stride StreamPix uses for images of `image_bytes` bytes: image and 8 bytes of
// timestamp, rounded up to `alignment` (8192 in both DE samples: 8192 -> 16384, 65536 -> 73728).
std::uint64_t seq_record_stride(std::uint64_t image_bytes, std::uint64_t alignment);

}  // namespace ecm::io::sources
