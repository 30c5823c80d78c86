// The Merlin (Medipix3) .mib frame source. Records are fixed-size (header + pixels) within a
// file, so frame i sits at i * stride: each rank reads its own runs of frames by positioned
// reads, one read per run of records (headers included), and decodes the pixels out of it.
// Only the first and last headers are read at open (files may hold 1e8 frames); timestamps()
// reads the headers it is asked for.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/io/sources/formats.hpp"
#include "ecm/io/sources/mib_header.hpp"
#include "ecm/io/sources/mib_pixels.hpp"

namespace ecm::io::sources {

namespace {

bool has_extension(const std::string& path, const std::string& ext) {
  if (path.size() <= ext.size()) return false;
  std::string tail = path.substr(path.size() - ext.size());
  for (auto& c : tail) c = char(std::tolower(static_cast<unsigned char>(c)));
  return tail == ext;
}

// One run of records is read at once up to this size, then decoded (bounded scratch memory).
constexpr std::size_t kReadBlockBytes = std::size_t(2) << 20;

class MibSource final : public FrameSource {
 public:
  MibSource(const std::string& mib_path, const std::string& hdr_path, const SourceOptions& options)
      : file_(mib_path), hdr_path_(hdr_path) {
    const std::string& path = file_.path();
    if (file_.size() < 4 || file_.read_at(0, 4, "the first frame header") != std::vector<unsigned char>{'M', 'Q', '1', ','})
      throw InputError(path + ": not a Merlin .mib file (it does not start with \"MQ1,\")");
    // The header states its own length (384 for one chip, 768 for a quad; other software differs).
    const auto head = file_.read_at(0, std::size_t(std::min<std::uint64_t>(file_.size(), 32)), "the first frame header");
    const std::size_t header_bytes = mib_header_length(head.data(), head.size(), path + ": frame 0");
    const auto first = file_.read_at(0, header_bytes, "the first frame header");
    first_ = parse_mib_frame_header(first.data(), first.size(), path + ": frame 0");

    meta_.other_files.push_back(path);  // the frames (the source may have been opened by its .hdr)
    MibAcquisitionHeader acq;
    if (!hdr_path_.empty()) {
      meta_.other_files.push_back(hdr_path_);
      RawFile hdr(hdr_path_);
      if (hdr.size() > (1u << 20)) throw InputError(hdr_path_ + ": too large for a Merlin acquisition header");
      const auto bytes = hdr.read_at(0, std::size_t(hdr.size()), "the acquisition header");
      acq = parse_mib_hdr(std::string(bytes.begin(), bytes.end()), hdr_path_);
    } else {
      meta_.notes.push_back(path + ": no acquisition header (" + mib_hdr_path(path) + ") beside it: scan shape unknown");
    }
    pixels_ = mib_pixel_format(first_, first_.counter_depth ? first_.counter_depth : acq.counter_depth, path);
    if (!pixels_.caveat.empty()) meta_.notes.push_back(path + ": " + pixels_.caveat);

    stride_ = header_bytes + pixels_.stored_bytes;
    std::size_t records = std::size_t(file_.size() / stride_);
    const std::uint64_t rest = file_.size() % stride_;
    if (records == 0)
      throw InputError(path + ": holds no whole frame (" + first_.summary() + " needs " + std::to_string(stride_) +
                       " bytes a frame, the file has " + std::to_string(file_.size()) + ")");
    if (rest)
      meta_.notes.push_back(path + ": a partial frame of " + std::to_string(rest) + " bytes after the last of " +
                            std::to_string(records) + " whole frames (" + std::to_string(stride_) +
                            " bytes each) is ignored (an interrupted acquisition?)");
    if (options.frame_count) {
      if (*options.frame_count == 0 || *options.frame_count > records)
        throw InputError(path + ": --frame-count " + std::to_string(*options.frame_count) + " but the file holds " +
                         std::to_string(records) + " whole frames");
      records = *options.frame_count;
    }
    // Every record must have the first one's size: compare the last header with the first.
    const MibFrameHeader last = header_of(records - 1);
    if (!last.same_format(first_))
      throw InputError(path + ": frame " + std::to_string(records - 1) + "'s header says " + last.summary() +
                       ", frame 0's says " + first_.summary() + ": the frames of one file must agree");
    if (acq.frames && *acq.frames != records && !options.frame_count)
      meta_.notes.push_back(hdr_path_ + ": says " + std::to_string(*acq.frames) + " frames, " + path + " holds " +
                            std::to_string(records) + ": using " + std::to_string(records));

    shape_.det_y = pixels_.det_y;
    shape_.det_x = pixels_.det_x;
    shape_.type = pixels_.type;
    shape_.n_frames = records;
    set_times(last);
    set_scan_shape(acq);
  }

  std::string format() const override { return "mib"; }

  std::string description() const override {
    std::string d = "Merlin " + file_.path() + (hdr_path_.empty() ? "" : " + " + hdr_path_) + ": " +
                    std::to_string(shape_.n_frames) + " frames of " + std::to_string(shape_.det_y) + " x " +
                    std::to_string(shape_.det_x) + " " + first_.depth;
    if (first_.counter_depth) d += " (counter depth " + std::to_string(*first_.counter_depth) + ")";
    return d + ", " + first_.layout + " chips, " + std::to_string(first_.header_bytes) + "-byte frame headers";
  }

  const FrameShape& shape() const override { return shape_; }
  const SourceMetadata& metadata() const override { return meta_; }

  void read_frames(const FrameRun* runs, std::size_t n_runs, void* out) const override {
    auto* dst = static_cast<unsigned char*>(out);
    const std::size_t frame_bytes = shape_.frame_bytes();
    const std::size_t per_block = std::max<std::size_t>(1, kReadBlockBytes / stride_);
    for (std::size_t r = 0; r < n_runs; ++r) {
      const FrameRun& run = runs[r];
      if (run.first > shape_.n_frames || run.count > shape_.n_frames - run.first)
        throw Error("internal: frames [" + std::to_string(run.first) + ", " + std::to_string(run.first + run.count) +
                    ") asked of " + file_.path() + ", which holds " + std::to_string(shape_.n_frames));
      for (std::size_t done = 0; done < run.count;) {
        const std::size_t k = std::min(per_block, run.count - done);
        const std::size_t first = run.first + done;
        scratch_.resize(k * stride_);
        file_.read_at(std::uint64_t(first) * stride_, k * stride_, scratch_.data(),
                      "frames " + std::to_string(first) + " to " + std::to_string(first + k - 1));
        for (std::size_t i = 0; i < k; ++i) {
          const unsigned char* rec = scratch_.data() + i * stride_;
          // A record that does not start with a header means the file is not the fixed-size
          // sequence its first and last headers promise (a corrupt or spliced file).
          if (std::memcmp(rec, "MQ1,", 4) != 0)
            throw InputError(file_.path() + ": frame " + std::to_string(first + i) + " at byte " +
                             std::to_string(std::uint64_t(first + i) * stride_) +
                             " does not start with a frame header (\"MQ1,\"): a corrupt file");
          decode_mib_pixels(pixels_, rec + first_.header_bytes, dst, decode_scratch_);
          dst += frame_bytes;
        }
        done += k;
      }
    }
  }

  std::vector<double> timestamps(const std::vector<std::size_t>& frames) const override {
    if (!t0_ns_) return {};
    std::vector<double> t(frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
      if (frames[i] >= shape_.n_frames)
        throw Error("internal: timestamp of frame " + std::to_string(frames[i]) + " asked of " + file_.path());
      const MibFrameHeader h = header_of(frames[i]);
      if (!h.time_ns)
        throw InputError(file_.path() + ": frame " + std::to_string(frames[i]) + "'s header has no readable time stamp");
      t[i] = double(*h.time_ns - *t0_ns_) * 1e-9;
    }
    return t;
  }

 private:
  MibFrameHeader header_of(std::size_t frame) const {
    const std::uint64_t at = std::uint64_t(frame) * stride_;
    const std::string where = file_.path() + ": frame " + std::to_string(frame) + " at byte " + std::to_string(at);
    const auto bytes = file_.read_at(at, first_.header_bytes, "the header of frame " + std::to_string(frame));
    if (std::memcmp(bytes.data(), "MQ1,", 4) != 0)
      throw InputError(where + " does not start with a frame header (\"MQ1,\"): frames are not " +
                       std::to_string(stride_) + " bytes apart as the first header says (" + first_.summary() + ")");
    const std::size_t len = mib_header_length(bytes.data(), bytes.size(), where);
    if (len != first_.header_bytes)
      throw InputError(where + ": its header says it is " + std::to_string(len) + " bytes long, frame 0's " +
                       std::to_string(first_.header_bytes) + ": the frames of one file must agree");
    return parse_mib_frame_header(bytes.data(), bytes.size(), where);
  }

  // Timestamps relative to frame 0 (ns integers: seconds since 1970 in a double lose the ns);
  // the frame period from the first and last frames, else the exposure.
  void set_times(const MibFrameHeader& last) {
    t0_ns_ = first_.time_ns;
    const std::size_t n = shape_.n_frames;
    if (t0_ns_ && last.time_ns && n > 1) {
      if (*last.time_ns < *t0_ns_)
        throw InputError(file_.path() + ": timestamps go backwards: frame " + std::to_string(n - 1) +
                         " was taken " + std::to_string(double(*t0_ns_ - *last.time_ns) * 1e-9) + " s before frame 0");
      if (*last.time_ns > *t0_ns_) meta_.frame_time_s = double(*last.time_ns - *t0_ns_) * 1e-9 / double(n - 1);
    }
    if (!meta_.frame_time_s && first_.shutter_s > 0) meta_.frame_time_s = first_.shutter_s;
  }

  // The scan shape, only where the acquisition header makes it clear: ScanX / ScanY (newer
  // Merlin software), else frames per trigger as the scan width (one trigger per scan row).
  void set_scan_shape(const MibAcquisitionHeader& acq) {
    const std::size_t n = shape_.n_frames;
    if (acq.scan_x && acq.scan_y && *acq.scan_x > 0 && *acq.scan_y > 0) {
      meta_.scan_shape = std::array<std::size_t, 2>{*acq.scan_y, *acq.scan_x};
      return;
    }
    if (!acq.frames_per_trigger || *acq.frames_per_trigger <= 1) return;  // a trigger per frame says nothing
    const std::size_t nx = *acq.frames_per_trigger;
    if (n % nx == 0) meta_.scan_shape = std::array<std::size_t, 2>{n / nx, nx};
    else
      meta_.notes.push_back(hdr_path_ + ": " + std::to_string(nx) + " frames per trigger do not divide the " +
                            std::to_string(n) + " frames: scan shape unknown (give --scan-shape)");
  }

  RawFile file_;
  std::string hdr_path_;  // empty: none beside the .mib
  MibFrameHeader first_;
  MibPixelFormat pixels_;
  std::size_t stride_ = 0;  // bytes of one record: header + pixels
  FrameShape shape_;
  SourceMetadata meta_;
  std::optional<std::int64_t> t0_ns_;
  mutable std::vector<unsigned char> scratch_, decode_scratch_;
};

}  // namespace

bool looks_like_mib(const std::string& path, const std::vector<unsigned char>& head) {
  static const unsigned char frame[4] = {'M', 'Q', '1', ','}, acq[4] = {'H', 'D', 'R', ','};
  if (head.size() >= 4 && std::equal(frame, frame + 4, head.begin())) return true;
  // The acquisition header names the acquisition too (open_mib finds the .mib beside it).
  if (!has_extension(path, ".hdr")) return false;
  return head.empty() || (head.size() >= 4 && std::equal(acq, acq + 4, head.begin()));
}

std::unique_ptr<FrameSource> open_mib(const std::string& path, const SourceOptions& options) {
  if (!file_exists(path)) throw InputError(path + ": no such file");
  std::string mib = path, hdr;
  const auto head = file_head(path, 4);
  if (has_extension(path, ".hdr") && head == std::vector<unsigned char>{'H', 'D', 'R', ','}) {
    mib = mib_data_path(path);
    hdr = path;
    if (!file_exists(mib)) throw InputError(path + ": the frames of this Merlin header are missing (no " + mib + ")");
  } else if (file_exists(mib_hdr_path(path))) {
    hdr = mib_hdr_path(path);
  }
  return std::make_unique<MibSource>(mib, hdr, options);
}

}  // namespace ecm::io::sources
