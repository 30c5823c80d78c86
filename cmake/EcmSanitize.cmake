# ECM_SANITIZE=ON: every ecm target (library, `ecm`, tests, benchmarks) built with
# AddressSanitizer and UndefinedBehaviorSanitizer (issue 14). cmake/run-sanitized-tests.sh
# configures such a build in its own folder and runs the tests with it; CI calls that script.
# Run the tests through it: it sets ASAN_OPTIONS, without which LeakSanitizer reports MPI's
# allocations at every exit (the unit tests' discovery at build time included).
# Undefined behaviour stops the program (-fno-sanitize-recover), so a finding fails its test
# instead of printing a line nobody reads. The third-party libraries (MPI, HDF5, FFTW) are
# not instrumented: ASan still sees ecm's reads and writes into the buffers it hands them.
option(ECM_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer (gcc or clang)" OFF)
if(ECM_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "ECM_SANITIZE needs gcc or clang; the compiler is ${CMAKE_CXX_COMPILER_ID}")
  endif()
  # float-cast-overflow is not part of `undefined`: a NaN or huge double cast to an integer
  # (a pixel index from a NaN centre, issue 14 class 2) is what it catches. Not
  # float-divide-by-zero: IEEE division by zero (an Inf, a NaN) is how the kernels mark
  # what has no value.
  set(ECM_SANITIZE_FLAGS -fsanitize=address,undefined,float-cast-overflow
                         -fno-sanitize-recover=undefined,float-cast-overflow -fno-omit-frame-pointer)
  add_compile_options(${ECM_SANITIZE_FLAGS} -g)
  add_link_options(${ECM_SANITIZE_FLAGS})
  message(STATUS "ecm: built with ${ECM_SANITIZE_FLAGS}")
endif()
