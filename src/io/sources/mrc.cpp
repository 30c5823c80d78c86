// MRC / MRC2014 image stacks (nx x ny images, nz of them, after a 1024-byte header and an
// extended header) and DE-Server movies (`X_movie.mrc` with `X_info.txt` beside it). Every
// image is one frame. Images lie back to back, so a run of frames is one positioned read.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/io/sources/de_server_info.hpp"
#include "ecm/io/sources/formats.hpp"
#include "ecm/io/sources/mrc_header.hpp"

namespace ecm::io::sources {

namespace {

// DE's StreamPix writes nz = 32766 into its dark/gain references before it knows how many
// images follow: a header count of exactly this is a placeholder, not a promise.
constexpr std::size_t kDePlaceholderNz = 32766;



std::int32_t head_int(const std::vector<unsigned char>& h, std::size_t at, ByteOrder order) {
  std::int32_t v;
  std::memcpy(&v, h.data() + at, 4);
  to_native(&v, 1, 4, order);
  return v;
}

// The header's numbers are those of an image stack ecm can read (for files named .mrc that
// lack the "MAP " word of MRC2000 and later).
bool sane_header(const std::vector<unsigned char>& h) {
  if (h.size() < 1024) return false;
  const ByteOrder order = h[212] == 0x11 ? ByteOrder::big : ByteOrder::little;
  const std::int32_t nx = head_int(h, 0, order), ny = head_int(h, 4, order), nz = head_int(h, 8, order);
  const std::int32_t mode = head_int(h, 12, order), nsymbt = head_int(h, 92, order);
  const bool mode_known = mode == 0 || mode == 1 || mode == 2 || mode == 6;
  return nx > 0 && ny > 0 && nx <= (1 << 20) && ny <= (1 << 20) && nz > 0 && nsymbt >= 0 && mode_known;
}

std::string mode_name(const MrcHeader& h) {
  switch (h.mode) {
    case 0: return h.signed_bytes ? "int8" : "uint8 (IMOD)";
    case 1: return "int16";
    case 2: return "float32";
    case 6: return "uint16";
  }
  return "?";
}

class MrcSource final : public FrameSource {
 public:
  MrcSource(const std::string& path, RawFile file, const MrcHeader& header, std::size_t n_frames)
      : file_(std::move(file)), h_(header) {
    shape_.det_y = h_.ny;
    shape_.det_x = h_.nx;
    shape_.n_frames = n_frames;
    // Signed integers have no PixelType: int8 and int16 become float32, which holds every
    // value of both exactly. uint8 (IMOD), float32 and uint16 are handed on as stored.
    convert_ = h_.mode == 1 || (h_.mode == 0 && h_.signed_bytes);
    shape_.type = h_.mode == 6 ? PixelType::u16 : (h_.mode == 0 && !h_.signed_bytes) ? PixelType::u8 : PixelType::f32;
    description_ = "MRC " + path + ": " + std::to_string(n_frames) + " images of " + std::to_string(h_.ny) + " x " +
                   std::to_string(h_.nx) + " px, mode " + std::to_string(h_.mode) + " (" + mode_name(h_) +
                   (convert_ ? ", read as float32" : "") + (h_.order == ByteOrder::big ? ", big-endian" : "") + ")";
  }

  std::string format() const override { return "mrc"; }
  std::string description() const override { return description_; }
  const FrameShape& shape() const override { return shape_; }
  const SourceMetadata& metadata() const override { return meta_; }
  SourceMetadata& metadata_mut() { return meta_; }
  void add_description(const std::string& more) { description_ += more; }

  void read_frames(const FrameRun* runs, std::size_t n_runs, void* out) const override {
    auto* dst = static_cast<unsigned char*>(out);
    for (std::size_t i = 0; i < n_runs;) {
      // Runs that continue one another are one read.
      std::size_t first = runs[i].first, count = runs[i].count, j = i + 1;
      while (j < n_runs && runs[j].first == first + count) count += runs[j++].count;
      if (first > shape_.n_frames || count > shape_.n_frames - first)
        throw Error(file_.path() + ": frames " + std::to_string(first) + " .. " + std::to_string(first + count) +
                    " asked for, the file has " + std::to_string(shape_.n_frames));
      read_images(first, count, dst);
      dst += count * shape_.frame_bytes();
      i = j;
    }
  }

 private:
  std::string what(std::size_t first, std::size_t count) const {
    return "images " + std::to_string(first) + " .. " + std::to_string(first + count - 1);
  }

  void read_images(std::size_t first, std::size_t count, unsigned char* dst) const {
    if (count == 0) return;
    const std::uint64_t image = h_.image_bytes();
    const std::size_t pixels = shape_.frame_pixels(), elem = h_.element_bytes();
    if (!convert_) {
      file_.read_at(h_.data_offset() + first * image, count * image, dst, what(first, count));
      to_native(dst, count * pixels, elem, h_.order);
      return;
    }
    // Signed modes: read a few MiB of images at a time and widen them to float.
    const std::size_t per_read = std::max<std::size_t>(1, (std::size_t(4) << 20) / image);
    auto* out = reinterpret_cast<float*>(dst);
    for (std::size_t done = 0; done < count;) {
      const std::size_t k = std::min(per_read, count - done);
      scratch_.resize(k * image);
      file_.read_at(h_.data_offset() + (first + done) * image, k * image, scratch_.data(), what(first + done, k));
      const std::size_t n = k * pixels;
      if (h_.mode == 0) {
        const auto* v = reinterpret_cast<const std::int8_t*>(scratch_.data());
        for (std::size_t p = 0; p < n; ++p) out[p] = float(v[p]);
      } else {
        to_native(scratch_.data(), n, 2, h_.order);
        for (std::size_t p = 0; p < n; ++p) {
          std::int16_t v;
          std::memcpy(&v, scratch_.data() + 2 * p, 2);
          out[p] = float(v);
        }
      }
      out += n;
      done += k;
    }
  }

  RawFile file_;
  MrcHeader h_;
  FrameShape shape_;
  SourceMetadata meta_;
  std::string description_;
  bool convert_ = false;
  mutable std::vector<unsigned char> scratch_;  // read_frames is called from one thread at a time
};

}  // namespace

bool looks_like_mrc(const std::string& path, const std::vector<unsigned char>& head) {
  // MRC2000 and MRC2014 write "MAP " at byte 208; older stacks only have the extension.
  if (head.size() >= 212 && std::memcmp(head.data() + 208, "MAP ", 4) == 0) return true;
  const std::string ext = lower_extension(path);
  return (ext == "mrc" || ext == "mrcs") && sane_header(head);
}

std::unique_ptr<FrameSource> open_mrc(const std::string& path, const SourceOptions& options) {
  (void)options;
  RawFile file(path);
  const MrcHeader h = read_mrc_header(file);
  const std::uint64_t data_bytes = file.size() - h.data_offset();
  const std::string geometry = std::to_string(h.ny) + " x " + std::to_string(h.nx) + " px, mode " +
                               std::to_string(h.mode) + " (" + mode_name(h) + ")";
  std::vector<std::string> notes;
  std::size_t n_frames = h.nz;
  if (h.nz == 0) throw InputError(path + ": the MRC header says it holds no images (nz " + std::to_string(h.nz) + ")");
  if (h.images_in_file < h.nz) {
    if (h.nz != kDePlaceholderNz || h.images_in_file == 0)
      throw InputError(path + ": the MRC header says " + std::to_string(h.nz) + " images of " + geometry +
                       ", but the file holds " + std::to_string(h.images_in_file) + " whole images (" +
                       std::to_string(data_bytes) + " bytes after the header): truncated?");
    n_frames = h.images_in_file;
    notes.push_back(path + ": header nz " + std::to_string(h.nz) +
                    " is DE's placeholder for an unknown count: reading the " + std::to_string(n_frames) +
                    " whole images the file holds");
  } else if (data_bytes > std::uint64_t(h.nz) * h.image_bytes()) {
    notes.push_back(path + ": " + std::to_string(data_bytes - std::uint64_t(h.nz) * h.image_bytes()) +
                    " bytes after the header's " + std::to_string(h.nz) + " images are ignored");
  }
  auto source = std::make_unique<MrcSource>(path, std::move(file), h, n_frames);
  SourceMetadata& meta = source->metadata_mut();
  meta.notes = std::move(notes);

  // A DE-Server movie: the scan and the frame rate are in X_info.txt beside X_movie.mrc.
  const std::string info_path = de_server_info_path(path);
  if (!info_path.empty()) {
    if (file_exists(info_path)) {
      meta.other_files.push_back(info_path);
      apply_de_server_info(read_de_server_info(info_path), path, n_frames, meta);
      source->add_description("; DE-Server info " + base_name(info_path));
    } else {
      meta.notes.push_back(path + ": no DE-Server " + base_name(info_path) +
                           " beside it: read as a plain MRC stack (give --scan-shape and --time-step)");
    }
  }
  return source;
}

}  // namespace ecm::io::sources
