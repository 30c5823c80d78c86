# All third-party packages of ecm, found once here.
find_package(MPI REQUIRED COMPONENTS C CXX)

# Parallel HDF5: Debian installs the Open MPI flavour under hdf5/openmpi.
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "ecm needs a parallel (MPI) HDF5; found a serial one at ${HDF5_INCLUDE_DIRS}. "
                      "On Debian: apt-get install libhdf5-openmpi-dev")
endif()

find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(Boost 1.67 REQUIRED COMPONENTS program_options)

# FFTW3 (double, plus the MPI interface) has no CMake package on Debian.
find_path(FFTW3_INCLUDE_DIR fftw3.h REQUIRED)
find_library(FFTW3_LIBRARY fftw3 REQUIRED)
find_library(FFTW3_MPI_LIBRARY fftw3_mpi REQUIRED)
add_library(ecm_fftw3 INTERFACE)
target_include_directories(ecm_fftw3 INTERFACE ${FFTW3_INCLUDE_DIR})
target_link_libraries(ecm_fftw3 INTERFACE ${FFTW3_MPI_LIBRARY} ${FFTW3_LIBRARY})

# Kokkos: Debian's 3.4 (Trilinos, Serial) or a cluster's 4.x via -DKokkos_ROOT.
find_package(Kokkos 3.4 REQUIRED)
if(Kokkos_VERSION VERSION_LESS 3.5)
  # Debian's Trilinos Kokkos exports an include dir that does not exist.
  find_path(ECM_KOKKOS_INCLUDE_DIR Kokkos_Core.hpp PATHS /usr/include/trilinos REQUIRED)
  set_target_properties(Kokkos::kokkos PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${ECM_KOKKOS_INCLUDE_DIR}")
endif()
message(STATUS "ecm: Kokkos ${Kokkos_VERSION}, devices: ${Kokkos_DEVICES}")

if(ECM_BUILD_TESTS)
  find_package(Catch2 2.13 REQUIRED)
endif()

# What the implementation (src/ and its headers) builds against: private to libecm, public to
# the build tree's own programs through ecm_lib (src/CMakeLists.txt). Never installed.
add_library(ecm_dependencies INTERFACE)
target_include_directories(ecm_dependencies SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_link_libraries(ecm_dependencies INTERFACE MPI::MPI_CXX ${HDF5_C_LIBRARIES} Eigen3::Eigen Kokkos::kokkos ecm_fftw3)
target_compile_definitions(ecm_dependencies INTERFACE ${HDF5_DEFINITIONS})

# The Python front end (drivers/python, option ECM_BUILD_PYTHON): Debian's python3-dev and
# pybind11-dev. Optional: without them the rest of ecm builds as before. The module is built
# for the system's /usr/bin/python3, the interpreter the tests and helpers use (its
# python3-numpy, python3-h5py); -DPython3_EXECUTABLE=... picks another.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python interpreter the module ecm is built for")
endif()
find_package(Python3 3.7 COMPONENTS Interpreter Development.Module)
if(Python3_FOUND)
  find_package(pybind11 2.6 CONFIG QUIET)
endif()
if(Python3_FOUND AND pybind11_FOUND)
  set(ECM_PYTHON_FOUND ON)
else()
  set(ECM_PYTHON_FOUND OFF)
endif()
