// The results table as HDF5; see results_h5.h.
#include "experiments/sweep/results_h5.h"

#include <H5Cpp.h>

#include <cstdlib>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/io/atomic_file.h"

namespace eqnca::experiments {
namespace {

void write_column(H5::Group& group, const ResultsTable& t, size_t c) {
  const hsize_t n = t.rows.size();
  const H5::DataSpace space(1, &n);
  if (t.numeric[c]) {
    std::vector<double> values;
    for (const auto& row : t.rows)
      values.push_back(row[c].empty() ? std::numeric_limits<double>::quiet_NaN()
                                      : std::strtod(row[c].c_str(), nullptr));
    group.createDataSet(t.columns[c], H5::PredType::IEEE_F64LE, space)
        .write(values.data(), H5::PredType::NATIVE_DOUBLE);
    return;
  }
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  std::vector<const char*> values;
  for (const auto& row : t.rows) values.push_back(row[c].c_str());
  group.createDataSet(t.columns[c], type, space).write(values.data(), type);
}

void write_string_attribute(H5::H5File& file, const char* name, const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  const char* data = value.c_str();
  file.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, &data);
}

}  // namespace

void write_results_h5(const std::string& dir, const ResultsTable& table) {
  const std::string path = (std::filesystem::path(dir) / "sweep.h5").string();
  write_file_atomically(path, [&](const std::string& tmp) {
    try {
      H5::Exception::dontPrint();
      H5::H5File file(tmp, H5F_ACC_TRUNC);
      std::string columns;
      for (const auto& c : table.columns) columns += (columns.empty() ? "" : ",") + c;
      write_string_attribute(file, "columns", columns);
      const int version = 1;
      file.createAttribute("eqnca_sweep_schema_version", H5::PredType::STD_I32LE, H5::DataSpace(H5S_SCALAR))
          .write(H5::PredType::NATIVE_INT, &version);
      H5::Group runs = file.createGroup("runs");
      for (size_t c = 0; c < table.columns.size(); ++c) write_column(runs, table, c);
    } catch (const H5::Exception& e) {
      throw std::runtime_error(fmt::format("cannot write '{}': {}", path, e.getDetailMsg()));
    }
  });
}

}  // namespace eqnca::experiments
