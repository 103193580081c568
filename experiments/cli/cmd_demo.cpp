// `eqnca demo`: trains a C4-equivariant NCA and the Distill baseline on the lizard for a few CPU
// minutes and shows that only the former grows rotated lizards from rotated seeds (see
// demo.h). No arguments and no downloads needed; --quick is a ~20 s smoke run. --texture adds
// the texture part (texture_demo.h).
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/evaluation/demo.h"

namespace eqnca::experiments {

void add_demo_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "Train c4 and growing on the lizard for a few minutes and compare rotations");
  auto o = std::make_shared<DemoOptions>();
  cmd->add_option("--out", o->out, "output folder (a numbered sibling if it already holds a demo)")
      ->capture_default_str();
  cmd->add_option("--minutes", o->minutes, "training minutes per model (models x minutes in all)")
      ->capture_default_str();
  cmd->add_option("--budget", o->budget,
                  "iterations: every model the same iteration count in the shared time; time: the same minutes each")
      ->capture_default_str();
  cmd->add_flag("--quick", o->quick, "tiny grid and seconds of training (a smoke test)");
  cmd->add_option("--threads", o->threads, "LibTorch CPU threads")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--seed", o->seed, "random seed")->capture_default_str();
  cmd->add_flag("--texture", o->texture,
                "also train both on an oriented texture and grow it from turned starts (<out>/texture/)");
  cmd->add_option("--texture-minutes", o->texture_minutes, "--texture: training minutes per model")
      ->capture_default_str();
  cmd->add_option("--texture-target", o->texture_target, "--texture: stripes (generated) or a texture PNG")
      ->capture_default_str();
  cmd->callback([o] { run_demo(*o, std::cout, std::cerr); });
}

}  // namespace eqnca::experiments
