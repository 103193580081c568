// `eqnca train`: parses a TrainConfig from a TOML file and/or options, trains, and prints where
// the run's files are.
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/training/config_file.h"
#include "experiments/training/train_config.h"
#include "experiments/training/trainer.h"

namespace eqnca::experiments {

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train an NCA to grow a target image (Distill recipe)");
  // Owned by the callback's closure, which CLI11 keeps alive as long as the app.
  auto config = std::make_shared<TrainConfig>();
  auto resume = std::make_shared<bool>(false);
  add_train_options(*cmd, *config);
  cmd->add_flag("--resume", *resume,
                "continue the run in --out from its checkpoint (same config; drops log rows after it)");
  cmd->callback([cmd, config, resume] {
    apply_config_file(*cmd);
    // Resuming continues the run as it was configured: the command line and --config override
    // what they name (e.g. --iterations), the run's resolved config.toml supplies the rest.
    const std::string saved = (std::filesystem::path(config->out_dir) / "config.toml").string();
    if (*resume && std::filesystem::is_regular_file(saved)) apply_config_file(*cmd, saved);
    const TrainResult r = train(*config, *resume, std::cerr);
    std::cout << fmt::format("trained {} iterations in {:.1f} s, final loss {:.6g}\nlog: {}\ncheckpoint: {}\n",
                             r.iterations, r.wall_s, r.final_loss, r.log_path, r.checkpoint_path);
  });
}

}  // namespace eqnca::experiments
