// Atomic checkpoint save/load (see checkpoint.h).
#include "experiments/training/checkpoint.h"

#include <filesystem>
#include <mutex>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include "experiments/io/atomic_file.h"

namespace eqnca::experiments {
namespace {

// c10::Error messages carry C++ backtraces; keep the first line for a one-line report.
std::string first_line(const std::exception& e) {
  std::string what = e.what();
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) what = c10_error->what_without_backtrace();
  return what.substr(0, what.find('\n'));
}

}  // namespace

torch::Tensor capture_cpu_rng_state() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void restore_cpu_rng_state(const torch::Tensor& state) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state.to(torch::kCPU));
}

void save_checkpoint(const std::string& path, const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                     const TrainingState& state) {
  torch::serialize::OutputArchive archive;
  archive.write("magic", c10::IValue(std::string(kCheckpointMagic)));
  archive.write("version", c10::IValue(kCheckpointVersion));
  archive.write("iteration", c10::IValue(state.iteration));
  archive.write("wall_time", c10::IValue(state.wall_time));
  archive.write("config", c10::IValue(state.config_toml));
  torch::serialize::OutputArchive model_archive, optimizer_archive;
  model.save(model_archive);
  optimizer.save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
  if (state.pool.defined()) archive.write("pool", state.pool.detach());
  if (state.curriculum.defined()) archive.write("curriculum", state.curriculum);
  if (state.cpu_rng.defined()) archive.write("cpu_rng", state.cpu_rng);
  write_file_atomically(path, [&archive](const std::string& tmp) { archive.save_to(tmp); });
}

TrainingState load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                              const torch::Device& device) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(fmt::format("checkpoint '{}' does not exist", path));
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path, device);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("checkpoint '{}' is corrupt or not a checkpoint ({})", path, first_line(e)));
  }
  c10::IValue value;
  if (!archive.try_read("magic", value) || !value.isString() || value.toStringRef() != kCheckpointMagic)
    throw std::runtime_error(fmt::format("checkpoint '{}' is not an eqnca training checkpoint", path));
  archive.read("version", value);
  if (!value.isInt() || value.toInt() != kCheckpointVersion)
    throw std::runtime_error(fmt::format("checkpoint '{}' has format version {}, this eqnca reads version {}", path,
                                         value.isInt() ? value.toInt() : -1, kCheckpointVersion));
  TrainingState state;
  try {
    archive.read("iteration", value);
    state.iteration = value.toInt();
    archive.read("wall_time", value);
    state.wall_time = value.toDouble();
    archive.read("config", value);
    state.config_toml = value.toStringRef();
    torch::serialize::InputArchive model_archive, optimizer_archive;
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    model.load(model_archive);
    optimizer.load(optimizer_archive);
    torch::Tensor t;
    if (archive.try_read("pool", t)) state.pool = t;
    torch::Tensor c;
    if (archive.try_read("curriculum", c)) state.curriculum = c;
    torch::Tensor r;
    if (archive.try_read("cpu_rng", r)) state.cpu_rng = r.to(torch::kCPU);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("checkpoint '{}' does not fit this model and optimiser ({})", path, first_line(e)));
  }
  return state;
}

}  // namespace eqnca::experiments
