// png_check FILE.png... : each file must be a PNG of at least 400 x 300 pixels whose
// pixels are not one flat colour: at least 16 distinct colours and at least 2 % of pixels
// different from the most common (background) colour. Decodes with zlib (8-bit RGB/RGBA,
// non-interlaced: what gnuplot's pngcairo writes). Exit 0 when all pass.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace {

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

int paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
}

bool check(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<unsigned char> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (f.size() < 33 || !std::equal(sig, sig + 8, f.begin())) {
    std::cerr << path << ": not a PNG\n";
    return false;
  }
  std::uint32_t w = 0, h = 0;
  int depth = 0, colour = 0, interlace = 0;
  std::vector<unsigned char> idat;
  for (std::size_t p = 8; p + 12 <= f.size();) {
    const std::uint32_t len = be32(&f[p]);
    const std::string type(f.begin() + long(p) + 4, f.begin() + long(p) + 8);
    if (p + 12 + len > f.size()) break;
    const unsigned char* d = &f[p + 8];
    if (type == "IHDR") {
      w = be32(d);
      h = be32(d + 4);
      depth = d[8];
      colour = d[9];
      interlace = d[12];
    } else if (type == "IDAT") {
      idat.insert(idat.end(), d, d + len);
    }
    p += 12 + len;
  }
  const int channels = colour == 2 ? 3 : colour == 6 ? 4 : 0;
  if (depth != 8 || !channels || interlace) {
    std::cerr << path << ": unsupported PNG format (depth " << depth << ", colour type " << colour << ")\n";
    return false;
  }
  if (w < 400 || h < 300) {
    std::cerr << path << ": only " << w << " x " << h << " pixels\n";
    return false;
  }
  const std::size_t stride = std::size_t(w) * channels;
  std::vector<unsigned char> raw((stride + 1) * h);
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, idat.data(), idat.size()) != Z_OK || raw_len != raw.size()) {
    std::cerr << path << ": corrupt image data\n";
    return false;
  }
  std::vector<unsigned char> img(stride * h), prev(stride, 0);
  for (std::uint32_t y = 0; y < h; ++y) {
    const unsigned char filter = raw[y * (stride + 1)];
    const unsigned char* src = &raw[y * (stride + 1) + 1];
    unsigned char* row = &img[y * stride];
    for (std::size_t i = 0; i < stride; ++i) {
      const int a = i >= std::size_t(channels) ? row[i - channels] : 0, b = prev[i],
                c = i >= std::size_t(channels) ? prev[i - channels] : 0;
      int v = src[i];
      switch (filter) {
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) / 2; break;
        case 4: v += paeth(a, b, c); break;
        default: break;
      }
      row[i] = static_cast<unsigned char>(v);
    }
    std::copy(row, row + stride, prev.begin());
  }
  std::map<std::uint32_t, std::size_t> counts;
  for (std::size_t p = 0; p < std::size_t(w) * h; ++p) {
    std::uint32_t key = 0;
    for (int ch = 0; ch < 3; ++ch) key = (key << 8) | img[p * channels + ch];
    ++counts[key];
  }
  std::size_t background = 0;
  for (const auto& [k, n] : counts) background = std::max(background, n);
  const double drawn = 1.0 - double(background) / (double(w) * h);
  std::cout << path << ": " << w << " x " << h << ", " << counts.size() << " colours, " << 100.0 * drawn
            << " % drawn\n";
  if (counts.size() < 16 || drawn < 0.02) {
    std::cerr << path << ": looks empty\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: png_check FILE.png...\n";
    return 2;
  }
  bool ok = true;
  for (int i = 1; i < argc; ++i) ok = check(argv[i]) && ok;
  return ok ? 0 : 1;
}
