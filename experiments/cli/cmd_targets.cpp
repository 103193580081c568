// `eqnca targets`: generates training targets that need nothing downloaded, as opaque PNG
// textures for `eqnca train --task texture`: `gray-scott`, a reaction-diffusion pattern
// (experiments/training/gray_scott.h), and `stripes`, an oriented texture
// (experiments/training/stripes_target.h).
// Example: eqnca targets gray-scott --f 0.029 --k 0.057 --size 128 --steps 8000 --out maze.png
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/io/image_io.h"
#include "experiments/training/gray_scott.h"
#include "experiments/training/stripes_target.h"

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

  auto* stripes = targets->add_subcommand("stripes", "Horizontal stripes (an oriented texture) as an opaque PNG");
  auto size = std::make_shared<int>(24);
  auto period = std::make_shared<int>(8);
  auto stripes_out = std::make_shared<std::string>();
  stripes->add_option("--size", *size, "Side of the square image, in pixels")->capture_default_str();
  stripes->add_option("--period", *period, "Stripe period in pixels (divide --size for a periodic texture)")
      ->capture_default_str();
  stripes->add_option("--out", *stripes_out, "PNG file to write")->required();
  stripes->callback([size, period, stripes_out] {
    write_png(*stripes_out, stripes_image(*size, *period));
    std::cout << fmt::format("wrote {} (stripes, {}x{}, period {})\n", *stripes_out, *size, *size, *period);
  });
}

}  // namespace eqnca::experiments
