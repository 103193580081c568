// The `eqnca` executable: one CLI11 app whose subcommands live in cmd_*.cpp. Every failure ends
// as a single line "eqnca: error: <message>" on stderr and exit status 1; --help works on every
// subcommand.
#include <malloc.h>

#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "kernels/thread_pool.h"

int main(int argc, char** argv) {
  namespace ex = eqnca::experiments;
  CLI::App app{"eqnca: rotation-equivariant neural cellular automata", "eqnca"};
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "eqnca: error: " + std::string(e.what()) + " (see --help)\n";
  });
  ex::add_train_command(app);
  ex::add_grow_command(app);
  ex::add_equivariance_command(app);
  ex::add_bench_command(app);
  ex::add_demo_command(app);
  ex::add_targets_command(app);
  ex::add_sweep_command(app);
  ex::add_export_command(app);
  eqnca::kernels::set_cpu_threads(0);  // every command: the BLAS library's own pool to one thread
  // Freed tensors stay with the process for the next rollout: by default glibc maps blocks over
  // its dynamic threshold afresh and trims the heap's top, so every rollout page-faulted its
  // states back in (c4 at the demo's shape: 2 s of 10 s in the kernel; bench/RESULTS.md).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));  // LibTorch errors append backtraces
    std::cerr << "eqnca: error: " << what << "\n";
    return 1;
  }
  return 0;
}
