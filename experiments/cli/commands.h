// The subcommands of the `eqnca` executable, each registered on the top-level CLI11 app by its
// own translation unit (cmd_<name>.cpp). A subcommand reports failure by throwing an exception
// whose message is one line; main prints it as "eqnca: error: <message>" and exits with 1.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace eqnca::experiments {

void add_train_command(CLI::App& app);
void add_grow_command(CLI::App& app);
void add_equivariance_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_targets_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_export_command(CLI::App& app);

struct SweepPlan;
// `eqnca sweep`'s subcommands on an existing sweep folder: task, collect, report
// (cmd_sweep_folder.cpp).
void add_sweep_folder_commands(CLI::App& sweep);
// Writes DIR/results.csv and DIR/sweep.h5 from the runs' outcomes and prints the counts and
// paths; with `fail_if_unfinished`, throws when a run failed or has no outcome yet.
void report_collected(const std::string& dir, const SweepPlan& plan, bool fail_if_unfinished);

}  // namespace eqnca::experiments
