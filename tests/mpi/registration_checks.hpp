#pragma once
// Reading back what the registration stage wrote (/registration) and comparing it with the
// simulator's truth: shared by the drift and the beam-geometry tests.
#include <string>
#include <vector>

namespace ecm::test {

std::vector<double> read_doubles(const std::string& path, const std::string& name);
std::string read_text_attribute(const std::string& path, const std::string& dataset, const std::string& name);
// RMS over cycles, and the largest, 2-D distance between two (t, 2) tracks.
double rms_distance(const std::vector<double>& a, const std::vector<double>& b);
double max_distance(const std::vector<double>& a, const std::vector<double>& b);
// Azimuthal anisotropy of the ring in a result file: per k_r bin, rms over k_phi of the
// scan-averaged /mean_intensity over its mean, averaged over k_r. A polar map centred and
// shaped like the ring gives the speckle's residue only; an off-centre or circular map on
// an elliptical ring a k_phi modulation.
double ring_anisotropy(const std::string& run);

}  // namespace ecm::test
