// Writes the malformed inputs the CLI error tests feed to `ecm run`, into one directory.
#include <hdf5.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {
void write_frames(const std::string& path, int rank, const hsize_t* dims, hid_t type, bool calibrated) {
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t s = H5Screate_simple(rank, dims, nullptr);
  hid_t d = H5Dcreate2(f, "/frames", type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t n = 1;
  for (int i = 0; i < rank; ++i) n *= dims[i];
  std::vector<double> values(n, 1.0);
  if (H5Tget_class(type) != H5T_STRING) H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  if (calibrated) {
    hid_t scalar = H5Screate(H5S_SCALAR);
    const double dt = 0.25, dk = 0.02;
    hid_t a = H5Acreate2(d, "time_step_s", H5T_IEEE_F64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &dt);
    H5Aclose(a);
    a = H5Acreate2(d, "k_pixel_size_inv_angstrom", H5T_IEEE_F64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &dk);
    H5Aclose(a);
    hsize_t two = 2;
    hid_t pair = H5Screate_simple(1, &two, nullptr);
    const double c[2] = {16.0, 16.0};
    a = H5Acreate2(d, "beam_center_yx", H5T_IEEE_F64LE, pair, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, c);
    H5Aclose(a);
    H5Sclose(pair);
    H5Sclose(scalar);
  }
  H5Dclose(d);
  H5Sclose(s);
  H5Fclose(f);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_bad_inputs DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  std::ofstream(dir + "/not_hdf5.h5") << "this is not an HDF5 file\n";
  const hsize_t five[5] = {16, 2, 2, 32, 32};
  const hsize_t four[4] = {16, 4, 32, 32};
  write_frames(dir + "/good.h5", 5, five, H5T_STD_U16LE, true);
  const hsize_t two[2] = {32, 32};
  write_frames(dir + "/single_scan.h5", 4, four, H5T_STD_U16LE, true);  // a 4-D scan: one cycle
  write_frames(dir + "/wrong_rank.h5", 2, two, H5T_STD_U16LE, true);
  hid_t text = H5Tcopy(H5T_C_S1);  // not numbers (signed and wider types are read as float32)
  H5Tset_size(text, 8);
  write_frames(dir + "/wrong_dtype.h5", 5, five, text, true);
  H5Tclose(text);
  write_frames(dir + "/no_calibration.h5", 5, five, H5T_STD_U16LE, false);
  hid_t f = H5Fcreate((dir + "/no_dataset.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Gclose(H5Gcreate2(f, "/something_else", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  H5Fclose(f);
  return 0;
}
