// Run outcomes as JSON files; see run_outcome.h.
#include "experiments/sweep/run_outcome.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "experiments/io/atomic_file.h"

namespace eqnca::experiments {
namespace {

// JSON has no NaN: an unmeasured value is null.
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
double number(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j.at(key).is_number() ? j.at(key).get<double>() : RunOutcome::kNone;
}

}  // namespace

std::string outcome_path(const std::string& dir, const std::string& run_name) {
  return (std::filesystem::path(dir) / "runs" / run_name / "sweep_result.json").string();
}

RunOutcome read_outcome(const std::string& dir, const std::string& run_name) {
  std::ifstream in(outcome_path(dir, run_name));
  if (!in) return {};
  try {
    const auto j = nlohmann::json::parse(in);
    RunOutcome o;
    o.status = j.at("status").get<std::string>();
    if (o.status != "ok" && o.status != "failed") return {};
    o.final_loss = number(j, "final_loss");
    o.wall_s = number(j, "wall_s");
    if (!std::isfinite(o.wall_s)) o.wall_s = 0;
    o.error = j.at("error").get<std::string>();
    o.seed_loss = number(j, "seed_loss");
    o.rotated_seed_loss = number(j, "rotated_seed_loss");
    o.equivariance_error = number(j, "equivariance_error");
    o.equivariance_error_independent = number(j, "equivariance_error_independent");
    o.parameters = j.value("parameters", int64_t{0});
    return o;
  } catch (const std::exception&) {
    return {};
  }
}

void write_outcome(const std::string& dir, const std::string& run_name, const RunOutcome& o) {
  const nlohmann::ordered_json j = {{"status", o.status},
                                    {"final_loss", number(o.final_loss)},
                                    {"wall_s", o.wall_s},
                                    {"error", o.error},
                                    {"seed_loss", number(o.seed_loss)},
                                    {"rotated_seed_loss", number(o.rotated_seed_loss)},
                                    {"equivariance_error", number(o.equivariance_error)},
                                    {"equivariance_error_independent", number(o.equivariance_error_independent)},
                                    {"parameters", o.parameters}};
  write_file_atomically(outcome_path(dir, run_name),
                        [&j](const std::string& tmp) { std::ofstream(tmp) << j.dump() << "\n"; });
}

}  // namespace eqnca::experiments
