// Read speed of a frame source, as the engine reads: every cycle of every scan position, by
// tiles of scan positions and blocks of cycles (io::InputDataset::read_tile_block), stored
// values as they are. Compared by benchmarks/read_speed.sh with `dd` on the same file (warm
// page cache, one rank).
//
//   bench_read FILE [--format F] [--dataset D] [--scan-shape NY,NX] [--tile N] [--cycles-per-block N]
//                   [--library] [--repeat N]
// --tile 0 reads whole cycles of the whole scan; --library turns off positioned reads.
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/input_dataset.hpp"

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ecm::h5::silence_hdf5_errors();
  int rc = 0;
  try {
    if (argc < 2) throw ecm::InputError("usage: bench_read FILE [--format F] [--dataset D] [--scan-shape NY,NX] "
                                        "[--tile N] [--cycles-per-block N] [--library] [--repeat N]");
    ecm::io::InputOptions options;
    std::size_t tile_edge = 0, block = 16;
    int repeat = 3;
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw ecm::InputError(a + " needs a value");
        return argv[++i];
      };
      if (a == "--format") options.format = next();
      else if (a == "--dataset") options.dataset = next();
      else if (a == "--scan-shape") {
        const std::string v = next();
        const auto comma = v.find(',');
        options.scan.scan_shape = std::array<std::size_t, 2>{std::stoul(v.substr(0, comma)), std::stoul(v.substr(comma + 1))};
      } else if (a == "--tile") tile_edge = std::stoul(next());
      else if (a == "--cycles-per-block") block = std::stoul(next());
      else if (a == "--library") options.direct_reads = false;
      else if (a == "--repeat") repeat = std::stoi(next());
      else throw ecm::InputError("unknown option " + a);
    }
    ecm::io::InputDataset input(argv[1], options, MPI_COMM_WORLD);
    const auto& L = input.layout();
    std::vector<ecm::ScanTile> tiles;
    const std::size_t ty = tile_edge ? tile_edge : L.scan_y, tx = tile_edge ? tile_edge : L.scan_x;
    for (std::size_t y = 0; y < L.scan_y; y += ty)
      for (std::size_t x = 0; x < L.scan_x; x += tx)
        tiles.push_back({y, x, std::min(ty, L.scan_y - y), std::min(tx, L.scan_x - x)});
    // 64-byte aligned, as the engine's Kokkos host buffers are (the kernel copies into
    // misaligned buffers several times slower).
    const std::size_t n_bytes = (block * ty * tx * L.det_pixels() * L.element_bytes() + 63) / 64 * 64;
    std::unique_ptr<unsigned char, decltype(&std::free)> buffer(static_cast<unsigned char*>(std::aligned_alloc(64, n_bytes)),
                                                                &std::free);
    if (!buffer) throw ecm::Error("cannot allocate the read buffer");
    const hid_t type = ecm::h5::native_type(L.dtype);
    double best = 1e300;
    for (int r = 0; r < repeat; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      for (const auto& tile : tiles)
        for (std::size_t t = 0; t < L.n_t; t += block)
          input.read_tile_block(t, std::min(block, L.n_t - t), tile, buffer.get(), type);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("%s\t%s\t%.0f\t%.4f\t%.3f\t%s\n", argv[1], input.source().format().c_str(), L.raw_bytes(), best,
                L.raw_bytes() / best / 1e9, input.source().description().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_read: %s\n", e.what());
    rc = 1;
  }
  MPI_Finalize();
  return rc;
}
