#!/usr/bin/env bash
# Installs everything ecm needs to build and test on Debian 12 (run as root, or with sudo).
# Idempotent: packages already present are left alone.
set -euo pipefail
packages=(
  build-essential cmake git pkg-config
  openmpi-bin libopenmpi-dev            # MPI
  libhdf5-openmpi-dev hdf5-tools        # parallel HDF5 (+ h5dump for inspecting files)
  libeigen3-dev                         # small dense linear algebra
  libfftw3-dev libfftw3-mpi-dev         # FFTs (g2, registration)
  libtrilinos-kokkos-dev                # Kokkos 3.4 (Serial) from Trilinos
  libboost-program-options-dev          # command line and INI configuration
  catch2                                # tests
  gnuplot-nox                           # figures of `ecm report` (pngcairo terminal)
  zlib1g-dev                            # tests: png_check reads the report's PNGs
  slurmctld slurmd slurm-client munge   # a one-node SLURM cluster for the job-script tests
  python3-numpy python3-h5py            # benchmark and test helpers (/usr/bin/python3)
  python3-dev pybind11-dev python3-pybind11   # the Python module ecm (drivers/python)
  python3-pytest python3-xarray         # its tests (tests/python) and Result.to_xarray()
  bitshuffle                            # HDF5 filter 32008 (bitshuffle+LZ4) of Dectris NeXus files, into the plugin dirs
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup-debian: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
