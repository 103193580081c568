// Fuzzes the PNG loader (experiments/io/image_io.h: read_png, then the target's resize).
#include <exception>

#include "experiments/io/image_io.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto image = eqnca::experiments::read_png(eqnca::fuzzing::input_file(data, size, ".png"));
    if (image.width > 0 && image.height > 0) eqnca::experiments::resize_to_fit(image, 8);
  } catch (const std::exception&) {
  }
  return 0;
}
