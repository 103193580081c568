// Results rows and results.csv; see results_table.h.
#include "experiments/sweep/results_table.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "experiments/io/atomic_file.h"
#include "experiments/sweep/run_outcome.h"

namespace eqnca::experiments {
namespace {

std::string cell(double v, const char* format) {
  return std::isfinite(v) ? fmt::format(fmt::runtime(format), v) : std::string();
}

bool is_number(const std::string& s) {
  if (s.empty()) return true;  // an empty cell does not make a column text
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

ResultsTable collect_results(const std::string& dir, const SweepPlan& plan) {
  ResultsTable t;
  t.columns = {"run", "set", "target", "seed"};
  t.columns.insert(t.columns.end(), plan.options.begin(), plan.options.end());
  for (const char* c : {"status", "final_loss", "seed_loss", "rotated_seed_loss", "equivariance_error",
                        "equivariance_error_independent", "parameters", "wall_s", "error"})
    t.columns.push_back(c);
  for (const auto& run : plan.runs) {
    const RunOutcome o = read_outcome(dir, run.name);
    std::vector<std::string> row = {run.name, std::to_string(run.set), run.target, std::to_string(run.repeat)};
    row.insert(row.end(), run.values.begin(), run.values.end());
    row.insert(row.end(), {o.status, cell(o.final_loss, "{:.8g}"), cell(o.seed_loss, "{:.8g}"),
                           cell(o.rotated_seed_loss, "{:.8g}"), cell(o.equivariance_error, "{:.6g}"),
                           cell(o.equivariance_error_independent, "{:.6g}"),
                           o.parameters > 0 ? std::to_string(o.parameters) : std::string(),
                           o.status == "missing" ? std::string() : fmt::format("{:.3f}", o.wall_s), o.error});
    t.rows.push_back(std::move(row));
  }
  const std::vector<std::string> text = {"run", "target", "status", "error"};
  for (size_t c = 0; c < t.columns.size(); ++c) {
    bool numeric = std::find(text.begin(), text.end(), t.columns[c]) == text.end();
    for (const auto& row : t.rows) numeric = numeric && is_number(row[c]);
    t.numeric.push_back(numeric);
  }
  return t;
}

void write_results_csv(const std::string& dir, const ResultsTable& table) {
  std::ostringstream csv;
  for (size_t c = 0; c < table.columns.size(); ++c) csv << (c ? "," : "") << csv_field(table.columns[c]);
  csv << "\n";
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < row.size(); ++c) csv << (c ? "," : "") << csv_field(row[c]);
    csv << "\n";
  }
  write_file_atomically((std::filesystem::path(dir) / "results.csv").string(),
                        [&csv](const std::string& tmp) { std::ofstream(tmp) << csv.str(); });
}

ResultCounts count_results(const ResultsTable& table) {
  const auto status =
      static_cast<size_t>(std::find(table.columns.begin(), table.columns.end(), "status") - table.columns.begin());
  ResultCounts n;
  for (const auto& row : table.rows) {
    if (row[status] == "ok")
      ++n.ok;
    else if (row[status] == "failed")
      ++n.failed;
    else
      ++n.missing;
  }
  return n;
}

}  // namespace eqnca::experiments
