// plan.json; see sweep_plan_file.h.
#include "experiments/sweep/sweep_plan_file.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "experiments/io/atomic_file.h"

namespace eqnca::experiments {
namespace {

std::string plan_path(const std::string& dir) { return (std::filesystem::path(dir) / "plan.json").string(); }

}  // namespace

SweepPlan make_plan(const SweepSpec& spec, std::vector<PlannedRun> runs) {
  SweepPlan plan;
  plan.sweep_file = std::filesystem::absolute(spec.path).lexically_normal().string();
  for (const auto& o : spec.options) plan.options.push_back(o.name);
  plan.evaluate = spec.evaluate;
  plan.threads = spec.threads;
  plan.runs = std::move(runs);
  return plan;
}

void write_plan(const std::string& dir, const SweepPlan& plan) {
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const auto& r : plan.runs)
    runs.push_back({{"name", r.name},
                    {"set", r.set},
                    {"repeat", r.repeat},
                    {"target", r.target},
                    {"values", r.values},
                    {"train_args", r.train_args}});
  const nlohmann::ordered_json j = {{"eqnca_sweep_plan", 1},   {"sweep_file", plan.sweep_file},
                                    {"options", plan.options}, {"evaluate", plan.evaluate},
                                    {"threads", plan.threads}, {"runs", runs}};
  write_file_atomically(plan_path(dir), [&j](const std::string& tmp) { std::ofstream(tmp) << j.dump(1) << "\n"; });
}

SweepPlan read_plan(const std::string& dir) {
  std::ifstream in(plan_path(dir));
  if (!in)
    throw std::runtime_error(
        fmt::format("'{}' is not a sweep folder (no plan.json; `eqnca sweep --config F --out DIR` writes it)", dir));
  try {
    const auto j = nlohmann::json::parse(in);
    SweepPlan plan;
    plan.sweep_file = j.at("sweep_file").get<std::string>();
    plan.options = j.at("options").get<std::vector<std::string>>();
    plan.evaluate = j.at("evaluate").get<bool>();
    plan.threads = j.at("threads").get<int>();
    for (const auto& r : j.at("runs")) {
      PlannedRun run;
      run.name = r.at("name").get<std::string>();
      run.set = r.at("set").get<int>();
      run.repeat = r.at("repeat").get<int>();
      run.target = r.at("target").get<std::string>();
      run.values = r.at("values").get<std::vector<std::string>>();
      run.train_args = r.at("train_args").get<std::vector<std::string>>();
      if (run.values.size() != plan.options.size()) throw std::runtime_error("a run's values do not match options");
      plan.runs.push_back(std::move(run));
    }
    return plan;
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("'{}' is unreadable: {}", plan_path(dir), e.what()));
  }
}

const PlannedRun& find_run(const SweepPlan& plan, const std::string& name) {
  for (const auto& r : plan.runs)
    if (r.name == name) return r;
  throw std::invalid_argument(fmt::format("the sweep has no run '{}'", name));
}

}  // namespace eqnca::experiments
