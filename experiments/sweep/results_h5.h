// DIR/sweep.h5: the results table for h5py and pandas, one 1-D dataset per column under /runs
// (float64 for numeric columns, NaN where results.csv has an empty cell; variable-length UTF-8
// strings otherwise), the column order in the root attribute "columns" (comma-separated) and
// "eqnca_sweep_schema_version" = 1. Read it with
// pandas.DataFrame({c: f["runs"][c][()] for c in f.attrs["columns"].split(",")}).
#pragma once

#include <string>

#include "experiments/sweep/results_table.h"

namespace eqnca::experiments {

// Writes DIR/sweep.h5 atomically; throws std::runtime_error (one line) when HDF5 fails.
void write_results_h5(const std::string& dir, const ResultsTable& table);

}  // namespace eqnca::experiments
