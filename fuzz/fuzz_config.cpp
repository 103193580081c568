// Fuzzes --config files (experiments/training/config_file.h) against options of every kind the
// CLI has: integers with a range check, unsigned, floats, strings, a flag.
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "experiments/training/config_file.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = eqnca::fuzzing::input_file(data, size, ".toml");
  int batch = 8;
  unsigned long long seed = 0;
  double lr = 0.0;
  std::string mode;
  bool curriculum = false;
  CLI::App app("train");
  app.add_option("--config", "config file");
  app.add_option("--batch", batch)->check(CLI::Range(1, 4096));
  app.add_option("--seed", seed);
  app.add_option("--lr", lr);
  app.add_option("--mode", mode);
  app.add_flag("--curriculum", curriculum);
  const char* argv[] = {"train", "--config", path.c_str()};
  try {
    app.parse(3, const_cast<char**>(argv));
    eqnca::experiments::apply_config_file(app);
  } catch (const std::exception&) {
  }
  return 0;
}
