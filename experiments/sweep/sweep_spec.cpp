// Sweep files and their sampling; see sweep_spec.h.
#include "experiments/sweep/sweep_spec.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include "experiments/training/config_file.h"
#include "experiments/training/train_config.h"

namespace eqnca::experiments {
namespace fs = std::filesystem;
namespace {

// Options the sweep itself sets for every run, so a sweep file may not sample them.
const std::vector<std::string> kReserved = {"config", "out", "seed", "target", "threads"};

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const toml::node& at, const std::string& message) const {
    throw std::invalid_argument(
        fmt::format("{}:{}:{}: {}", path_, at.source().begin.line, at.source().begin.column, message));
  }

  int64_t integer(const toml::node& node, const std::string& key) const {
    if (const auto i = node.value_exact<int64_t>()) return *i;
    fail(node, fmt::format("'{}' must be an integer", key));
  }
  double number(const toml::node& node, const std::string& key) const {
    if (node.is_integer() || node.is_floating_point()) return *node.value<double>();
    fail(node, fmt::format("'{}' must be a number", key));
  }
  std::string text(const toml::node& node, const std::string& key) const {
    if (const auto s = node.value_exact<std::string>()) return *s;
    fail(node, fmt::format("'{}' must be a string", key));
  }
  // A value as the command-line text its train option would read.
  std::string option_text(const toml::node& node, const std::string& key) const {
    if (const auto b = node.value_exact<bool>()) return *b ? "true" : "false";
    if (const auto i = node.value_exact<int64_t>()) return std::to_string(*i);
    if (const auto d = node.value_exact<double>()) return fmt::format("{}", *d);
    if (const auto s = node.value_exact<std::string>()) return *s;
    fail(node, fmt::format("'{}' values must be booleans, numbers or strings", key));
  }
  std::string file(const toml::node& node, const std::string& key) const {
    const fs::path p = text(node, key);
    return (p.is_absolute() ? p : fs::absolute(fs::path(path_).parent_path() / p)).lexically_normal().string();
  }

 private:
  std::string path_;
};

Distribution read_distribution(const Reader& r, const toml::node& node, const std::string& option) {
  const toml::table* t = node.as_table();
  if (t == nullptr || t->size() != 1)
    r.fail(node,
           fmt::format("option '{}' must be a table with one of choice, uniform, log_uniform, int_range", option));
  const auto entry = *t->begin();  // a proxy pair of references into the table
  const std::string kind(entry.first.str());
  const toml::node& value = entry.second;
  const toml::array* a = value.as_array();
  if (a == nullptr) r.fail(value, fmt::format("option '{}': '{}' must be an array", option, kind));
  Distribution d;
  if (kind == "choice") {
    d.kind = Distribution::Kind::choice;
    if (a->empty()) r.fail(value, fmt::format("option '{}': empty choice list", option));
    for (const auto& v : *a) d.choices.push_back(r.option_text(v, option));
    return d;
  }
  if (kind == "uniform")
    d.kind = Distribution::Kind::uniform;
  else if (kind == "log_uniform")
    d.kind = Distribution::Kind::log_uniform;
  else if (kind == "int_range")
    d.kind = Distribution::Kind::int_range;
  else
    r.fail(value, fmt::format("option '{}': unknown distribution '{}' (choice, uniform, log_uniform, int_range)",
                              option, kind));
  if (a->size() != 2) r.fail(value, fmt::format("option '{}': '{}' must be [low, high]", option, kind));
  if (d.kind == Distribution::Kind::int_range) {
    d.low = static_cast<double>(r.integer((*a)[0], option));
    d.high = static_cast<double>(r.integer((*a)[1], option));
  } else {
    d.low = r.number((*a)[0], option);
    d.high = r.number((*a)[1], option);
  }
  const bool empty = d.kind == Distribution::Kind::int_range ? d.low > d.high : !(d.low < d.high);
  if (empty || !std::isfinite(d.low) || !std::isfinite(d.high))
    r.fail(value, fmt::format("option '{}': empty range [{}, {}]", option, d.low, d.high));
  if (d.kind == Distribution::Kind::log_uniform && d.low <= 0)
    r.fail(value, fmt::format("option '{}': log_uniform needs low > 0, got {}", option, d.low));
  return d;
}

// The [slurm] table: every key checked here so that a typo fails before a job is written.
void read_slurm(const Reader& r, const toml::node& node, SlurmOptions& slurm) {
  const toml::table* t = node.as_table();
  if (t == nullptr) r.fail(node, "'slurm' must be a table (partition, time, mem, cpus, gpu, max-running)");
  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    std::string problem;
    if (key == "partition") {
      slurm.partition = r.text(v, key);
      problem = slurm_partition_problem(slurm.partition);
    } else if (key == "time") {
      slurm.time = v.is_integer() ? std::to_string(r.integer(v, key)) : r.text(v, key);
      problem = slurm_time_problem(slurm.time);
    } else if (key == "mem") {
      slurm.mem = v.is_integer() ? std::to_string(r.integer(v, key)) : r.text(v, key);
      problem = slurm_mem_problem(slurm.mem);
    } else if (key == "cpus") {
      const int64_t cpus = r.integer(v, key);
      if (cpus < 1 || cpus > 4096) problem = fmt::format("must be in [1, 4096], got {}", cpus);
      slurm.cpus = static_cast<int>(cpus);
    } else if (key == "gpu") {
      const auto b = v.value_exact<bool>();
      if (!b) r.fail(v, "slurm option 'gpu' must be true or false");
      slurm.gpu = *b;
    } else if (key == "max-running") {
      const int64_t n = r.integer(v, key);
      if (n < 0 || n > 1000000) problem = fmt::format("must be at least 0, got {}", n);
      slurm.max_running = static_cast<int>(n);
    } else {
      r.fail(v, fmt::format("unknown slurm option '{}' (partition, time, mem, cpus, gpu, max-running)", key));
    }
    if (!problem.empty()) r.fail(v, fmt::format("slurm option '{}': {}", key, problem));
  }
}

int positive(const Reader& r, const toml::node& node, const std::string& key, int64_t least) {
  const int64_t v = r.integer(node, key);
  if (v < least || v > 1000000) r.fail(node, fmt::format("'{}' must be at least {}, got {}", key, least, v));
  return static_cast<int>(v);
}

std::string stem(const std::string& path) { return fs::path(path).stem().string(); }

// A uniform double in [0, 1) from 53 random bits: the same on every platform, unlike
// std::uniform_real_distribution, so a plan is reproducible anywhere.
double unit(std::mt19937_64& gen) { return static_cast<double>(gen() >> 11) * 0x1.0p-53; }

std::string sample(const Distribution& d, std::mt19937_64& gen) {
  switch (d.kind) {
    case Distribution::Kind::choice:
      return d.choices[gen() % d.choices.size()];
    case Distribution::Kind::uniform:
      return fmt::format("{:.6g}", d.low + (d.high - d.low) * unit(gen));
    case Distribution::Kind::log_uniform:
      return fmt::format("{:.6g}", std::exp(std::log(d.low) + (std::log(d.high) - std::log(d.low)) * unit(gen)));
    case Distribution::Kind::int_range:
      break;
  }
  const auto span = static_cast<uint64_t>(d.high - d.low) + 1;
  return std::to_string(static_cast<int64_t>(d.low) + static_cast<int64_t>(gen() % span));
}

// Parses `args` as `eqnca train` would, without training: option checks and the base config.
void check_train_args(const std::vector<std::string>& args, const std::string& run) {
  CLI::App app;
  TrainConfig config;
  add_train_options(app, config);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
    apply_config_file(app);
    config.validate();
  } catch (const CLI::Error& e) {
    throw std::invalid_argument(fmt::format("run {}: {}", run, e.what()));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("run {}: {}", run, e.what()));
  }
}

}  // namespace

SweepSpec load_sweep_spec(const std::string& path) {
  if (!fs::is_regular_file(path)) throw std::runtime_error(fmt::format("sweep file '{}' does not exist", path));
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(
        fmt::format("{}:{}:{}: {}", path, e.source().begin.line, e.source().begin.column, e.description()));
  }
  const Reader r(path);
  SweepSpec spec;
  spec.path = path;
  CLI::App train_app;
  TrainConfig defaults;
  add_train_options(train_app, defaults);
  for (const auto& [k, v] : table) {
    const std::string key(k.str());
    if (key == "base") {
      spec.base_config = r.file(v, key);
      if (!fs::is_regular_file(spec.base_config))
        r.fail(v, fmt::format("base config '{}' does not exist", spec.base_config));
    } else if (key == "sets") {
      spec.sets = positive(r, v, key, 1);
    } else if (key == "repeats") {
      spec.repeats = positive(r, v, key, 1);
    } else if (key == "seed") {
      spec.seed = static_cast<uint64_t>(positive(r, v, key, 0));
    } else if (key == "jobs") {
      spec.jobs = positive(r, v, key, 0);
    } else if (key == "threads") {
      spec.threads = positive(r, v, key, 1);
    } else if (key == "evaluate") {
      const auto b = v.value_exact<bool>();
      if (!b) r.fail(v, "'evaluate' must be true or false");
      spec.evaluate = *b;
    } else if (key == "slurm") {
      read_slurm(r, v, spec.slurm);
    } else if (key == "targets") {
      const toml::array* a = v.as_array();
      if (a == nullptr || a->empty()) r.fail(v, "'targets' must be a non-empty array of PNG paths");
      for (const auto& t : *a) spec.targets.push_back(r.file(t, key));
    } else if (key == "options") {
      const toml::table* options = v.as_table();
      if (options == nullptr) r.fail(v, "'options' must be a table of train options");
      for (const auto& [ok, ov] : *options) {
        const std::string name(ok.str());
        if (std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end())
          r.fail(ov, fmt::format("option '{}' is set by the sweep itself and cannot be sampled", name));
        if (train_app.get_option_no_throw("--" + name) == nullptr)
          r.fail(ov, fmt::format("unknown option '{}' (not an `eqnca train` option)", name));
        spec.options.push_back({name, read_distribution(r, ov, name)});
      }
    } else {
      r.fail(v, fmt::format(
                    "unknown key '{}' (base, sets, repeats, seed, targets, options, jobs, threads, evaluate, slurm)",
                    key));
    }
  }
  for (size_t i = 0; i < spec.targets.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (stem(spec.targets[i]) == stem(spec.targets[j]))
        throw std::invalid_argument(
            fmt::format("{}: two targets named '{}' would share run folders", path, stem(spec.targets[i])));
  return spec;
}

std::vector<PlannedRun> plan_sweep(const SweepSpec& spec) {
  std::mt19937_64 gen(spec.seed);
  std::vector<PlannedRun> runs;
  const std::vector<std::string> targets = spec.targets.empty() ? std::vector<std::string>{""} : spec.targets;
  for (int set = 0; set < spec.sets; ++set) {
    std::vector<std::string> values;
    for (const SweptOption& o : spec.options) values.push_back(sample(o.distribution, gen));
    for (const std::string& target : targets) {
      for (int repeat = 1; repeat <= spec.repeats; ++repeat) {
        PlannedRun run;
        run.set = set;
        run.repeat = repeat;
        run.target = target;
        run.values = values;
        run.name = fmt::format("set{:03d}-{}-r{}", set, target.empty() ? "base" : stem(target), repeat);
        if (!spec.base_config.empty()) run.train_args = {"--config", spec.base_config};
        if (!target.empty()) run.train_args.insert(run.train_args.end(), {"--target", target});
        run.train_args.insert(run.train_args.end(), {"--seed", std::to_string(repeat)});
        for (size_t i = 0; i < values.size(); ++i)
          run.train_args.insert(run.train_args.end(), {"--" + spec.options[i].name, values[i]});
        check_train_args(run.train_args, run.name);
        runs.push_back(std::move(run));
      }
    }
  }
  return runs;
}

}  // namespace eqnca::experiments
