#pragma once
// Runs the kernel chain on one scan tile:
//   build_strip: read cycles block by block (drift-corrected: boxes with a halo, moved by the
//   drift) -> preprocess -> polar transform (the map of each cycle's beam centre) -> bin into
//   the strip;
//   process: build_strip, then per (position, k_r, k_phi) series: mean counts -> g2 -> KWW
//   fit -> host results.
// build_strip is public so that other analyses of the strip (`ecm ttcf`) read the data
// exactly as `ecm run` does. One processor lives for the whole run so that plans, the polar
// map and buffers are reused.
#include <memory>
#include <vector>

#include "ecm/core/kokkos_types.hpp"
#include "ecm/engine/memory_plan.hpp"
#include "ecm/engine/nonfinite_tally.hpp"
#include "ecm/engine/registration.hpp"
#include "ecm/engine/run_config.hpp"
#include "ecm/engine/stage_timer.hpp"
#include "ecm/io/input_dataset.hpp"
#include "ecm/io/result_file.hpp"
#include "ecm/kernels/g2.hpp"
#include "ecm/kernels/kww_fit.hpp"
#include "ecm/kernels/polar_map.hpp"
#include "ecm/kernels/preprocess.hpp"

namespace ecm::engine {

// Everything about the analysis that is the same for every tile.
struct AnalysisSetup {
  io::Calibration calibration;
  PolarGrid fine_grid;                 // polar transform grid (output grid refined by the bin factors)
  binning::Factors bin;
  std::size_t n_t_used = 0;            // raw cycles analysed (a multiple of bin.t)
  std::size_t n_t_binned = 0;          // series length
  double time_step_s = 0;              // after t-binning
  g2::LagBins lag_bins;
  std::vector<double> lag_s;           // centre of each lag bin [s]
  std::vector<double> bin_area_px;     // detector area of each output bin [px]
  std::string input_dataset;           // the dataset read (HDF5) or the input's format
  std::vector<std::string> references; // "dark: FILE", ... : the detector references applied
  std::vector<std::string> notes;      // what the setup did about the input (NaN reference pixels masked,
                                       // more --n-lags than lags, ...), for the summary
};

class TileProcessor {
 public:
  // `maps` holds one polar map per beam-centre segment (`segments`, covering every cycle).
  // `g2` may be null for a processor used only through build_strip.
  TileProcessor(const RunConfig& config, const AnalysisSetup& setup, const std::vector<polar::PolarMapHost>& maps,
                std::vector<CenterSegment> segments, const Registration& registration,
                const preprocess::DetectorCorrections<MemSpace>& corrections, const MemoryPlan& plan,
                std::unique_ptr<g2::G2Engine<ExecSpace>> g2);
  ~TileProcessor();

  io::TileResults process(const io::InputDataset& input, const ScanTile& tile, StageTimer& timer);

  // The tile's binned strip: one time-contiguous series of setup.n_t_binned samples per
  // (position, k_r, k_phi), row p * n_bins + ir * n_kphi + iphi, positions p row-major over
  // the tile. Counts per bin and binned cycle. Collective-free (reads this tile only).
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> build_strip(const io::InputDataset& input, const ScanTile& tile,
                                                                   StageTimer& timer);

  // Flags (one per tile position) of positions the drift takes off the scan at some cycle.
  std::vector<std::uint8_t> out_of_field(const io::InputLayout& layout, const ScanTile& tile) const;

  // NaN and Inf values of float frames read so far, which the kernels read as 0 counts: of
  // each tile's own positions (with the drift applied, not of the halo and the shifted rows
  // its boxes add), so that no value is counted twice. The caller reduces it over ranks.
  NonFiniteTally& nonfinite() { return nonfinite_; }

 private:

  const RunConfig& config_;
  const AnalysisSetup& setup_;
  preprocess::DetectorCorrections<MemSpace> corrections_;
  MemoryPlan plan_;
  std::unique_ptr<g2::G2Engine<ExecSpace>> g2_;
  std::vector<CenterSegment> segments_;
  const Registration& registration_;
  std::vector<polar::PolarMap<MemSpace>> maps_;  // one per segment
  Kokkos::View<double*, MemSpace> lag_s_;
  Kokkos::View<float*, MemSpace> bin_area_;
  Registration::Extent drift_;  // over the cycles analysed, when the drift is applied
  NonFiniteTally nonfinite_;
};

}  // namespace ecm::engine
