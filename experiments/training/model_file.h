// model.h5: the part of a run a researcher shares, apart from the resume state (checkpoint.pt:
// optimiser, pool, generator). An HDF5 file in the run-log layout (experiments/io/run_log.h),
// readable from Python with h5py: root attributes "config" (the run's resolved TOML, which names
// the model and its sizes), "eqnca_model_format" (1) and "iteration"; one float32 dataset per
// parameter, "parameters/<key>" in the module's own shape (e.g. parameters/update.fc0.weight).
// Buffers are not stored: the model rebuilds them from its config. Kilobytes for every model.
#pragma once

#include <cstdint>
#include <string>

namespace torch::nn {
class Module;
}

namespace eqnca::experiments {

inline constexpr int kModelFileFormat = 1;

// Writes atomically (temporary file, then rename).
void save_model_file(const std::string& path, const torch::nn::Module& model, const std::string& config_toml,
                     int64_t iteration);

struct ModelFileHeader {
  std::string config_toml;
  int64_t iteration = 0;
};
// The header alone. Throws std::runtime_error (one line) for a missing, corrupt or foreign file.
ModelFileHeader read_model_file_header(const std::string& path);
// Copies every parameter into `model` (built from the header's config); throws
// std::runtime_error when one is missing or has another shape.
ModelFileHeader load_model_file(const std::string& path, torch::nn::Module& model);

}  // namespace eqnca::experiments
