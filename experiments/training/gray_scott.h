// Gray-Scott reaction-diffusion, the Turing patterns the self-organising texture studies train
// on: two chemicals u, v on a periodic square grid,
//   du/dt = Du lap(u) - u v^2 + f (1 - u),   dv/dt = Dv lap(v) + u v^2 - (f + k) v,
// integrated with explicit Euler steps (dt = 1) and the 3x3 Laplacian with weights -1 at the
// centre, 0.2 at the edges and 0.05 at the corners, Du = 1, Dv = 0.5 (the usual discretisation
// for pictures). (f, k) picks the pattern: about (0.030, 0.062) spots, (0.029, 0.057)
// labyrinths, (0.055, 0.062) stripes and coral; outside the patterned region a perturbation
// dies out. Grids are row-major size x size, row 0 at the top.
#pragma once

#include <cstdint>
#include <vector>

#include "experiments/io/image_io.h"

namespace eqnca::experiments {

struct GrayScottOptions {
  double feed = 0.055;  // f
  double kill = 0.062;  // k
  double du = 1.0, dv = 0.5;
  int size = 128;  // side of the periodic grid
  int steps = 5000;
  std::uint64_t seed = 0;  // the perturbation's noise
};

struct GrayScottState {
  int size = 0;
  std::vector<double> u, v;  // row-major size x size
};

// u = 1, v = 0 everywhere (the trivial steady state) plus, in a centred square of side size/8,
// u = 0.5, v = 0.25, and noise of amplitude 0.02 (uniform, from `seed`) on both everywhere.
GrayScottState gray_scott_perturbed_start(int size, std::uint64_t seed);
// The same state everywhere.
GrayScottState gray_scott_uniform(int size, double u, double v);

// `steps` Euler steps of the options' (f, k, Du, Dv) from `state`, in place. Throws
// std::invalid_argument for steps < 0, or for Du or Dv outside [0, 1] (the explicit scheme
// blows up beyond).
void gray_scott_run(GrayScottState& state, const GrayScottOptions& options, int steps);

// Checks the options (f, k in [0, 0.2], size in [8, 4096], steps in [0, 10^6]) and runs
// gray_scott_run from gray_scott_perturbed_start. Throws std::invalid_argument naming the option.
GrayScottState gray_scott_pattern(const GrayScottOptions& options);

// v rendered opaque: v / max(v) through a dark-blue to cream colour ramp (a flat v gives the
// ramp's start everywhere).
RgbaImage gray_scott_image(const GrayScottState& state);

}  // namespace eqnca::experiments
