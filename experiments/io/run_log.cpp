// RunLog over the HDF5 C++ API. Every public method converts H5::Exception into a one-line
// std::runtime_error naming the file and the object, because HDF5's own error stack dump is
// multi-line noise on stderr (it is switched off with H5::Exception::dontPrint()).
#include "experiments/io/run_log.h"

#include <H5Cpp.h>

#include <filesystem>
#include <map>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "groups/check.h"

namespace eqnca::experiments {

struct RunLog::Impl {
  Impl(const std::string& path, unsigned flags) : path(path), file(path, flags) {}
  std::string path;
  H5::H5File file;                             // declared first: closed after the datasets
  std::map<std::string, H5::DataSet> scalars;  // open handles so appends do not reopen
};

namespace {

constexpr hsize_t kScalarChunk = 1024;  // 8 KiB of float64 per chunk

// The innermost message of HDF5's error stack says what actually went wrong ("file exists",
// "No such file or directory"); the C++ exception only names the failing API call.
std::string hdf5_reason(const H5::Exception& e) {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* err, void* out) -> herr_t {
        if (n == 0 && err->desc != nullptr) *static_cast<std::string*>(out) = err->desc;
        return 0;
      },
      &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason.empty() ? e.getDetailMsg() : e.getDetailMsg() + ": " + reason;
}

template <typename F>
auto guarded(const std::string& path, const std::string& what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const H5::Exception& e) {
    throw std::runtime_error(fmt::format("run log '{}': {}: {}", path, what, hdf5_reason(e)));
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
  return guarded(path, "cannot create", [&] {
    auto impl = std::make_unique<Impl>(path, H5F_ACC_EXCL);
    const H5::Group root = impl->file.openGroup("/");
    const int version = kSchemaVersion;
    root.createAttribute("eqnca_schema_version", H5::PredType::STD_I32LE, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT, &version);
    write_string_attribute(root, "config", resolved_config_toml);
    impl->file.flush(H5F_SCOPE_GLOBAL);
    return RunLog(std::move(impl));
  });
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
    return std::make_unique<Impl>(path, read_only ? H5F_ACC_RDONLY : H5F_ACC_RDWR);
  });
  RunLog log(std::move(impl));
  const std::string version = log.read_attribute("/", "eqnca_schema_version");
  if (version != std::to_string(kSchemaVersion))
    throw std::runtime_error(
        fmt::format("run log '{}' has schema version {}, this build writes {}", path, version, kSchemaVersion));
  return log;
}

void RunLog::append_scalar(const std::string& dataset, double value) {
  const std::string name = strip_slashes(dataset);
  guarded(impl_->path, fmt::format("cannot append to '{}'", name), [&] {
    auto it = impl_->scalars.find(name);
    if (it == impl_->scalars.end()) it = impl_->scalars.emplace(name, open_or_create_scalars(impl_->file, name)).first;
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
  guarded(impl_->path, fmt::format("cannot set attribute '{}' on '{}'", name, object_path), [&] {
    if (!object_exists(impl_->file, object_path))
      impl_->file.createGroup(strip_slashes(object_path), intermediate_groups());
    with_object(impl_->file, object_path,
                [&](const H5::H5Object& object) { write_string_attribute(object, name, value); });
  });
}

void RunLog::set_attribute(const std::string& object_path, const std::string& name, double value) {
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
  guarded(impl_->path, fmt::format("cannot truncate '{}'", name), [&] {
    const H5::DataSet ds = impl_->file.openDataSet(name);
    const hsize_t current = length_of(ds);
    EQNCA_CHECK(length <= current, "run log '{}': cannot truncate '{}' to {} rows, it has only {}", impl_->path, name,
                length, current);
    ds.extend(&length);  // H5Dset_extent, which may shrink
    impl_->scalars.erase(name);
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
