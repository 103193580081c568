// One HDF5 file per training run: the resolved config, per-iteration scalars (loss, lr, ...),
// and whole arrays (state snapshots, evaluation grids). Conventions: dataset paths are
// slash-separated ("train/loss"), groups are created on demand, scalars are 1-D float64 that grow
// by one row per append, arrays are float32 with the caller's dims (e.g. {B, C, H, W}).
#pragma once

#include <H5public.h>  // hsize_t only; H5Cpp.h stays out of this header

#include <memory>
#include <string>
#include <vector>

namespace eqnca::experiments {

class RunLog {
 public:
  static constexpr int kSchemaVersion = 1;

  // Creates a new log; throws if `path` exists (resuming must go through open_existing).
  static RunLog create(const std::string& path, const std::string& resolved_config_toml);
  // Opens a log written by create() for appending; throws if it is missing or has another schema.
  static RunLog open_existing(const std::string& path);
  // Opens any file written by create() for reading only (the writing methods then throw).
  static RunLog open_read_only(const std::string& path);

  RunLog(RunLog&&) noexcept;
  RunLog& operator=(RunLog&&) noexcept;
  ~RunLog();

  // Appends one row to a 1-D extensible float64 dataset, creating it on first use.
  void append_scalar(const std::string& dataset, double value);
  // Writes a whole float32 dataset, replacing any existing one; data.size() must equal prod(dims).
  void write_array(const std::string& dataset, const std::vector<float>& data, const std::vector<hsize_t>& dims);
  // Attributes on a group or dataset ("/" is the file root); groups are created if missing.
  void set_attribute(const std::string& object_path, const std::string& name, const std::string& value);
  void set_attribute(const std::string& object_path, const std::string& name, double value);
  // Shrinks a scalar dataset to `length` rows (resume drops rows logged after the checkpoint).
  void truncate(const std::string& dataset, hsize_t length);
  // Pushes everything to disk so a crash loses at most what was appended since the last flush.
  void flush();

  bool exists(const std::string& object_path) const;
  std::vector<double> read_scalars(const std::string& dataset) const;
  std::vector<float> read_array(const std::string& dataset, std::vector<hsize_t>* dims = nullptr) const;
  // String attributes verbatim; numeric ones formatted with full precision ("1", "0.001").
  std::string read_attribute(const std::string& object_path, const std::string& name) const;

  const std::string& path() const;

 private:
  struct Impl;
  static RunLog open(const std::string& path, bool read_only);
  explicit RunLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace eqnca::experiments
