// The perturbation curriculum of "Growing Pokemon with Differentiable CA" (seed 002): at step 0
// each batch state gets additive noise on its live cells, is truncated to a radius about the grid
// centre, and loses one circular bite; whenever the loss falls below a threshold, perturbations
// get harder and rollouts longer. Distances are in cells. Bites never cover the centre cell, so
// a freshly seeded state survives them. Randomness comes from LibTorch's default CPU generator.
#pragma once

#include <string>

#include <torch/types.h>

namespace eqnca::experiments {

struct CurriculumOptions {
  double threshold = 0.025;  // harden when the observed loss is below this
  double noise_step = 0.0005, noise_max = 0.2;
  double radius_factor = 0.99, radius_min = 6.0;
  double bite_step = 0.1, bite_max = 4.0;
  int steps_start = 2, steps_max = 16;
};

class Curriculum {
 public:
  // The truncation radius starts at half the grid diagonal (nothing truncated), noise and
  // bite radius at 0, extra steps at steps_start.
  Curriculum(int64_t height, int64_t width, CurriculumOptions options = {});

  // Perturbs (B, C, H, W) starting states; returns a new tensor.
  torch::Tensor perturb(const torch::Tensor& states) const;
  // Hardens every setting one notch when loss < threshold.
  void observe(double loss);
  // Steps added to the sampled rollout length.
  int extra_steps() const { return extra_steps_; }

  double noise() const { return noise_; }
  double radius() const { return radius_; }
  double bite_radius() const { return bite_radius_; }
  int hardenings() const { return hardenings_; }
  std::string describe() const;  // e.g. "noise 0.001 radius 50.2 bite 0.2 +4 steps"

  // The adaptive settings as a (5) double tensor, for checkpoints.
  torch::Tensor state() const;
  void set_state(const torch::Tensor& state);

 private:
  int64_t height_, width_;
  CurriculumOptions options_;
  double noise_ = 0.0, radius_ = 0.0, bite_radius_ = 0.0;
  int extra_steps_ = 0;
  int hardenings_ = 0;
};

}  // namespace eqnca::experiments
