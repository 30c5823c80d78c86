// ecm_consumer IN.h5 OUT.h5: the k-resolved ECM analysis of IN.h5 through the installed
// C++ API, on every rank of MPI_COMM_WORLD, with two options changed from their defaults.
#include <ecm/ecm.hpp>

#include <iostream>

int main(int argc, char** argv) {
  ecm::Runtime runtime(&argc, &argv);
  if (argc != 3) return 2;
  ecm::AnalysisOptions options;
  options.set("kr-range", "0.3,0.55");
  options.set("n-kphi", "8");
  options.set("n-kr", "2");
  const ecm::RunReport report = ecm::Analysis(options).run(argv[1], argv[2], MPI_COMM_WORLD);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::cout << report.n_converged << " of " << report.n_pixels << " fits, median tau " << report.median_tau_s << " s\n";
  return report.n_converged > 0 ? 0 : 1;
}
