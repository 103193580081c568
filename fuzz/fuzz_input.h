// The one helper the fuzz targets share: the loaders under test read files, so each input is
// written to a file of this process first. Inputs that a loader refuses must throw
// std::exception (the project's one-line errors); a crash, a sanitizer report or a hang fails.
// The file is removed when the process exits normally (libFuzzer's runs end in exit()).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

namespace eqnca::fuzzing {

// The paths written so far, removed at exit.
struct InputFiles {
  std::set<std::string> paths;
  ~InputFiles() {
    for (const std::string& p : paths) std::remove(p.c_str());
  }
};

inline std::string input_file(const uint8_t* data, size_t size, const char* suffix) {
  static InputFiles files;
  const std::string path = "/tmp/eqnca_fuzz_" + std::to_string(::getpid()) + suffix;
  files.paths.insert(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace eqnca::fuzzing
