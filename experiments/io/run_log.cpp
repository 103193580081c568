// RunLog over the HDF5 C++ API. Every public method converts H5::Exception into a one-line
// std::runtime_error naming the file and the object, because HDF5's own error stack dump is
// multi-line noise on stderr (it is switched off with H5::Exception::dontPrint()).
#include "experiments/io/run_log.h"

#include <H5Cpp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/io/hdf5_reason.h"
#include "groups/check.h"

namespace eqnca::experiments {

struct RunLog::Impl {
  Impl(const std::string& path, unsigned flags, const H5::FileAccPropList& fapl)
      : path(path), file(path, flags, H5::FileCreatPropList::DEFAULT, fapl) {}
  std::string path;
  H5::H5File file;                             // declared first: closed after the datasets
  std::map<std::string, H5::DataSet> scalars;  // open handles so appends do not reopen
  int schema = kSchemaVersion;
  bool live = false;
};

namespace {

constexpr hsize_t kScalarChunk = 1024;  // 8 KiB of float64 per chunk

// HDF5's error stack names the call that failed ("H5Fcreate failed"), not the system's reason: a
// full disk, a read-only or failing file system is the user's to fix, so it is named too. Only
// these errno values, because HDF5 leaves harmless ones behind (ENOENT from probing a name).
std::string system_reason(int error) {
  for (const int named : {ENOSPC, EDQUOT, EROFS, EIO, EFBIG})
    if (error == named) return std::string(" (") + std::strerror(error) + ")";
  return "";
}

template <typename F>
auto guarded(const std::string& path, const std::string& what, F&& body) -> decltype(body()) {
  errno = 0;
  try {
    return body();
  } catch (const H5::Exception& e) {
    const int error = errno;
    throw std::runtime_error(fmt::format("run log '{}': {}: {}{}", path, what, hdf5_reason(e), system_reason(error)));
  }
}

// A corrupt file may claim any extent: before allocating for it, check that the file really
// stores that many elements (every dataset a run log writes is stored in full, uncompressed).
void check_stored(const H5::DataSet& ds, hsize_t elements, const std::string& path, const std::string& name) {
  const hsize_t stored = ds.getStorageSize(), needed = elements * ds.getDataType().getSize();
  const hsize_t file_size = std::filesystem::file_size(path);
  if (elements > file_size || stored < needed || stored > file_size)
    throw std::runtime_error(fmt::format("run log '{}': '{}' claims {} elements but the file stores {} bytes of them",
                                         path, name, elements, stored));
}

std::string strip_slashes(const std::string& name) {
  const size_t begin = name.find_first_not_of('/');
  return begin == std::string::npos ? std::string() : name.substr(begin);
}

constexpr const char* kSnapshotStates = "snapshots/states";
constexpr const char* kSnapshotIterations = "snapshots/iteration";

// SWMR needs HDF5's newest file format (superblock version 3), which HDF5 1.8 cannot read.
H5::FileAccPropList newest_format() {
  H5::FileAccPropList fapl;
  fapl.setLibverBounds(H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  return fapl;
}

// A file in the newest format carries "open for writing" flags until its writer closes it, so a
// run killed with -9 leaves them set and HDF5 refuses to open it for writing again. Resuming
// is that writer coming back: clear them as HDF5's h5clear tool does, through the file-access
// property it reads ("clear_status_flags", registered by the library without a typed setter).
H5::FileAccPropList newest_format_clearing_flags() {
  H5::FileAccPropList fapl = newest_format();
  hbool_t clear = true;
  if (H5Pexist(fapl.getId(), "clear_status_flags") > 0) H5Pset(fapl.getId(), "clear_status_flags", &clear);
  return fapl;
}

H5::LinkCreatPropList intermediate_groups() {
  H5::LinkCreatPropList lcpl;
  lcpl.setCreateIntermediateGroup(true);
  return lcpl;
}

bool object_exists(const H5::H5File& file, const std::string& name) {
  const std::string relative = strip_slashes(name);
  if (relative.empty()) return true;
  // Check every prefix: asking for "a/b" when "a" is missing is an error, not "false".
  for (size_t slash = relative.find('/');; slash = relative.find('/', slash + 1)) {
    if (!file.nameExists(relative.substr(0, slash))) return false;
    if (slash == std::string::npos) return true;
  }
}

// Attributes live on groups and datasets alike; H5Object is their common (non-deletable) base.
template <typename F>
auto with_object(const H5::H5File& file, const std::string& name, F&& use) {
  const std::string relative = strip_slashes(name);
  if (!relative.empty() && file.childObjType(relative) == H5O_TYPE_DATASET) return use(file.openDataSet(relative));
  return use(file.openGroup(relative.empty() ? "/" : relative));
}

H5::DataSet open_or_create_scalars(const H5::H5File& file, const std::string& name) {
  if (object_exists(file, name)) return file.openDataSet(name);
  const hsize_t initial = 0, maximum = H5S_UNLIMITED;
  H5::DSetCreatPropList dcpl;
  dcpl.setChunk(1, &kScalarChunk);  // extensible datasets must be chunked
  return file.createDataSet(name, H5::PredType::IEEE_F64LE, H5::DataSpace(1, &initial, &maximum), dcpl,
                            H5::DSetAccPropList::DEFAULT, intermediate_groups());
}

void write_string_attribute(const H5::H5Object& object, const std::string& name, const std::string& value) {
  if (object.attrExists(name)) object.removeAttr(name);
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);  // variable length: no size limit
  object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
}

hsize_t length_of(const H5::DataSet& dataset) {
  hsize_t length = 0;
  const H5::DataSpace space = dataset.getSpace();
  if (space.getSimpleExtentNdims() != 1) throw H5::DataSetIException("length_of", "dataset is not 1-D");
  space.getSimpleExtentDims(&length);
  return length;
}

}  // namespace

RunLog::RunLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunLog::RunLog(RunLog&&) noexcept = default;
RunLog& RunLog::operator=(RunLog&&) noexcept = default;
RunLog::~RunLog() = default;

const std::string& RunLog::path() const { return impl_->path; }

RunLog RunLog::create(const std::string& path, const std::string& resolved_config_toml) {
  H5::Exception::dontPrint();
  if (std::filesystem::exists(path))
    throw std::runtime_error(
        fmt::format("run log '{}' already exists; resume the run or choose another output folder", path));
  try {
    return guarded(path, "cannot create", [&] {
      auto impl = std::make_unique<Impl>(path, H5F_ACC_EXCL, newest_format());
      const H5::Group root = impl->file.openGroup("/");
      const int version = kSchemaVersion;
      root.createAttribute("eqnca_schema_version", H5::PredType::STD_I32LE, H5::DataSpace(H5S_SCALAR))
          .write(H5::PredType::NATIVE_INT, &version);
      write_string_attribute(root, "config", resolved_config_toml);
      impl->file.flush(H5F_SCOPE_GLOBAL);
      return RunLog(std::move(impl));
    });
  } catch (...) {
    // Nothing half-written: a log that could not be created whole (a full disk) must not make
    // the folder look like it holds a run.
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    throw;
  }
}

RunLog RunLog::open_existing(const std::string& path) { return open(path, false); }

RunLog RunLog::open_read_only(const std::string& path) { return open(path, true); }

RunLog RunLog::open(const std::string& path, bool read_only) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path))
    throw std::runtime_error(
        fmt::format("run log '{}' does not exist{}", path, read_only ? "" : "; nothing to resume"));
  auto impl = guarded(path, "cannot open", [&] {
    if (!H5::H5File::isHdf5(path)) throw std::runtime_error(fmt::format("run log '{}' is not an HDF5 file", path));
    // A reader asks for SWMR first: that is the only way into a file a training run is writing
    // (or one whose writer was killed). Files in the older format (schema 1) refuse it.
    try {
      return std::make_unique<Impl>(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5::FileAccPropList::DEFAULT);
    } catch (const H5::Exception&) {
      H5Eclear2(H5E_DEFAULT);
    }
    return std::make_unique<Impl>(path, H5F_ACC_RDONLY, H5::FileAccPropList::DEFAULT);
  });
  RunLog log(std::move(impl));
  const std::string version = log.read_attribute("/", "eqnca_schema_version");
  if (version != "1" && version != std::to_string(kSchemaVersion))
    throw std::runtime_error(
        fmt::format("run log '{}' has schema version {}, this build reads 1 and {}", path, version, kSchemaVersion));
  log.impl_->schema = std::stoi(version);
  if (read_only) return log;
  // Writers reopen in the format the file was made in: schema 2 in the newest (for SWMR).
  const int schema = log.impl_->schema;
  log.impl_.reset();
  RunLog writer(guarded(path, "cannot open for writing", [&] {
    return std::make_unique<Impl>(path, H5F_ACC_RDWR,
                                  schema >= 2 ? newest_format_clearing_flags() : H5::FileAccPropList::DEFAULT);
  }));
  writer.impl_->schema = schema;
  return writer;
}

void RunLog::append_scalar(const std::string& dataset, double value) {
  const std::string name = strip_slashes(dataset);
  guarded(impl_->path, fmt::format("cannot append to '{}'", name), [&] {
    auto it = impl_->scalars.find(name);
    if (it == impl_->scalars.end()) {
      if (impl_->live && !object_exists(impl_->file, name))
        throw std::logic_error(
            fmt::format("run log '{}' is live (SWMR): '{}' must be named in begin_live", impl_->path, name));
      it = impl_->scalars.emplace(name, open_or_create_scalars(impl_->file, name)).first;
    }
    const H5::DataSet& ds = it->second;
    const hsize_t row = length_of(ds), count = 1, new_length = row + 1;
    ds.extend(&new_length);
    H5::DataSpace file_space = ds.getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, &count, &row);
    ds.write(&value, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &count), file_space);
  });
}

void RunLog::write_array(const std::string& dataset, const std::vector<float>& data, const std::vector<hsize_t>& dims) {
  const std::string name = strip_slashes(dataset);
  const hsize_t elements = std::accumulate(dims.begin(), dims.end(), hsize_t{1}, std::multiplies<>());
  EQNCA_CHECK(!dims.empty() && elements == data.size(), "run log '{}': '{}' has {} values but dims multiply to {}",
              impl_->path, name, data.size(), dims.empty() ? 0 : elements);
  check_not_live(fmt::format("write '{}'", name));
  guarded(impl_->path, fmt::format("cannot write '{}'", name), [&] {
    if (object_exists(impl_->file, name)) {
      impl_->scalars.erase(name);
      impl_->file.unlink(name);
    }
    const H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
    impl_->file
        .createDataSet(name, H5::PredType::IEEE_F32LE, space, H5::DSetCreatPropList::DEFAULT,
                       H5::DSetAccPropList::DEFAULT, intermediate_groups())
        .write(data.data(), H5::PredType::NATIVE_FLOAT);
  });
}

void RunLog::set_attribute(const std::string& object_path, const std::string& name, const std::string& value) {
  check_not_live(fmt::format("set attribute '{}'", name));
  guarded(impl_->path, fmt::format("cannot set attribute '{}' on '{}'", name, object_path), [&] {
    if (!object_exists(impl_->file, object_path))
      impl_->file.createGroup(strip_slashes(object_path), intermediate_groups());
    with_object(impl_->file, object_path,
                [&](const H5::H5Object& object) { write_string_attribute(object, name, value); });
  });
}

void RunLog::set_attribute(const std::string& object_path, const std::string& name, double value) {
  check_not_live(fmt::format("set attribute '{}'", name));
  guarded(impl_->path, fmt::format("cannot set attribute '{}' on '{}'", name, object_path), [&] {
    if (!object_exists(impl_->file, object_path))
      impl_->file.createGroup(strip_slashes(object_path), intermediate_groups());
    with_object(impl_->file, object_path, [&](const H5::H5Object& object) {
      if (object.attrExists(name)) object.removeAttr(name);
      object.createAttribute(name, H5::PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR))
          .write(H5::PredType::NATIVE_DOUBLE, &value);
    });
  });
}

void RunLog::truncate(const std::string& dataset, hsize_t length) {
  const std::string name = strip_slashes(dataset);
  check_not_live(fmt::format("truncate '{}'", name));
  guarded(impl_->path, fmt::format("cannot truncate '{}'", name), [&] {
    const H5::DataSet ds = impl_->file.openDataSet(name);
    const hsize_t current = length_of(ds);
    EQNCA_CHECK(length <= current, "run log '{}': cannot truncate '{}' to {} rows, it has only {}", impl_->path, name,
                length, current);
    ds.extend(&length);  // H5Dset_extent, which may shrink
    impl_->scalars.erase(name);
  });
}

void RunLog::check_not_live(const std::string& what) const {
  if (impl_->live)
    throw std::logic_error(
        fmt::format("run log '{}' is live (SWMR): cannot {}, only appends are allowed", impl_->path, what));
}

int RunLog::schema_version() const { return impl_->schema; }

bool RunLog::live() const { return impl_->live; }

void RunLog::create_append_datasets(const std::vector<std::string>& scalar_datasets,
                                    const std::vector<hsize_t>& snapshot_dims) {
  guarded(impl_->path, "cannot create the datasets a run appends to", [&] {
    for (const std::string& dataset : scalar_datasets) {
      const std::string name = strip_slashes(dataset);
      impl_->scalars.emplace(name, open_or_create_scalars(impl_->file, name));
    }
    if (impl_->schema < 2 || snapshot_dims.empty()) return;
    impl_->scalars.emplace(kSnapshotIterations, open_or_create_scalars(impl_->file, kSnapshotIterations));
    std::vector<hsize_t> dims{0}, maximum{H5S_UNLIMITED}, chunk{1};
    for (hsize_t d : snapshot_dims) dims.push_back(d), maximum.push_back(d), chunk.push_back(d);
    if (object_exists(impl_->file, kSnapshotStates)) {
      const H5::DataSpace space = impl_->file.openDataSet(kSnapshotStates).getSpace();
      std::vector<hsize_t> stored(space.getSimpleExtentNdims());
      space.getSimpleExtentDims(stored.data());
      if (!stored.empty()) stored[0] = 0;
      if (stored != dims)
        throw std::runtime_error(fmt::format("'{}' holds snapshots of another shape than this run's", kSnapshotStates));
      return;
    }
    H5::DSetCreatPropList dcpl;
    dcpl.setChunk(static_cast<int>(chunk.size()), chunk.data());  // one snapshot per chunk
    impl_->file.createDataSet(kSnapshotStates, H5::PredType::IEEE_F32LE,
                              H5::DataSpace(static_cast<int>(dims.size()), dims.data(), maximum.data()), dcpl,
                              H5::DSetAccPropList::DEFAULT, intermediate_groups());
  });
}

void RunLog::begin_live(const std::vector<std::string>& scalar_datasets, const std::vector<hsize_t>& snapshot_dims) {
  check_not_live("begin live mode twice");
  create_append_datasets(scalar_datasets, snapshot_dims);
  if (impl_->schema < 2) return;  // the older format cannot do SWMR: stay a plain writer
  guarded(impl_->path, "cannot begin live (SWMR) writing", [&] {
    impl_->file.flush(H5F_SCOPE_GLOBAL);
    if (H5Fstart_swmr_write(impl_->file.getId()) < 0) throw H5::FileIException("H5Fstart_swmr_write", "failed");
  });
  impl_->live = true;
}

void RunLog::append_snapshot(double iteration, const std::vector<float>& data, const std::vector<hsize_t>& dims) {
  if (impl_->schema < 2) {  // the schema-1 layout: one dataset per snapshot
    write_array(fmt::format("snapshots/iteration_{:07d}", static_cast<long long>(iteration)), data, dims);
    return;
  }
  const hsize_t elements = std::accumulate(dims.begin(), dims.end(), hsize_t{1}, std::multiplies<>());
  EQNCA_CHECK(dims.size() == 4 && elements == data.size(),
              "run log '{}': a snapshot needs dims {{B, C, H, W}} multiplying to its {} values", impl_->path,
              data.size());
  if (!impl_->live) create_append_datasets({}, dims);  // a live log made them in begin_live
  guarded(impl_->path, "cannot append a snapshot", [&] {
    if (!object_exists(impl_->file, kSnapshotStates))
      throw std::logic_error("live run log without snapshot datasets: name their dims in begin_live");
    const H5::DataSet states = impl_->file.openDataSet(kSnapshotStates);
    std::vector<hsize_t> extent(5);
    if (states.getSpace().getSimpleExtentNdims() != 5) throw std::runtime_error("snapshots/states is not 5-D");
    states.getSpace().getSimpleExtentDims(extent.data());
    if (!std::equal(dims.begin(), dims.end(), extent.begin() + 1))
      throw std::runtime_error(fmt::format("a snapshot of another shape than the {} stored", kSnapshotStates));
    const hsize_t row = extent[0];
    extent[0] = row + 1;
    states.extend(extent.data());
    std::vector<hsize_t> offset(5, 0), count(extent);
    offset[0] = row;
    count[0] = 1;
    H5::DataSpace file_space = states.getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, count.data(), offset.data());
    states.write(data.data(), H5::PredType::NATIVE_FLOAT, H5::DataSpace(5, count.data()), file_space);
  });
  append_scalar(kSnapshotIterations, iteration);
}

void RunLog::drop_snapshots_after(double iteration) {
  check_not_live("drop snapshots");
  if (impl_->schema < 2) {  // schema 1: the later snapshots' own datasets
    if (!object_exists(impl_->file, "snapshots")) return;
    guarded(impl_->path, "cannot drop snapshots", [&] {
      const H5::Group group = impl_->file.openGroup("snapshots");
      std::vector<std::string> later;
      for (hsize_t i = 0; i < group.getNumObjs(); ++i) {
        const std::string name = group.getObjnameByIdx(i);
        if (name.rfind("iteration_", 0) == 0 && std::stod(name.substr(10)) > iteration) later.push_back(name);
      }
      for (const std::string& name : later) impl_->file.unlink("snapshots/" + name);
    });
    return;
  }
  if (!object_exists(impl_->file, kSnapshotIterations)) return;
  const std::vector<double> iterations = read_scalars(kSnapshotIterations);
  const hsize_t keep = std::count_if(iterations.begin(), iterations.end(), [&](double i) { return i <= iteration; });
  truncate(kSnapshotIterations, keep);
  guarded(impl_->path, "cannot drop snapshots", [&] {
    const H5::DataSet states = impl_->file.openDataSet(kSnapshotStates);
    const H5::DataSpace space = states.getSpace();
    std::vector<hsize_t> extent(space.getSimpleExtentNdims());
    space.getSimpleExtentDims(extent.data());
    extent[0] = std::min(extent[0], keep);
    states.extend(extent.data());
  });
}

std::vector<double> RunLog::snapshot_iterations() const {
  if (impl_->schema >= 2)
    return exists(kSnapshotIterations) ? read_scalars(kSnapshotIterations) : std::vector<double>{};
  std::vector<double> iterations;
  if (!exists("snapshots")) return iterations;
  guarded(impl_->path, "cannot list snapshots", [&] {
    const H5::Group group = impl_->file.openGroup("snapshots");
    for (hsize_t i = 0; i < group.getNumObjs(); ++i) {
      const std::string name = group.getObjnameByIdx(i);
      if (name.rfind("iteration_", 0) == 0) iterations.push_back(std::stod(name.substr(10)));
    }
  });
  std::sort(iterations.begin(), iterations.end());
  return iterations;
}

std::vector<float> RunLog::read_snapshot(size_t row, std::vector<hsize_t>* dims) const {
  const std::vector<double> iterations = snapshot_iterations();
  EQNCA_CHECK(row < iterations.size(), "run log '{}' has {} snapshots, no row {}", impl_->path, iterations.size(), row);
  if (impl_->schema < 2)
    return read_array(fmt::format("snapshots/iteration_{:07d}", static_cast<long long>(iterations[row])), dims);
  return guarded(impl_->path, "cannot read a snapshot", [&] {
    const H5::DataSet states = impl_->file.openDataSet(kSnapshotStates);
    const H5::DataSpace space = states.getSpace();
    std::vector<hsize_t> extent(space.getSimpleExtentNdims());
    space.getSimpleExtentDims(extent.data());
    if (extent.size() != 5 || row >= extent[0])
      throw std::runtime_error(fmt::format("'{}' does not hold snapshot row {}", kSnapshotStates, row));
    check_stored(states, hsize_t(space.getSimpleExtentNpoints()), impl_->path, kSnapshotStates);
    std::vector<hsize_t> offset(5, 0), count(extent.begin(), extent.end());
    offset[0] = row;
    count[0] = 1;
    H5::DataSpace file_space = states.getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, count.data(), offset.data());
    std::vector<float> values(count[1] * count[2] * count[3] * count[4]);
    states.read(values.data(), H5::PredType::NATIVE_FLOAT, H5::DataSpace(5, count.data()), file_space);
    if (dims != nullptr) *dims = std::vector<hsize_t>(count.begin() + 1, count.end());
    return values;
  });
}

void RunLog::flush() {
  guarded(impl_->path, "cannot flush", [&] { impl_->file.flush(H5F_SCOPE_GLOBAL); });
}

bool RunLog::exists(const std::string& object_path) const {
  return guarded(impl_->path, fmt::format("cannot look up '{}'", object_path),
                 [&] { return object_exists(impl_->file, object_path); });
}

std::vector<double> RunLog::read_scalars(const std::string& dataset) const {
  const std::string name = strip_slashes(dataset);
  return guarded(impl_->path, fmt::format("cannot read '{}'", name), [&] {
    const H5::DataSet ds = impl_->file.openDataSet(name);
    check_stored(ds, length_of(ds), impl_->path, name);
    std::vector<double> values(length_of(ds));
    if (!values.empty()) ds.read(values.data(), H5::PredType::NATIVE_DOUBLE);
    return values;
  });
}

std::vector<float> RunLog::read_array(const std::string& dataset, std::vector<hsize_t>* dims) const {
  const std::string name = strip_slashes(dataset);
  return guarded(impl_->path, fmt::format("cannot read '{}'", name), [&] {
    const H5::DataSet ds = impl_->file.openDataSet(name);
    const H5::DataSpace space = ds.getSpace();
    std::vector<hsize_t> shape(space.getSimpleExtentNdims());
    space.getSimpleExtentDims(shape.data());
    check_stored(ds, hsize_t(space.getSimpleExtentNpoints()), impl_->path, name);
    std::vector<float> values(space.getSimpleExtentNpoints());
    if (!values.empty()) ds.read(values.data(), H5::PredType::NATIVE_FLOAT);
    if (dims != nullptr) *dims = shape;
    return values;
  });
}

std::string RunLog::read_attribute(const std::string& object_path, const std::string& name) const {
  return guarded(impl_->path, fmt::format("cannot read attribute '{}' of '{}'", name, object_path), [&] {
    const H5::Attribute attribute =
        with_object(impl_->file, object_path, [&](const H5::H5Object& object) { return object.openAttribute(name); });
    switch (attribute.getTypeClass()) {
      case H5T_STRING: {
        std::string value;
        attribute.read(attribute.getStrType(), value);
        return value;
      }
      case H5T_INTEGER: {
        long long value = 0;
        attribute.read(H5::PredType::NATIVE_LLONG, &value);
        return std::to_string(value);
      }
      case H5T_FLOAT: {
        double value = 0;
        attribute.read(H5::PredType::NATIVE_DOUBLE, &value);
        return fmt::format("{}", value);  // shortest text that reads back to the same double
      }
      default:
        throw std::runtime_error(fmt::format("run log '{}': attribute '{}' of '{}' is neither string nor number",
                                             impl_->path, name, object_path));
    }
  });
}

}  // namespace eqnca::experiments
