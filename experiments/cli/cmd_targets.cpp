// `eqnca targets`: generates training targets that need nothing downloaded. One subcommand so
// far, `gray-scott`: a reaction-diffusion pattern (experiments/training/gray_scott.h) written as
// an opaque PNG, a texture for `eqnca train --task texture`.
// Example: eqnca targets gray-scott --f 0.029 --k 0.057 --size 128 --steps 8000 --out maze.png
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/io/image_io.h"
#include "experiments/training/gray_scott.h"

namespace eqnca::experiments {

void add_targets_command(CLI::App& app) {
  auto* targets = app.add_subcommand("targets", "Generate training targets (no downloads)");
  targets->require_subcommand(1);
  auto* gs = targets->add_subcommand("gray-scott", "A Gray-Scott reaction-diffusion pattern as an opaque PNG texture");
  auto options = std::make_shared<GrayScottOptions>();
  auto out = std::make_shared<std::string>();
  gs->add_option("--f", options->feed,
                 "Feed rate f, in [0, 0.2] (0.030 spots, 0.029 labyrinth, 0.055 coral with the default k)")
      ->capture_default_str();
  gs->add_option("--k", options->kill, "Kill rate k, in [0, 0.2] (0.062 spots and coral, 0.057 labyrinth)")
      ->capture_default_str();
  gs->add_option("--size", options->size, "Side of the periodic square grid, in pixels")->capture_default_str();
  gs->add_option("--steps", options->steps, "Euler steps (dt = 1; patterns settle after a few thousand)")
      ->capture_default_str();
  gs->add_option("--seed", options->seed, "Seed of the perturbation's noise")->capture_default_str();
  gs->add_option("--out", *out, "PNG file to write")->required();
  gs->callback([options, out] {
    const GrayScottState state = gray_scott_pattern(*options);
    write_png(*out, gray_scott_image(state));
    std::cout << fmt::format("wrote {} (gray-scott f {} k {}, {}x{}, {} steps)\n", *out, options->feed, options->kill,
                             options->size, options->size, options->steps);
  });
}

}  // namespace eqnca::experiments
