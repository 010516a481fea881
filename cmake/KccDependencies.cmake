# Finds every system dependency of kcc and, when some are missing, stops once
# with the whole list, each named by the Debian package that provides it
# (scripts/setup.sh installs exactly these). A fresh Debian 12 machine must be
# able to configure after setup.sh alone; test/setup/ checks that nothing the
# build uses comes from a package outside setup.sh's list.

set(_kcc_missing "")
macro(kcc_note_missing what debian)
  list(APPEND _kcc_missing "${what} (Debian: ${debian})")
endmacro()

# ---- MLIR/LLVM 19 -------------------------------------------------------------
find_package(MLIR QUIET CONFIG)
if(NOT MLIR_FOUND)
  kcc_note_missing("MLIR 19" "libmlir-19-dev mlir-19-tools llvm-19-dev")
elseif(NOT LLVM_VERSION_MAJOR EQUAL 19)
  message(FATAL_ERROR "kcc needs MLIR/LLVM 19, found ${LLVM_PACKAGE_VERSION}: run scripts/setup.sh")
endif()

# ---- oneDNN 2.x ---------------------------------------------------------------
# Not through Debian's dnnl-config.cmake: that config is built for the OpenCL
# GPU runtime and demands OpenCL development files (ocl-icd-opencl-dev, only
# *recommended* by libdnnl-dev) although kcc calls oneDNN's CPU engine only.
# The library and headers are all kcc needs.
find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
find_library(DNNL_LIBRARY NAMES dnnl)
if(DNNL_INCLUDE_DIR AND DNNL_LIBRARY)
  file(STRINGS "${DNNL_INCLUDE_DIR}/oneapi/dnnl/dnnl_version.h" _dnnl_major REGEX "#define DNNL_VERSION_MAJOR")
  string(REGEX MATCH "[0-9]+" _dnnl_major "${_dnnl_major}")
  if(NOT _dnnl_major EQUAL 2)
    message(FATAL_ERROR "kcc needs oneDNN 2.x (v2 API), found major version ${_dnnl_major} at ${DNNL_LIBRARY}")
  endif()
  if(NOT TARGET DNNL::dnnl)
    add_library(DNNL::dnnl SHARED IMPORTED)
    set_target_properties(DNNL::dnnl PROPERTIES
      IMPORTED_LOCATION "${DNNL_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${DNNL_INCLUDE_DIR}")
  endif()
else()
  kcc_note_missing("oneDNN 2.6" "libdnnl-dev")
endif()

# ---- Header-only and small libraries -----------------------------------------
find_package(RapidJSON QUIET CONFIG)
if(NOT RapidJSON_FOUND)
  kcc_note_missing("RapidJSON" "rapidjson-dev")
endif()
# Debian's RapidJSON 1.1.0 defines GenericStringRef::operator= over const
# members (never instantiated); clang 19 rejects it when it parses the
# template (Tencent/rapidjson#2277). Directories that include RapidJSON add
# these options (the fuzz preset builds the frontend with clang).
set(KCC_RAPIDJSON_OPTIONS "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(KCC_RAPIDJSON_OPTIONS -fdelayed-template-parsing)
endif()
find_package(FlatBuffers QUIET CONFIG)
if(NOT FlatBuffers_FOUND OR NOT TARGET flatbuffers::flatc)
  kcc_note_missing("FlatBuffers and flatc" "libflatbuffers-dev flatbuffers-compiler")
endif()
find_package(CLI11 QUIET CONFIG)
if(NOT CLI11_FOUND)
  kcc_note_missing("CLI11" "libcli11-dev")
endif()
find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  kcc_note_missing("zlib" "zlib1g-dev")
endif()
# A library found by its header and its file, as an imported target.
macro(kcc_find_plain_library target header library suffixes debian)
  find_path(${target}_INCLUDE_DIR ${header} PATH_SUFFIXES ${suffixes})
  find_library(${target}_LIBRARY NAMES ${library} PATH_SUFFIXES ${suffixes})
  if(${target}_INCLUDE_DIR AND ${target}_LIBRARY)
    add_library(kcc::${target} SHARED IMPORTED)
    set_target_properties(kcc::${target} PROPERTIES IMPORTED_LOCATION "${${target}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${${target}_INCLUDE_DIR}")
  else()
    kcc_note_missing("${target}" "${debian}")
  endif()
endmacro()
# HDF5 (Keras's .weights.h5) and libzip (.keras archives, numpy .npz), found
# directly: Debian's serial HDF5 lives under hdf5/serial, and neither needs
# its package-config machinery.
kcc_find_plain_library(hdf5 hdf5.h hdf5 hdf5/serial libhdf5-dev)
kcc_find_plain_library(zip zip.h zip "" libzip-dev)
# Open MPI: krun's data-parallel plugin (a single process never loads it).
find_package(MPI QUIET COMPONENTS C)
if(NOT MPI_C_FOUND OR NOT MPIEXEC_EXECUTABLE)
  kcc_note_missing("Open MPI" "libopenmpi-dev openmpi-bin")
endif()
find_package(GTest QUIET CONFIG)
if(NOT GTest_FOUND)
  kcc_note_missing("GoogleTest" "libgtest-dev")
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Debian's oneDNN runs on GNU libgomp; clang would link LLVM's libomp as
  # well, and two OpenMP runtimes in one process fight over the threads. So
  # clang builds link libgomp too; omp.h (GCC's does not parse in clang)
  # comes from libomp-19-dev, the standard API both runtimes implement.
  if(EXISTS "/usr/lib/llvm-19/lib/clang/19/include/omp.h")
    add_library(OpenMP::OpenMP_CXX INTERFACE IMPORTED)
    set_target_properties(OpenMP::OpenMP_CXX PROPERTIES
      INTERFACE_COMPILE_OPTIONS -fopenmp=libgomp INTERFACE_LINK_OPTIONS -fopenmp=libgomp)
    set(OpenMP_CXX_FOUND ON)
  endif()
else()
  find_package(OpenMP QUIET)
endif()
if(NOT OpenMP_CXX_FOUND)
  kcc_note_missing("OpenMP" "g++ (libgomp); with clang also libomp-19-dev for omp.h")
endif()
find_package(Python3 QUIET COMPONENTS Interpreter)
if(NOT Python3_FOUND)
  kcc_note_missing("Python 3" "python3 python3-venv python3-yaml")
endif()
find_package(Threads REQUIRED)

if(_kcc_missing)
  list(JOIN _kcc_missing "\n  " _kcc_missing_text)
  message(FATAL_ERROR "kcc: missing dependencies:\n  ${_kcc_missing_text}\n"
    "Run scripts/setup.sh (it installs all of them), or apt-get install the packages named above.")
endif()
