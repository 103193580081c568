# eqnca_io: the torch-free I/O layer of experiments/ (PNG, GIF, HDF5 run log, atomic files,
# progress). include() it from experiments/CMakeLists.txt; it finds its own packages if the
# including project has not already done so.
if(NOT PNG_FOUND)
  find_package(PNG REQUIRED)
endif()
if(NOT HDF5_FOUND)
  find_package(HDF5 REQUIRED COMPONENTS C CXX)
endif()
if(NOT TARGET fmt::fmt)
  find_package(fmt REQUIRED)
endif()

add_library(eqnca_io STATIC
  ${CMAKE_CURRENT_LIST_DIR}/atomic_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gif_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/image_io.cpp
  ${CMAKE_CURRENT_LIST_DIR}/progress.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_log.cpp
)
target_compile_features(eqnca_io PUBLIC cxx_std_17)
# Repository root, so that includes read "experiments/image_io.h".
target_include_directories(eqnca_io PUBLIC ${CMAKE_CURRENT_LIST_DIR}/.. ${HDF5_INCLUDE_DIRS})
target_compile_definitions(eqnca_io PUBLIC ${HDF5_DEFINITIONS} ${HDF5_CXX_DEFINITIONS})
target_link_libraries(eqnca_io PUBLIC PNG::PNG ${HDF5_CXX_LIBRARIES} ${HDF5_LIBRARIES} fmt::fmt)
# Linked into executables that may be position-independent (and into shared test helpers).
set_target_properties(eqnca_io PROPERTIES POSITION_INDEPENDENT_CODE ON)
