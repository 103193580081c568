# eqnca_io_tests: GoogleTest suite for experiments/io.cmake's eqnca_io. include() it after
# enable_testing() and after eqnca_io exists.
if(NOT TARGET GTest::gtest_main)
  find_package(GTest REQUIRED)
endif()
include(GoogleTest)

add_executable(eqnca_io_tests
  ${CMAKE_CURRENT_LIST_DIR}/AtomicFileTest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/GifWriterTest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ImageIoTest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ProgressTest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/RunLogTest.cpp
)
target_link_libraries(eqnca_io_tests PRIVATE eqnca_io GTest::gtest_main PNG::PNG)
# RunLogTest hands its file to check_run_log.py (h5py) when a python3 with h5py is installed.
target_compile_definitions(eqnca_io_tests PRIVATE
  EQNCA_IO_TEST_DIR="${CMAKE_CURRENT_LIST_DIR}")
gtest_discover_tests(eqnca_io_tests DISCOVERY_TIMEOUT 30)
