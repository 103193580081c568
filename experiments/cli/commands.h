// The subcommands of the `eqnca` executable, each registered on the top-level CLI11 app by its
// own translation unit (cmd_<name>.cpp). A subcommand reports failure by throwing an exception
// whose message is one line; main prints it as "eqnca: error: <message>" and exits with 1.
#pragma once

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

}  // namespace eqnca::experiments
