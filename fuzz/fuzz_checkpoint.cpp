// Fuzzes the checkpoint reader (experiments/training/checkpoint.h) two ways.
// - Raw bytes that end with a checksum comment: the checksum record and its check. A file whose
//   checksum matches is one eqnca wrote (or a forgery) and goes on to LibTorch 1.13's archive
//   parser, which crashes on some malformed archives (fuzz/README.md): not eqnca's to defend, so
//   such inputs stop at the check.
// - Any other input is read as a recipe for a well-formed archive that LibTorch writes itself:
//   magic, version, iteration, wall time and config of any type or missing, model parameters,
//   pool, curriculum and generator state of fuzzed shapes and types; then the whole reader runs
//   on it, with a small model and Adam, and the generator state is restored.
#include <fuzzer/FuzzedDataProvider.h>

#include <exception>
#include <string>

#include <ATen/core/ivalue.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>

#include "experiments/training/checkpoint.h"
#include "fuzz/fuzz_input.h"

namespace {

using eqnca::experiments::kCheckpointMagic;

// A tensor of up to four dimensions (up to 64 elements) of one of the types a checkpoint holds.
torch::Tensor fuzzed_tensor(FuzzedDataProvider& in) {
  std::vector<int64_t> shape(in.ConsumeIntegralInRange<size_t>(0, 4));
  int64_t numel = 1;
  for (auto& extent : shape) numel *= (extent = in.ConsumeIntegralInRange<int64_t>(0, 4));
  static const torch::ScalarType kTypes[] = {torch::kFloat, torch::kUInt8, torch::kInt64, torch::kDouble, torch::kBool};
  const torch::ScalarType type = kTypes[in.ConsumeIntegralInRange<size_t>(0, std::size(kTypes) - 1)];
  std::vector<float> values(static_cast<size_t>(numel));
  for (auto& v : values) v = float(in.ConsumeIntegralInRange<int>(-2, 3));
  return torch::tensor(values).reshape(shape).to(type);
}

// A scalar entry: the expected kind, another kind, or missing.
void write_scalar(FuzzedDataProvider& in, torch::serialize::OutputArchive& archive, const char* key,
                  const c10::IValue& expected) {
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0:
      archive.write(key, expected);
      break;
    case 1:
      archive.write(key, c10::IValue(in.ConsumeIntegralInRange<int64_t>(-2, 5)));
      break;
    case 2:
      archive.write(key, c10::IValue(in.ConsumeFloatingPoint<double>()));
      break;
    case 3:
      archive.write(key, c10::IValue(in.ConsumeRandomLengthString(32)));
      break;
    default:
      break;
  }
}

void write_tensor(FuzzedDataProvider& in, torch::serialize::OutputArchive& archive, const char* key) {
  if (in.ConsumeBool()) archive.write(key, fuzzed_tensor(in));
}

std::string recipe_archive(FuzzedDataProvider& in, const std::string& path) {
  torch::serialize::OutputArchive archive, model, optimizer;
  write_scalar(in, archive, "magic", c10::IValue(std::string(kCheckpointMagic)));
  write_scalar(in, archive, "version", c10::IValue(in.ConsumeIntegralInRange<int64_t>(1, 2)));
  write_scalar(in, archive, "iteration", c10::IValue(in.ConsumeIntegral<int64_t>()));
  write_scalar(in, archive, "wall_time", c10::IValue(in.ConsumeFloatingPoint<double>()));
  write_scalar(in, archive, "config", c10::IValue(in.ConsumeRandomLengthString(64)));
  write_tensor(in, model, "weight");
  write_tensor(in, model, "bias");
  if (in.ConsumeBool()) {  // a real optimiser's state, for a model of fuzzed size
    torch::nn::Linear other(in.ConsumeIntegralInRange<int64_t>(1, 4), in.ConsumeIntegralInRange<int64_t>(1, 4));
    torch::optim::Adam adam(other->parameters(), torch::optim::AdamOptions(1e-3));
    other->weight.sum().backward();
    if (in.ConsumeBool()) adam.step();
    adam.save(optimizer);
  }
  if (in.ConsumeBool()) archive.write("model", model);
  if (in.ConsumeBool()) archive.write("optimizer", optimizer);
  write_tensor(in, archive, "pool");
  write_tensor(in, archive, "pool_live");
  write_tensor(in, archive, "pool_cells");
  write_tensor(in, archive, "curriculum");
  write_tensor(in, archive, "cpu_rng");
  archive.save_to(path);
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = eqnca::fuzzing::input_file(data, size, ".pt");
  try {
    if (eqnca::experiments::checkpoint_checksum_verified(path)) return 0;
    FuzzedDataProvider in(data, size);
    recipe_archive(in, path);
    torch::nn::Linear model(3, 2);
    torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
    const auto state = eqnca::experiments::load_checkpoint(path, *model, adam, torch::kCPU);
    if (state.cpu_rng.defined()) eqnca::experiments::restore_cpu_rng_state(state.cpu_rng);
  } catch (const std::exception&) {
  }
  return 0;
}
