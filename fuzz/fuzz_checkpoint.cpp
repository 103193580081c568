// Fuzzes the checkpoint reader (experiments/training/checkpoint.h): checksum, zip archive,
// magic, version and config; then the model's parameters into a small module.
#include <exception>
#include <string>

#include <c10/util/Exception.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>

#include "experiments/training/checkpoint.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Files without the checksum comment (written before checkpoints had one) are read unchecked,
  // and LibTorch 1.13's own archive parser crashes on some corrupt ones (this target found a
  // stack overflow in torch::jit::ScriptTypeParser). eqnca defends checksummed files only.
  const std::string tail(reinterpret_cast<const char*>(data) + (size > 20 ? size - 20 : 0),
                         reinterpret_cast<const char*>(data) + size);
  if (tail.rfind("eqnca-crc32:", 0) != 0) return 0;
  const std::string path = eqnca::fuzzing::input_file(data, size, ".pt");
  try {
    torch::nn::Linear model(3, 2);
    torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
    eqnca::experiments::load_checkpoint(path, *model, adam, torch::kCPU);
  } catch (const std::exception&) {
  }
  return 0;
}
