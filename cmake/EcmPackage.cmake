# `cmake --install` of ecm as a CMake package, in the manner of Cabana and heFFTe: the
# library ecm::ecm (libecm.so), its public headers, and ecmConfig.cmake, so that another
# program finds it with
#     find_package(ecm REQUIRED)
#     target_link_libraries(app PRIVATE ecm::ecm)
# Only the public API is installed (ECM_PUBLIC_HEADERS): it needs the standard library and
# MPI, nothing else. The implementation headers (include/ecm/<layer>/..., which pull in
# Kokkos, HDF5, Eigen, FFTW) stay in the source tree. tests/package checks both: that each
# public header compiles on its own with nothing but MPI, and that a program builds and
# runs against the installed package.
include(CMakePackageConfigHelpers)

# Paths relative to include/.
set(ECM_PUBLIC_HEADERS
    ecm/ecm.hpp ecm/analysis.hpp ecm/analysis_options.hpp ecm/core/error.hpp)

foreach(header ${ECM_PUBLIC_HEADERS})
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/include/${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${dir})
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/src/generated/ecm/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ecm)

set(ECM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ecm)
install(TARGETS ecm_library EXPORT ecmTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT ecmTargets NAMESPACE ecm:: DESTINATION ${ECM_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/package/ecmConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/package/ecmConfig.cmake
                              INSTALL_DESTINATION ${ECM_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/ecmConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/ecmConfig.cmake ${PROJECT_BINARY_DIR}/package/ecmConfigVersion.cmake
        DESTINATION ${ECM_INSTALL_CMAKEDIR})
