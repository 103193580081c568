// One HDF5 file per training run: the resolved config, per-iteration scalars (loss, lr, ...),
// state snapshots and whole arrays (evaluation grids). Conventions: dataset paths are
// slash-separated ("train/loss"), groups are created on demand, scalars are 1-D float64 that grow
// by one row per append, arrays are float32 with the caller's dims (e.g. {B, C, H, W}).
// Schema 2 (this build) is written in HDF5's newest file format so that a training run can switch
// it to single-writer/multiple-reader mode (begin_live): other processes then follow it with
// h5py.File(path, "r", swmr=True) while it grows. Snapshots are one extensible dataset
// snapshots/states [n, B, C, H, W] beside snapshots/iteration [n]. Schema-1 files (separate
// snapshots/iteration_NNNNNNN datasets, older format) are still read and resumed, without SWMR.
#pragma once

#include <H5public.h>  // hsize_t only; H5Cpp.h stays out of this header

#include <memory>
#include <string>
#include <vector>

namespace eqnca::experiments {

class RunLog {
 public:
  static constexpr int kSchemaVersion = 2;

  // Creates a new log; throws if `path` exists (resuming must go through open_existing).
  static RunLog create(const std::string& path, const std::string& resolved_config_toml);
  // Opens a log written by create() for appending; throws if it is missing or has another schema.
  static RunLog open_existing(const std::string& path);
  // Opens any file written by create() for reading only (the writing methods then throw); a
  // schema-2 file is opened as an SWMR reader, so it may be one a training run is writing.
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
  // Pushes everything to disk so a crash loses at most what was appended since the last flush;
  // in live mode this is also when readers see the new rows.
  void flush();

  // Creates the scalar datasets and, when snapshot_dims ({B, C, H, W}) is not empty, the
  // snapshot datasets, then switches a schema-2 file to SWMR writing. From then on only
  // append_scalar, append_snapshot and flush are allowed (HDF5 creates no objects in SWMR mode),
  // until the log is closed. On a schema-1 file it creates the datasets and stays a plain writer.
  void begin_live(const std::vector<std::string>& scalar_datasets, const std::vector<hsize_t>& snapshot_dims);
  bool live() const;
  // Appends one snapshot of the states (dims {B, C, H, W}) taken after `iteration`.
  void append_snapshot(double iteration, const std::vector<float>& data, const std::vector<hsize_t>& dims);
  // Drops the snapshots taken after `iteration` (resume, like truncate for scalars).
  void drop_snapshots_after(double iteration);
  // The iterations of the stored snapshots, and one snapshot by its row (dims {B, C, H, W}).
  std::vector<double> snapshot_iterations() const;
  std::vector<float> read_snapshot(size_t row, std::vector<hsize_t>* dims = nullptr) const;
  int schema_version() const;

  bool exists(const std::string& object_path) const;
  std::vector<double> read_scalars(const std::string& dataset) const;
  std::vector<float> read_array(const std::string& dataset, std::vector<hsize_t>* dims = nullptr) const;
  // String attributes verbatim; numeric ones formatted with full precision ("1", "0.001").
  std::string read_attribute(const std::string& object_path, const std::string& name) const;

  const std::string& path() const;

 private:
  struct Impl;
  static RunLog open(const std::string& path, bool read_only);
  void check_not_live(const std::string& what) const;
  void create_append_datasets(const std::vector<std::string>& scalar_datasets,
                              const std::vector<hsize_t>& snapshot_dims);
  explicit RunLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace eqnca::experiments
