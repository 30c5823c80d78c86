#pragma once
// The output schema (docs/output-format.md), written collectively with parallel HDF5.
// The file is created as OUT.h5.partial and renamed to OUT.h5 only when complete.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/io/hdf5.hpp"

namespace ecm::io {

struct ResultShape {
  std::size_t scan_y = 0, scan_x = 0;
  int n_kr = 0, n_kphi = 0;
  std::size_t n_lags = 0;   // lag bins actually fitted
  std::size_t n_t = 0;      // scan cycles (for /registration/drift_yx)
  bool save_g2 = false;
  std::size_t text_bytes = 0;  // provenance strings written as attributes (command line, configuration)
};

// The bytes an output of this shape is given before the first write (io/space_reservation.hpp).
double expected_result_bytes(const ResultShape& shape);

// Results of one tile on the host, row-major (tile_y, tile_x, n_kr, n_kphi[, n_lags]).
struct TileResults {
  std::vector<float> tau, tau_err, beta, beta_err, contrast, contrast_err, baseline, chi2_red, mean_intensity;
  std::vector<std::uint8_t> fit_status;
  std::vector<float> g2;  // only when saved
};

// /fit_status of a position not yet written: fit::Status::not_computed (kernels/kww_fit.hpp).
constexpr std::uint8_t kNotComputed = 8;

// A checksum of a tile's results, every dataset in a fixed order: what the tile ledger
// records when the tile is written and compares on --resume with what the file holds.
std::uint64_t results_checksum(const TileResults& results);

// Every collective call (each dataset write, flush, attribute) is followed by the ranks'
// agreement (mpi::run_then_agree): a rank whose call failed stops them all there, before
// the next collective call, and all of them unwind together.
class ResultFile {
 public:
  // Creates OUT.h5.partial, or with `resume` opens the one a previous run left (its
  // datasets must have this shape).
  ResultFile(const std::string& final_path, const ResultShape& shape, MPI_Comm comm, bool resume = false);
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  // Collective: every rank calls it the same number of times; an empty tile writes nothing.
  void write_tile(const ScanTile& tile, const TileResults& results);
  // Collective, identical arguments on every rank.
  void write_axes(const std::vector<double>& k_r, const std::vector<double>& k_phi, const std::vector<double>& lag_s);
  // A small float64 dataset of `shape` (rows, or rows x columns) with string attributes,
  // written by rank 0 (groups created as needed).
  void write_table(const std::string& path, const std::vector<double>& values, const std::vector<std::size_t>& shape,
                   const std::vector<std::pair<std::string, std::string>>& attributes);
  void write_attribute(const std::string& name, const std::string& value);
  void write_attribute(const std::string& name, double value);
  void write_attribute(const std::string& name, const std::vector<double>& values);
  // Independent: every result of one tile, as written (what results_checksum was taken of).
  TileResults read_tile(const ScanTile& tile) const;
  // Collective: everything written so far is on disk on every rank (tile data before it is
  // recorded done).
  void flush();
  // Collective: closes the file and gives it its final name.
  void commit();

  const std::string& path() const { return final_path_; }
  const std::string& partial_path() const { return partial_path_; }

 private:
  std::string final_path_, partial_path_;
  ResultShape shape_;
  MPI_Comm comm_;
  h5::Handle file_;
  std::vector<std::pair<std::string, h5::Handle>> datasets_;
  h5::Handle status_, g2_;

  template <class F>
  void collective(F&& call);
};

}  // namespace ecm::io
