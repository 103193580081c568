// A sweep file: which training config to start from, which train options to sample and from
// which distribution, how many random sets, how many training seeds (repeats) per set, which
// targets, how many runs share this machine's cores, what a Slurm array task asks for ([slurm],
// slurm_options.h) and whether finished runs are evaluated. Loading checks everything a run would
// trip over later (unknown keys and options, empty ranges, counts below one, bad Slurm requests,
// malformed TOML), so a bad file fails with one line before any run starts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/sweep/slurm_options.h"

namespace eqnca::experiments {

// How one train option is drawn. `choice` picks one of the listed values (as their
// command-line text); `uniform` and `log_uniform` draw a real number in [low, high); `int_range`
// an integer in [low, high], both ends included.
struct Distribution {
  enum class Kind { choice, uniform, log_uniform, int_range };
  Kind kind = Kind::choice;
  std::vector<std::string> choices;
  double low = 0, high = 0;
};

struct SweptOption {
  std::string name;  // a train option without its dashes: "lr", "fire-rate"
  Distribution distribution;
};

struct SweepSpec {
  std::string path;         // the sweep file itself
  std::string base_config;  // absolute path of the base training config (empty: defaults)
  int sets = 1;
  int repeats = 1;                   // training seeds 1..repeats per set and target
  std::vector<std::string> targets;  // absolute paths; empty: the base config's target
  uint64_t seed = 1;                 // drives the sampling of the sets
  std::vector<SweptOption> options;  // in file order
  int jobs = 0;                      // local backend: parallel runs (0: cores / threads)
  int threads = 1;                   // LibTorch threads per run (slurm: cpus wins when set)
  bool evaluate = true;              // measure each finished run from the seed (run_metrics.h)
  SlurmOptions slurm;                // slurm backend: each array task's request
};

// Reads and checks a sweep file; relative paths in it are relative to the file's folder.
// Throws std::invalid_argument for mistakes in the file and std::runtime_error when it cannot be
// read, each a one-line message "<file>[:line:col]: ...".
SweepSpec load_sweep_spec(const std::string& path);

// One sampled run: its folder name under DIR/runs and its `eqnca train` arguments.
struct PlannedRun {
  std::string name;                     // "set003-smiley-r2"
  int set = 0, repeat = 0;              // repeat is also the training seed
  std::string target;                   // empty: the base config's
  std::vector<std::string> values;      // the sampled values, in the spec's option order
  std::vector<std::string> train_args;  // after "eqnca train", without --out and --threads
};

// Every run of the sweep, sets x targets x repeats, sampled deterministically from spec.seed:
// re-running a sweep reproduces its plan. Each run's arguments are parsed as `eqnca train` would
// parse them (with the base config applied), so a sampled value a train option refuses is an
// std::invalid_argument here, before anything runs.
std::vector<PlannedRun> plan_sweep(const SweepSpec& spec);

}  // namespace eqnca::experiments
