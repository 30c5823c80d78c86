// The chunk index of an HDF5 dataset read from the file format (see the header for why).
// Section numbers refer to the HDF5 File Format Specification, version 3.0.
#include "ecm/io/sources/hdf5_chunk_index.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "ecm/core/error.hpp"

namespace ecm::io::sources {

namespace {

// The file's structures differ from what the specification says, or from what the library
// reports: the caller falls back to the library.
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Little-endian fields of one structure read out of the file (every HDF5 structure is
// little-endian), bounds-checked against the bytes read.
class Fields {
 public:
  Fields(std::vector<unsigned char> bytes, std::string what) : b_(std::move(bytes)), what_(std::move(what)) {}
  std::uint64_t uint(std::size_t n) {
    need(n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t(b_[p_ + i]) << (8 * i);
    p_ += n;
    return v;
  }
  void skip(std::size_t n) {
    need(n);
    p_ += n;
  }
  bool signature(const char* s) {
    need(4);
    const bool ok = std::memcmp(&b_[p_], s, 4) == 0;
    p_ += 4;
    return ok;
  }
  std::size_t pos() const { return p_; }
  void seek(std::size_t p) { p_ = p; }
  std::size_t size() const { return b_.size(); }
  const std::string& what() const { return what_; }

 private:
  void need(std::size_t n) const {
    if (p_ + n > b_.size()) throw Malformed(what_ + " ends early");
  }
  std::vector<unsigned char> b_;
  std::string what_;
  std::size_t p_ = 0;
};

// Widths of file addresses and lengths (superblock "size of offsets/lengths"), and the
// value of an undefined address: all bits set.
struct Widths {
  std::size_t addr = 8, len = 8;
  std::uint64_t undefined() const { return addr >= 8 ? ~std::uint64_t(0) : (std::uint64_t(1) << (8 * addr)) - 1; }
};

// Up to n bytes at relative address `at` (fewer where the file ends).
Fields read_structure(const RawFile& file, std::uint64_t base, std::uint64_t at, std::size_t n, const std::string& what) {
  const std::uint64_t offset = base + at;
  if (at == ~std::uint64_t(0) || offset >= file.size()) throw Malformed(what + " lies outside the file");
  n = std::size_t(std::min<std::uint64_t>(n, file.size() - offset));
  return Fields(file.read_at(offset, n, what), what);
}

// --- Object header (IV.A): find the data layout message (type 0x0008) -------------------

std::vector<unsigned char> layout_message(const RawFile& file, std::uint64_t base, std::uint64_t header, const Widths& w) {
  constexpr unsigned kLayout = 0x0008, kContinuation = 0x0010;
  struct Block {
    std::uint64_t at, length;
    bool first;
  };
  std::vector<Block> blocks;
  bool v2 = false, creation_order = false;
  {
    Fields h = read_structure(file, base, header, 64, "object header");
    if (h.signature("OHDR")) {  // version 2 (IV.A.1.b)
      v2 = true;
      if (h.uint(1) != 2) throw Malformed("object header version");
      const auto flags = h.uint(1);
      creation_order = flags & 0x04;
      if (flags & 0x20) h.skip(16);  // access, modification, change, birth times
      if (flags & 0x10) h.skip(4);   // attribute phase change values
      const std::uint64_t size0 = h.uint(std::size_t(1) << (flags & 0x03));
      blocks.push_back({header + h.pos(), size0, true});
    } else {  // version 1 (IV.A.1.a): 16-byte prefix, then the messages
      h.seek(0);
      if (h.uint(1) != 1) throw Malformed("object header version");
      h.skip(1 + 2 + 4);
      const std::uint64_t size0 = h.uint(4);
      blocks.push_back({header + 16, size0, true});
    }
  }
  const std::size_t message_header = v2 ? (creation_order ? 6 : 4) : 8;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (b > 4096) throw Malformed("object header continues without end");
    const Block block = blocks[b];
    Fields m = read_structure(file, base, block.at, std::size_t(block.length), "object header messages");
    std::size_t end = m.size();
    if (v2 && !block.first) {  // a continuation chunk: "OCHK", messages, checksum
      if (!m.signature("OCHK")) throw Malformed("object header continuation signature");
      if (end < 8) throw Malformed("object header continuation size");
      end -= 4;
    }
    while (m.pos() + message_header <= end) {
      const unsigned type = unsigned(m.uint(v2 ? 1 : 2));
      const std::size_t size = std::size_t(m.uint(2));
      const auto flags = m.uint(1);
      m.skip(v2 ? (creation_order ? 2 : 0) : 3);
      const std::size_t data = m.pos();
      if (data + size > end) throw Malformed("object header message size");
      if (type == kLayout) {
        if (flags & 0x02) throw Malformed("shared layout message");
        std::vector<unsigned char> bytes(size);
        for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(m.uint(1));
        return bytes;
      }
      if (type == kContinuation) {
        const std::uint64_t at = m.uint(w.addr), length = m.uint(w.len);
        blocks.push_back({at, length, false});
      }
      m.seek(data + size);
    }
  }
  throw Malformed("no data layout message");
}

// --- Data layout message (IV.A.2.i) ------------------------------------------------------

enum class IndexKind { btree1, fixed_array, implicit, other };

struct ChunkLayout {
  IndexKind kind = IndexKind::other;
  std::string other_name;
  std::vector<std::uint64_t> chunk;  // per dataset dimension (the element-size entry dropped)
  std::uint64_t element_bytes = 0, index_address = 0;
  unsigned page_bits = 0;  // fixed array
};

ChunkLayout parse_layout(std::vector<unsigned char> bytes, const Widths& w) {
  Fields f(std::move(bytes), "data layout message");
  ChunkLayout l;
  const auto version = f.uint(1);
  if (version != 3 && version != 4) throw Malformed("data layout message version " + std::to_string(version));
  if (f.uint(1) != 2) throw Malformed("data layout class is not chunked");
  std::size_t ndims = 0;
  std::vector<std::uint64_t> dims;
  if (version == 3) {
    ndims = std::size_t(f.uint(1));
    l.index_address = f.uint(w.addr);
    for (std::size_t d = 0; d < ndims; ++d) dims.push_back(f.uint(4));
    l.kind = IndexKind::btree1;
  } else {
    const auto flags = f.uint(1);
    ndims = std::size_t(f.uint(1));
    const std::size_t width = std::size_t(f.uint(1));
    if (width < 1 || width > 8) throw Malformed("chunk dimension width");
    for (std::size_t d = 0; d < ndims; ++d) dims.push_back(f.uint(width));
    switch (f.uint(1)) {
      case 1:  // single chunk
        if (flags & 0x02) f.skip(w.len + 4);
        l.other_name = "single chunk";
        break;
      case 2:
        l.kind = IndexKind::implicit;
        break;
      case 3:
        l.kind = IndexKind::fixed_array;
        l.page_bits = unsigned(f.uint(1));
        break;
      case 4:
        f.skip(5);
        l.other_name = "extensible array";
        break;
      case 5:
        f.skip(6);
        l.other_name = "version-2 B-tree";
        break;
      default:
        throw Malformed("unknown chunk index type");
    }
    l.index_address = f.uint(w.addr);
  }
  if (ndims < 2) throw Malformed("chunk dimensionality");
  l.element_bytes = dims.back();
  dims.pop_back();
  l.chunk = dims;
  return l;
}

std::uint64_t product(const std::vector<std::uint64_t>& v) {
  std::uint64_t p = 1;
  for (auto x : v) p *= x;
  return p;
}

// Row-major number of `scaled` (chunk grid coordinates) over a grid of `down` chunks.
std::uint64_t row_major(const std::vector<std::uint64_t>& scaled, const std::vector<std::uint64_t>& down) {
  std::uint64_t n = 0;
  for (std::size_t d = 0; d < scaled.size(); ++d) n = n * down[d] + scaled[d];
  return n;
}

// --- Version-1 B-tree of chunks (III.A.1) ------------------------------------------------

class BTree1Index final : public Hdf5ChunkIndex {
 public:
  BTree1Index(const RawFile& file, std::uint64_t base, std::vector<std::uint64_t> grid, std::vector<std::uint64_t> chunk,
              const Widths& w, std::uint64_t root, std::size_t max_entries, std::uint64_t chunk_bytes)
      : Hdf5ChunkIndex(file, base, std::move(grid), std::move(chunk)), w_(w), root_(root), chunk_bytes_(chunk_bytes) {
    key_bytes_ = 8 + 8 * (chunk_.size() + 1);
    node_bytes_ = 8 + 2 * w_.addr + max_entries * (key_bytes_ + w_.addr) + key_bytes_;
  }
  std::string kind() const override { return "v1 B-tree"; }

  void lookup(std::size_t first, std::size_t count, std::uint64_t* out) const override {
    std::fill(out, out + count, kNotStored);
    if (count == 0) return;
    const auto start = element_coords(first);
    const bool bounded = first + count < n_chunks_;
    const auto stop = bounded ? element_coords(first + count) : std::vector<std::uint64_t>{};
    // Down to the leaf whose range holds `start`...
    const Node* node = &node_at(root_);
    for (int depth = 0; node->level > 0; ++depth) {
      if (depth > 64) throw Malformed("B-tree deeper than 64 levels");
      if (node->entries() == 0) throw Malformed("B-tree inner node without children");  // found by the fuzzer
      std::size_t child = 0;
      for (std::size_t i = 1; i < node->entries(); ++i)
        if (!less(start.data(), node->key(i))) child = i;
      const unsigned level = node->level;
      node = &node_at(node->children[child]);
      if (node->level + 1 != level) throw Malformed("B-tree levels");
    }
    // ...then along the leaves until the keys pass the end of the range.
    for (std::size_t visited = 0;; ++visited) {
      for (std::size_t i = 0; i < node->entries(); ++i) {
        const std::uint64_t* key = node->key(i);
        if (bounded && !less(key, stop.data())) return;
        if (less(key, start.data())) continue;
        bool inside = true;
        std::uint64_t n = 0;  // the chunk's number, row-major over the grid
        for (std::size_t d = 0; d < chunk_.size(); ++d) {
          if (key[d] % chunk_[d] != 0) throw Malformed("chunk key off the chunk grid");
          const std::uint64_t scaled = key[d] / chunk_[d];
          inside = inside && scaled < grid_[d];
          n = n * grid_[d] + scaled;
        }
        if (!inside) continue;  // a chunk beyond a shrunken extent
        if (node->sizes[i] != chunk_bytes_ || node->masks[i] != 0) throw Malformed("chunk size or filter mask");
        if (n >= first && n < first + count) out[n - first] = base_ + node->children[i];
      }
      if (node->right == w_.undefined()) return;
      if (visited > n_chunks_) throw Malformed("B-tree leaves without end");
      node = &node_at(node->right);
      if (node->level != 0) throw Malformed("B-tree leaf sibling");
    }
  }

 private:
  struct Node {
    unsigned level = 0;
    std::uint64_t right = 0;
    std::size_t dims = 0;
    std::vector<std::uint64_t> keys;  // entries + 1 keys of `dims` element coordinates each
    std::vector<std::uint64_t> children, sizes, masks;
    std::size_t entries() const { return children.size(); }
    const std::uint64_t* key(std::size_t i) const { return keys.data() + i * dims; }
  };

  // A node, parsed once: a tile's runs of frames each start from the root, and neighbouring
  // runs share their leaves. The cache is dropped whole when it holds 4096 nodes (~16 MB).
  const Node& node_at(std::uint64_t at) const {
    auto hit = cache_.find(at);
    if (hit != cache_.end()) return hit->second;
    if (cache_.size() >= 4096) cache_.clear();
    return cache_.emplace(at, read_node(at)).first->second;
  }

  Node read_node(std::uint64_t at) const {
    Fields f = read_structure(file_, base_, at, node_bytes_, "B-tree node");
    if (!f.signature("TREE") || f.uint(1) != 1) throw Malformed("B-tree node signature or type");
    Node n;
    n.level = unsigned(f.uint(1));
    const std::size_t entries = std::size_t(f.uint(2));
    f.uint(w_.addr);  // left sibling
    n.right = f.uint(w_.addr);
    n.dims = chunk_.size() + 1;
    n.keys.reserve((entries + 1) * n.dims);
    n.children.reserve(entries);
    n.sizes.reserve(entries);
    n.masks.reserve(entries);
    for (std::size_t i = 0; i <= entries; ++i) {
      const std::uint64_t size = f.uint(4), mask = f.uint(4);
      for (std::size_t d = 0; d < n.dims; ++d) n.keys.push_back(f.uint(8));
      if (i == entries) break;
      n.sizes.push_back(size);
      n.masks.push_back(mask);
      n.children.push_back(f.uint(w_.addr));
    }
    return n;
  }

  // Element coordinates of chunk number n's origin.
  std::vector<std::uint64_t> element_coords(std::size_t n) const {
    auto c = grid_coords(n);
    for (std::size_t d = 0; d < c.size(); ++d) c[d] *= chunk_[d];
    return c;
  }
  // Lexicographic order of the dataset dimensions (the B-tree's key order).
  bool less(const std::uint64_t* a, const std::uint64_t* b) const {
    for (std::size_t d = 0; d < chunk_.size(); ++d)
      if (a[d] != b[d]) return a[d] < b[d];
    return false;
  }

  Widths w_;
  std::uint64_t root_, chunk_bytes_;
  mutable std::unordered_map<std::uint64_t, Node> cache_;
  std::size_t key_bytes_ = 0, node_bytes_ = 0;
};

// --- Indexes numbered over the chunk grid of the maximum extent --------------------------
// The fixed array (VII.B) and the implicit index store chunk k of the grid of the dataset's
// maximum dimensions at element k.

class GridIndex : public Hdf5ChunkIndex {
 protected:
  GridIndex(const RawFile& file, std::uint64_t base, std::vector<std::uint64_t> grid, std::vector<std::uint64_t> chunk,
            std::vector<std::uint64_t> max_grid)
      : Hdf5ChunkIndex(file, base, std::move(grid), std::move(chunk)), max_grid_(std::move(max_grid)) {}
  std::uint64_t element_of(std::size_t n) const { return row_major(grid_coords(n), max_grid_); }
  std::vector<std::uint64_t> max_grid_;
};

class ImplicitIndex final : public GridIndex {
 public:
  ImplicitIndex(const RawFile& file, std::uint64_t base, std::vector<std::uint64_t> grid, std::vector<std::uint64_t> chunk,
                std::vector<std::uint64_t> max_grid, std::uint64_t start, std::uint64_t chunk_bytes)
      : GridIndex(file, base, std::move(grid), std::move(chunk), std::move(max_grid)), start_(start), chunk_bytes_(chunk_bytes) {
    if (base_ + start_ + product(max_grid_) * chunk_bytes_ > file_.size()) throw Malformed("implicit chunks outside the file");
  }
  std::string kind() const override { return "implicit"; }
  void lookup(std::size_t first, std::size_t count, std::uint64_t* out) const override {
    for (std::size_t k = 0; k < count; ++k) out[k] = base_ + start_ + element_of(first + k) * chunk_bytes_;
  }

 private:
  std::uint64_t start_, chunk_bytes_;
};

class FixedArrayIndex final : public GridIndex {
 public:
  FixedArrayIndex(const RawFile& file, std::uint64_t base, std::vector<std::uint64_t> grid, std::vector<std::uint64_t> chunk,
                  std::vector<std::uint64_t> max_grid, const Widths& w, std::uint64_t header, unsigned page_bits)
      : GridIndex(file, base, std::move(grid), std::move(chunk), std::move(max_grid)), w_(w) {
    Fields h = read_structure(file_, base_, header, 4 + 4 + w.len + w.addr + 4, "fixed array header");
    if (!h.signature("FAHD") || h.uint(1) != 0) throw Malformed("fixed array header signature or version");
    if (h.uint(1) != 0) throw Malformed("fixed array of filtered chunks");
    entry_ = std::size_t(h.uint(1));
    if (entry_ != w.addr) throw Malformed("fixed array entry size");
    if (h.uint(1) != page_bits) throw Malformed("fixed array page bits");
    elements_ = h.uint(w.len);
    if (elements_ != product(max_grid_)) throw Malformed("fixed array length");
    const std::uint64_t block = h.uint(w.addr);
    if (block == w.undefined()) {  // no chunk written yet
      unwritten_ = true;
      return;
    }
    page_elements_ = std::uint64_t(1) << page_bits;
    const bool paged = elements_ > page_elements_;
    const std::uint64_t pages = paged ? (elements_ + page_elements_ - 1) / page_elements_ : 0;
    const std::size_t bitmap_bytes = std::size_t((pages + 7) / 8);
    Fields b = read_structure(file_, base_, block, 4 + 2 + w.addr + bitmap_bytes, "fixed array data block");
    if (!b.signature("FADB") || b.uint(1) != 0 || b.uint(1) != 0) throw Malformed("fixed array data block signature");
    if (b.uint(w.addr) != header) throw Malformed("fixed array data block header address");
    const std::uint64_t prefix = 4 + 2 + w.addr;
    if (paged) {
      page_initialised_.resize(std::size_t(pages));
      for (std::size_t p = 0; p < bitmap_bytes; ++p) {
        const auto byte = b.uint(1);
        for (std::size_t bit = 0; bit < 8 && p * 8 + bit < pages; ++bit)
          page_initialised_[p * 8 + bit] = (byte >> (7 - bit)) & 1;  // first page in the high bit
      }
      first_page_ = base_ + block + prefix + bitmap_bytes + 4;  // pages follow the block's checksum
      page_bytes_ = page_elements_ * entry_ + 4;                  // each page ends in a checksum
    } else {
      first_page_ = base_ + block + prefix;
      page_elements_ = elements_;
      page_bytes_ = elements_ * entry_;
    }
  }
  std::string kind() const override { return "fixed array"; }

  void lookup(std::size_t first, std::size_t count, std::uint64_t* out) const override {
    std::fill(out, out + count, kNotStored);
    if (unwritten_) return;
    std::vector<unsigned char> run;
    for (std::size_t k = 0; k < count;) {
      // Chunks k.. whose elements are consecutive within one page: one read.
      const std::uint64_t e0 = element_of(first + k), page = e0 / page_elements_;
      std::size_t n = 1;
      while (k + n < count && element_of(first + k + n) == e0 + n && (e0 + n) / page_elements_ == page) ++n;
      if (page_initialised_.empty() || page_initialised_[std::size_t(page)]) {
        const std::uint64_t at = first_page_ + page * page_bytes_ + (e0 % page_elements_) * entry_;
        run.resize(n * entry_);
        file_.read_at(at, run.size(), run.data(), "the fixed array of chunk addresses");
        for (std::size_t j = 0; j < n; ++j) {
          std::uint64_t a = 0;
          for (std::size_t i = 0; i < entry_; ++i) a |= std::uint64_t(run[j * entry_ + i]) << (8 * i);
          if (a != w_.undefined()) out[k + j] = base_ + a;
        }
      }
      k += n;
    }
  }

 private:
  Widths w_;
  std::size_t entry_ = 8;
  std::uint64_t elements_ = 0, page_elements_ = 1, first_page_ = 0, page_bytes_ = 0;
  std::vector<bool> page_initialised_;
  bool unwritten_ = false;
};

// The file address of the dataset's object header.
std::uint64_t object_header_address(hid_t dataset) {
#if H5_VERSION_GE(1, 12, 0)
  H5O_info2_t info;
  if (H5Oget_info3(dataset, &info, H5O_INFO_BASIC) < 0) throw Malformed("H5Oget_info3 failed");
  haddr_t addr = HADDR_UNDEF;
  if (H5VLnative_token_to_addr(dataset, info.token, &addr) < 0) throw Malformed("H5VLnative_token_to_addr failed");
  return addr;
#else
  H5O_info_t info;
  if (H5Oget_info2(dataset, &info, H5O_INFO_BASIC) < 0) throw Malformed("H5Oget_info2 failed");
  return info.addr;
#endif
}

}  // namespace

Hdf5ChunkIndex::Hdf5ChunkIndex(const RawFile& file, std::uint64_t base, std::vector<std::uint64_t> grid,
                               std::vector<std::uint64_t> chunk)
    : file_(file), base_(base), grid_(std::move(grid)), chunk_(std::move(chunk)) {
  for (auto g : grid_) n_chunks_ *= std::size_t(g);
}

std::vector<std::uint64_t> Hdf5ChunkIndex::grid_coords(std::size_t n) const {
  std::vector<std::uint64_t> c(grid_.size());
  for (std::size_t d = grid_.size(); d-- > 0;) {
    c[d] = n % grid_[d];
    n /= std::size_t(grid_[d]);
  }
  return c;
}

void Hdf5ChunkIndex::addresses(std::size_t first, std::size_t count, std::uint64_t* out) const {
  if (first + count > n_chunks_) throw Error("internal: chunks outside the index");
  try {
    lookup(first, count, out);
  } catch (const Malformed& e) {
    throw InputError(file_.path() + ": the chunk index (" + kind() + ") is damaged: " + e.what());
  }
}

std::unique_ptr<Hdf5ChunkIndex> Hdf5ChunkIndex::open(hid_t dataset, const RawFile& file, std::uint64_t base, std::string& why) {
  try {
    hid_t file_id = H5Iget_file_id(dataset);
    if (file_id < 0) throw Malformed("no file");
    hid_t fcpl = H5Fget_create_plist(file_id);
    H5Fclose(file_id);
    if (fcpl < 0) throw Malformed("no file creation properties");
    Widths w;
    unsigned btree_k = 0;
    const bool sizes_ok = H5Pget_sizes(fcpl, &w.addr, &w.len) >= 0 && H5Pget_istore_k(fcpl, &btree_k) >= 0;
    H5Pclose(fcpl);
    if (!sizes_ok || w.addr < 2 || w.addr > 8 || w.len < 2 || w.len > 8) throw Malformed("address widths");

    hid_t space = H5Dget_space(dataset), type = H5Dget_type(dataset);
    const int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    std::vector<hsize_t> dims(std::size_t(std::max(rank, 0))), max_dims(dims.size());
    const bool space_ok = rank > 0 && H5Sget_simple_extent_dims(space, dims.data(), max_dims.data()) >= 0;
    const std::size_t type_bytes = type >= 0 ? H5Tget_size(type) : 0;
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (!space_ok || type_bytes == 0) throw Malformed("dataspace");

    const ChunkLayout layout = parse_layout(layout_message(file, base, object_header_address(dataset), w), w);
    if (layout.kind == IndexKind::other) {
      why = layout.other_name + " chunk index";
      return nullptr;
    }
    if (layout.chunk.size() != dims.size() || layout.element_bytes != type_bytes) throw Malformed("chunk shape");
    if (layout.index_address == w.undefined()) {
      why = "no chunk written";
      return nullptr;
    }
    std::vector<std::uint64_t> grid(dims.size()), max_grid(dims.size());
    for (std::size_t d = 0; d < dims.size(); ++d) {
      const std::uint64_t c = layout.chunk[d];
      if (c == 0) throw Malformed("zero chunk dimension");
      grid[d] = (dims[d] + c - 1) / c;
      max_grid[d] = max_dims[d] == H5S_UNLIMITED ? 0 : (max_dims[d] + c - 1) / c;
    }
    const std::uint64_t chunk_bytes = product(layout.chunk) * type_bytes;
    switch (layout.kind) {
      case IndexKind::btree1:
        return std::make_unique<BTree1Index>(file, base, grid, layout.chunk, w, layout.index_address, 2 * std::size_t(btree_k),
                                             chunk_bytes);
      case IndexKind::implicit:
        return std::make_unique<ImplicitIndex>(file, base, grid, layout.chunk, max_grid, layout.index_address, chunk_bytes);
      case IndexKind::fixed_array:
        return std::make_unique<FixedArrayIndex>(file, base, grid, layout.chunk, max_grid, w, layout.index_address,
                                                 layout.page_bits);
      case IndexKind::other:
        break;
    }
    why = "unknown chunk index";
  } catch (const Malformed& e) {
    why = std::string("chunk index not understood: ") + e.what();
  } catch (const InputError& e) {
    why = std::string("chunk index not readable: ") + e.what();
  }
  return nullptr;
}

}  // namespace ecm::io::sources
