// The one helper the fuzz targets share: the loaders under test read files, so each input is
// written to a file of this process first. Inputs that a loader refuses must throw
// std::exception (the project's one-line errors); a crash, a sanitizer report or a hang fails.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

namespace eqnca::fuzzing {

inline std::string input_file(const uint8_t* data, size_t size, const char* suffix) {
  const std::string path = "/tmp/eqnca_fuzz_" + std::to_string(::getpid()) + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace eqnca::fuzzing
