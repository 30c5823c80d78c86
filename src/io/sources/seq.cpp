// The Norpix StreamPix / Direct Electron .seq frame source: plain movies, and DE Celeritas
// movies split into a top and a bottom file, stitched back into one frame; records that
// stack several frames (DE's segment prebuffer); dark, gain and bad-pixel companions.
//
// Reads are positioned reads of whole runs of records into a cache-sized scratch buffer,
// from which the images are copied out: one pread per run however small the frames. Large
// frames are read straight into an aligned caller's buffer instead, one pread per frame.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <sstream>

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/io/sources/de_config.hpp"
#include "ecm/io/sources/formats.hpp"
#include "ecm/io/sources/mrc_header.hpp"
#include "ecm/io/sources/seq_files.hpp"
#include "ecm/io/sources/seq_header.hpp"

namespace ecm::io::sources {

bool looks_like_seq(const std::string&, const std::vector<unsigned char>& head) { return is_seq_magic(head); }

namespace {

// Scratch per part and read: small enough to stay in cache between the pread that fills it
// and the copies that empty it.
constexpr std::size_t kScratchBytes = std::size_t(2) << 20;

// Images at least this large are read straight into the caller's buffer, one pread each.
constexpr std::size_t kDirectBytes = std::size_t(64) << 10;

struct Part {
  RawFile file;
  SeqHeader header;
  std::size_t records = 0;  // records on disk whose image and timestamp are whole
};

std::string base_name(const std::string& p) { return p.substr(p.rfind('/') + 1); }

std::size_t records_on_disk(const RawFile& f, const SeqHeader& h) {
  const std::uint64_t need = h.image_bytes + h.timestamp_bytes();
  if (f.size() < h.data_offset + need) return 0;
  return std::size_t((f.size() - h.data_offset - need) / h.true_image_size + 1);
}

class SeqSource final : public FrameSource {
 public:
  SeqSource(const std::string& path, const SourceOptions& options);
  std::string format() const override { return "seq"; }
  std::string description() const override { return description_; }
  const FrameShape& shape() const override { return shape_; }
  const SourceMetadata& metadata() const override { return meta_; }
  void read_frames(const FrameRun* runs, std::size_t n_runs, void* out) const override;
  std::vector<double> timestamps(const std::vector<std::size_t>& frames) const override;
  std::array<std::size_t, 3> storage_chunk() const override { return {1, 1, per_record_}; }

 private:
  void check_halves_agree() const;
  void choose_frames_per_record(const std::optional<DeConfig>& config);
  void choose_frame_count(const SourceOptions& options);
  void read_references(const SeqFiles& files, const std::optional<DeConfig>& config);
  void mark_frame_counters();
  void copy_frame(const unsigned char* const* records, std::size_t block, unsigned char* dst) const;
  double record_time(std::size_t record) const;
  unsigned char* scratch(std::size_t bytes) const;
  void flip_rows(unsigned char* frame) const;

  std::vector<Part> parts_;       // the file, or the top and bottom halves
  std::size_t per_record_ = 1;    // frames stacked in one record
  std::size_t block_rows_ = 0;    // rows of one frame in one part's record
  std::size_t row_bytes_ = 0;
  std::int64_t origin_s_ = 0;     // timestamps count from this second (the first record's)
  FrameShape shape_;
  SourceMetadata meta_;
  std::string description_;
  mutable std::vector<unsigned char> scratch_, row_tmp_;
};

SeqSource::SeqSource(const std::string& path, const SourceOptions& options) {
  SeqFiles files = find_seq_files(path);
  for (const auto& p : files.parts) {
    Part part{RawFile(p), {}, 0};
    part.header = read_seq_header(part.file);
    part.records = records_on_disk(part.file, part.header);
    parts_.push_back(std::move(part));
  }
  check_halves_agree();
  meta_.notes = files.notes;
  meta_.other_files = files.parts;
  if (!options.own_dark) files.dark.reset();  // replaced by --dark: not read
  if (!options.own_gain) {
    files.gain.reset();
    auto& notes = files.notes;  // "gain reference X ... used" is no longer true
    notes.erase(std::remove_if(notes.begin(), notes.end(),
                               [](const std::string& n) { return n.rfind("gain reference", 0) == 0; }),
                notes.end());
  }
  for (const auto& companion : {files.dark, files.gain, files.config})
    if (companion) meta_.other_files.push_back(*companion);
  std::optional<DeConfig> config;
  if (files.config) {
    config = read_de_config(*files.config);
    meta_.notes.insert(meta_.notes.end(), config->notes.begin(), config->notes.end());
  }
  const SeqHeader& h = parts_[0].header;
  choose_frames_per_record(config);
  row_bytes_ = std::size_t(h.width) * (h.bit_depth / 8);
  shape_.det_x = h.width;
  shape_.det_y = block_rows_ * parts_.size();
  shape_.type = h.pixel_type();
  choose_frame_count(options);

  // The camera's frame rate is in Config.Metadata.xml; the header's is StreamPix's, which
  // may be a playback default (the StreamPix sample: 30 fps in the header, 86956.52 in the XML,
  // and its frames' timestamps are all equal, as a burst at 87 kHz gives).
  double rate = std::isfinite(h.frame_rate) ? h.frame_rate : 0;
  if (config) {
    if (const auto xml_rate = config->number("FrameRate"); xml_rate && *xml_rate > 0 &&
                                                           std::abs(*xml_rate - rate) > 1e-6 * *xml_rate) {
      std::ostringstream n;
      n.precision(10);
      n << "the .seq header says " << rate << " fps, Config.Metadata.xml says " << *xml_rate
        << " fps: using the camera's " << *xml_rate;
      meta_.notes.push_back(n.str());
      rate = *xml_rate;
    }
    if (const auto pre = config->number("SegmentPreBuffer"); pre && *pre > 1 && per_record_ == 1)
      meta_.notes.push_back("SegmentPreBuffer " + std::to_string(long(*pre)) +
                            ": StreamPix stamps frames per segment, so frames of one segment may share a timestamp");
  }
  if (rate > 0) meta_.frame_time_s = 1.0 / rate;
  if (parts_[0].records > 0) {
    unsigned char b[8];
    parts_[0].file.read_at(h.record_offset(0) + h.image_bytes, h.timestamp_bytes(), b, "the first timestamp");
    origin_s_ = decode_seq_timestamp(b, h.version).seconds;
  }
  read_references(files, options.own_mask ? config : std::nullopt);
  if (files.halves()) mark_frame_counters();

  std::ostringstream d;
  d.precision(10);
  d << "StreamPix .seq v" << h.version << ": ";
  if (files.halves())
    d << "Celeritas halves " << base_name(files.parts[0]) << " + " << base_name(files.parts[1]) << " stitched, ";
  else
    d << base_name(path) << ", ";
  d << shape_.n_frames << " frames of " << shape_.det_y << "x" << shape_.det_x << " " << pixel_type_name(shape_.type)
    << " (" << h.bit_depth_real << "-bit)";
  if (per_record_ > 1) d << ", " << per_record_ << " frames per record";
  d << ", record stride " << h.true_image_size << " B";
  if (rate > 0) d << ", " << rate << " fps";
  description_ = d.str();
}

void SeqSource::check_halves_agree() const {
  if (parts_.size() < 2) return;
  const SeqHeader &t = parts_[0].header, &b = parts_[1].header;
  auto geometry = [](const SeqHeader& h) {
    return std::to_string(h.width) + "x" + std::to_string(h.height) + " " + std::to_string(h.bit_depth) +
           "-bit images in records of " + std::to_string(h.true_image_size) + " B (v" + std::to_string(h.version) + ")";
  };
  if (geometry(t) != geometry(b) || t.data_offset != b.data_offset)
    throw InputError(parts_[1].file.path() + ": bottom half of " + geometry(b) + ", but the top half " +
                     parts_[0].file.path() + " has " + geometry(t));
}

// A record holds one frame, unless DE's segment prebuffer stacked several: then the header's
// image is `n` frames tall, n = height / (frame height in Config.Metadata.xml). Stacked frames
// are taken to follow one another down the record in recording order, each stored as a
// single-record frame would be (the sample has a prebuffer of 1 only).
void SeqSource::choose_frames_per_record(const std::optional<DeConfig>& config) {
  const SeqHeader& h = parts_[0].header;
  const std::size_t halves = parts_.size();
  per_record_ = 1;
  if (config) {
    const auto size_y = config->number("ImageSizeY");
    if (size_y && *size_y >= halves && std::fmod(*size_y, double(halves)) == 0) {
      const std::size_t frame_rows = std::size_t(*size_y) / halves;
      if (frame_rows > 0 && h.height > frame_rows && h.height % frame_rows == 0) per_record_ = h.height / frame_rows;
    }
    const auto pre = config->number("SegmentPreBuffer");
    if (per_record_ > 1 && (!pre || std::size_t(*pre) != per_record_))
      meta_.notes.push_back("records of " + std::to_string(h.height) + " rows hold " + std::to_string(per_record_) +
                            " frames of ImageSizeY " + std::to_string(long(*size_y)) +
                            (pre ? ", though SegmentPreBuffer says " + std::to_string(long(*pre)) : std::string()));
  } else if (halves == 2) {
    meta_.notes.push_back("no Config.Metadata.xml beside the Celeritas halves: one frame per record assumed");
  }
  block_rows_ = h.height / per_record_;
}

// The header's count, unless --frame-count says; a file shorter than either is an error.
void SeqSource::choose_frame_count(const SourceOptions& options) {
  const SeqHeader& h = parts_[0].header;
  std::size_t shortest = 0;
  for (std::size_t i = 1; i < parts_.size(); ++i)
    if (parts_[i].records < parts_[shortest].records) shortest = i;
  const Part& s = parts_[shortest];
  const std::size_t disk = s.records * per_record_;
  std::size_t allocated = h.allocated_frames;
  for (const auto& p : parts_) allocated = std::min<std::size_t>(allocated, p.header.allocated_frames);
  if (parts_.size() == 2 && parts_[0].header.allocated_frames != parts_[1].header.allocated_frames)
    meta_.notes.push_back("the halves' headers say " + std::to_string(parts_[0].header.allocated_frames) + " and " +
                          std::to_string(parts_[1].header.allocated_frames) + " records: using " +
                          std::to_string(allocated));
  const std::string frames = per_record_ > 1 ? " records of " + std::to_string(per_record_) + " frames" : " frames";
  if (options.frame_count) {
    if (*options.frame_count > disk)
      throw InputError(s.file.path() + ": --frame-count " + std::to_string(*options.frame_count) +
                       ", but the file holds only " + std::to_string(disk) + " frames");
    shape_.n_frames = *options.frame_count;
    if (*options.frame_count != allocated * per_record_)
      meta_.notes.push_back("header says " + std::to_string(allocated) + frames + ", --frame-count " +
                            std::to_string(*options.frame_count) + ": using " + std::to_string(*options.frame_count));
  } else if (allocated == 0) {
    shape_.n_frames = disk;
    meta_.notes.push_back("the .seq header gives no frame count: using the " + std::to_string(s.records) +
                          " records on disk");
  } else if (allocated > s.records) {
    throw InputError(s.file.path() + ": header says " + std::to_string(allocated) + frames + ", but the file holds only " +
                     std::to_string(s.records) + " whole records (truncated?)");
  } else {
    shape_.n_frames = allocated * per_record_;
    if (s.records > allocated)
      meta_.notes.push_back("header says " + std::to_string(allocated) + frames + ", the file holds " +
                            std::to_string(s.records) + " records: using " + std::to_string(shape_.n_frames) +
                            " (--frame-count overrides)");
  }
}

void SeqSource::read_references(const SeqFiles& files, const std::optional<DeConfig>& config) {
  if (files.dark) meta_.dark = read_mrc_reference(*files.dark, shape_.det_y, shape_.det_x);
  if (files.gain) meta_.gain = read_mrc_reference(*files.gain, shape_.det_y, shape_.det_x);
  if (!config) return;
  std::string note;
  auto mask = de_bad_pixel_mask(*config, shape_.det_y, shape_.det_x, note);
  if (!note.empty()) meta_.notes.push_back(note);
  if (!mask.empty()) meta_.bad_pixels = DetectorReference{std::vector<float>(mask.begin(), mask.end()), *files.config};
}

// The Celeritas writes its frame counter into the first pixel of each half's image (0, 1, 2,
// ... in the sample). Where the first and last records say so, those two pixels are marked bad.
void SeqSource::mark_frame_counters() {
  const SeqHeader& h = parts_[0].header;
  const std::size_t records = shape_.n_frames;
  if (per_record_ != 1 || records < 2) return;
  const std::size_t bytes = h.bit_depth / 8;
  auto pixel0 = [&](const Part& p, std::size_t r) {
    std::uint32_t v = 0;
    unsigned char b[4] = {0, 0, 0, 0};
    p.file.read_at(p.header.record_offset(r), bytes, b, "the first pixel");
    for (std::size_t i = bytes; i-- > 0;) v = (v << 8) | b[i];
    return v;
  };
  const std::uint64_t wrap = bytes >= 4 ? (std::uint64_t(1) << 32) : (std::uint64_t(1) << (8 * bytes));
  for (const auto& p : parts_)
    if (pixel0(p, 0) != 0 || pixel0(p, records - 1) != (records - 1) % wrap) return;
  if (!meta_.bad_pixels) meta_.bad_pixels = DetectorReference{std::vector<float>(shape_.frame_pixels(), 0.f), "frame counters"};
  meta_.bad_pixels->values[(block_rows_ - 1) * shape_.det_x] = 1;  // top half's first pixel, flipped to its last row
  meta_.bad_pixels->values[block_rows_ * shape_.det_x] = 1;        // bottom half's first pixel
  meta_.notes.push_back("the first pixel of each Celeritas half holds the camera's frame counter: marked bad");
}

// Frame `block` of one record per part (the parts' record bytes in `records`) into dst.
void SeqSource::copy_frame(const unsigned char* const* records, std::size_t block, unsigned char* dst) const {
  const std::size_t block_bytes = block_rows_ * row_bytes_;
  if (parts_.size() == 1) {
    std::memcpy(dst, records[0] + block * block_bytes, block_bytes);
    return;
  }
  // Celeritas: the sensor is read from its middle outwards, and each half's file starts at
  // the middle row. So the top half is stored upside down and goes above the bottom half,
  // which is stored as it lies: the stitched sample matches DE's own 256x256 dark reference
  // (correlation 0.998), and the seam rows (top row 0, bottom row 0) differ no more than
  // neighbouring rows do. Columns are not mirrored (mirroring breaks the match).
  const unsigned char* top = records[0] + block * block_bytes;
  const unsigned char* bottom = records[1] + block * block_bytes;
  for (std::size_t y = 0; y < block_rows_; ++y)
    std::memcpy(dst + (block_rows_ - 1 - y) * row_bytes_, top + y * row_bytes_, row_bytes_);
  std::memcpy(dst + block_bytes, bottom, block_bytes);
}

unsigned char* SeqSource::scratch(std::size_t bytes) const {
  // Page-aligned: the kernel copies into misaligned buffers several times slower.
  if (scratch_.size() < bytes + 4096) scratch_.resize(bytes + 4096);
  const auto at = reinterpret_cast<std::uintptr_t>(scratch_.data());
  return scratch_.data() + ((4096 - at % 4096) % 4096);
}

// The top half's rows put upside down in place (see copy_frame), through one spare row.
void SeqSource::flip_rows(unsigned char* frame) const {
  if (row_tmp_.size() < row_bytes_) row_tmp_.resize(row_bytes_);
  for (std::size_t a = 0, b = block_rows_ - 1; a < b; ++a, --b) {
    std::memcpy(row_tmp_.data(), frame + a * row_bytes_, row_bytes_);
    std::memcpy(frame + a * row_bytes_, frame + b * row_bytes_, row_bytes_);
    std::memcpy(frame + b * row_bytes_, row_tmp_.data(), row_bytes_);
  }
}

void SeqSource::read_frames(const FrameRun* runs, std::size_t n_runs, void* out) const {
  const SeqHeader& h = parts_[0].header;
  const std::size_t stride = h.true_image_size, frame_bytes = shape_.frame_bytes();
  const std::size_t max_records = std::max<std::size_t>(1, kScratchBytes / stride);
  const std::size_t part_bytes = (max_records - 1) * stride + h.image_bytes;
  auto* dst = static_cast<unsigned char*>(out);
  // Large frames go straight to the caller, one pread per half, when the caller's buffer is
  // aligned so that the kernel's copy runs at full speed (16 bytes off, it takes 2.5 times
  // longer on the machine this was measured on): the scratch's second copy would cost more.
  const std::size_t block_bytes = block_rows_ * row_bytes_;
  const bool direct = block_bytes >= kDirectBytes && block_bytes % 64 == 0 &&
                      reinterpret_cast<std::uintptr_t>(dst) % 64 == 0;
  unsigned char* buf = direct ? nullptr : scratch(part_bytes * parts_.size());
  for (std::size_t k = 0; k < n_runs; ++k) {
    const FrameRun run = runs[k];
    if (run.first > shape_.n_frames || run.count > shape_.n_frames - run.first)
      throw InputError(parts_[0].file.path() + ": frames [" + std::to_string(run.first) + ", " +
                       std::to_string(run.first + run.count) + ") asked for, the movie has " +
                       std::to_string(shape_.n_frames));
    std::size_t f = run.first;
    const std::size_t end = run.first + run.count;
    if (direct) {
      for (; f < end; ++f, dst += frame_bytes) {
        const std::uint64_t at = h.record_offset(f / per_record_) + (f % per_record_) * block_bytes;
        for (std::size_t p = 0; p < parts_.size(); ++p)
          parts_[p].file.read_at(at, block_bytes, dst + p * block_bytes, "a frame");
        if (parts_.size() == 2) flip_rows(dst);  // the top half, as in copy_frame
        to_native(dst, shape_.frame_pixels(), pixel_bytes(shape_.type), ByteOrder::little);
      }
      continue;
    }
    while (f < end) {
      // Records r0 .. r1 - 1, one pread per part, then the frames copied out of them.
      const std::size_t r0 = f / per_record_;
      const std::size_t r1 = std::min((end - 1) / per_record_ + 1, r0 + max_records);
      const std::size_t bytes = (r1 - r0 - 1) * stride + h.image_bytes;
      for (std::size_t p = 0; p < parts_.size(); ++p)
        parts_[p].file.read_at(h.record_offset(r0), bytes, buf + p * part_bytes, "a run of records");
      const std::size_t stop = std::min(end, r1 * per_record_);
      for (; f < stop; ++f, dst += frame_bytes) {
        const std::size_t at = (f / per_record_ - r0) * stride;
        const unsigned char* rec[2] = {buf + at, buf + part_bytes + at};
        copy_frame(rec, f % per_record_, dst);
        to_native(dst, shape_.frame_pixels(), pixel_bytes(shape_.type), ByteOrder::little);
      }
    }
  }
}

double SeqSource::record_time(std::size_t record) const {
  const Part& p = parts_[0];  // a stitched frame takes the top half's time (the bottom's is ~20 us later)
  unsigned char b[8];
  p.file.read_at(p.header.record_offset(record) + p.header.image_bytes, p.header.timestamp_bytes(), b,
                 "the timestamp of record " + std::to_string(record));
  const SeqTimestamp t = decode_seq_timestamp(b, p.header.version);
  return double(t.seconds - origin_s_) + t.ms * 1e-3 + t.us * 1e-6;
}

// Seconds from the first record's whole second. Stacked frames of one record share its
// stamp, and are placed a frame period apart after it.
std::vector<double> SeqSource::timestamps(const std::vector<std::size_t>& frames) const {
  std::vector<double> t(frames.size());
  const double dt = meta_.frame_time_s.value_or(0);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (frames[i] >= shape_.n_frames)
      throw InputError(parts_[0].file.path() + ": timestamp of frame " + std::to_string(frames[i]) +
                       " asked for, the movie has " + std::to_string(shape_.n_frames));
    t[i] = record_time(frames[i] / per_record_) + double(frames[i] % per_record_) * dt;
  }
  std::vector<std::size_t> order(frames.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return frames[a] < frames[b]; });
  for (std::size_t i = 1; i < order.size(); ++i) {
    const std::size_t a = order[i - 1], b = order[i];
    if (t[b] < t[a]) {
      std::ostringstream m;
      m.precision(9);
      m << parts_[0].file.path() << ": timestamps go backwards: frame " << frames[b] << " at " << t[b]
        << " s comes before frame " << frames[a] << " at " << t[a] << " s";
      throw InputError(m.str());
    }
  }
  return t;
}

}  // namespace

std::unique_ptr<FrameSource> open_seq(const std::string& path, const SourceOptions& options) {
  return std::make_unique<SeqSource>(path, options);
}

}  // namespace ecm::io::sources
