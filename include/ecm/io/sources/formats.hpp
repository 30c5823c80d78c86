#pragma once
// The readers behind open_frame_source, one file each in src/io/sources/. Each format has a
// content test (does the file look like it, from its first bytes and its name) and an opener.
#include <memory>
#include <string>
#include <vector>

#include "ecm/io/frame_source.hpp"

namespace ecm::io::sources {

// Bytes of a file's head handed to every content test.
constexpr std::size_t kHeadBytes = 4096;

// Quantum Detectors Merlin .mib (+ .hdr): per-frame ASCII headers "MQ1,...".
bool looks_like_mib(const std::string& path, const std::vector<unsigned char>& head);
std::unique_ptr<FrameSource> open_mib(const std::string& path, const SourceOptions& options);

// Norpix StreamPix / Direct Electron .seq (v4, v5), Celeritas _Top_/_Bottom_ pairs.
bool looks_like_seq(const std::string& path, const std::vector<unsigned char>& head);
std::unique_ptr<FrameSource> open_seq(const std::string& path, const SourceOptions& options);

// MRC / MRC2014 stacks and DE-Server movies (*_movie.mrc + *_info.txt).
bool looks_like_mrc(const std::string& path, const std::vector<unsigned char>& head);
std::unique_ptr<FrameSource> open_mrc(const std::string& path, const SourceOptions& options);

// EMPAD .raw + .xml: 128 x 130 float32 frames, the last 2 rows dropped.
bool looks_like_empad(const std::string& path, const std::vector<unsigned char>& head);
std::unique_ptr<FrameSource> open_empad(const std::string& path, const SourceOptions& options);

// HDF5: the canonical 5-D and 3-D layouts, NeXus/NXmx masters (Dectris), virtual datasets.
bool looks_like_hdf5(const std::string& path, const std::vector<unsigned char>& head);
std::unique_ptr<FrameSource> open_hdf5(const std::string& path, const SourceOptions& options, MPI_Comm comm);

}  // namespace ecm::io::sources
