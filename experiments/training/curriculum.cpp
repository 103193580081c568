// Perturbation curriculum (see curriculum.h).
#include "experiments/training/curriculum.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "groups/check.h"
#include "layers/nca_mechanics.h"

namespace eqnca::experiments {

Curriculum::Curriculum(int64_t height, int64_t width, CurriculumOptions options)
    : height_(height), width_(width), options_(options) {
  radius_ = 0.5 * std::sqrt(static_cast<double>(height * height + width * width));
  extra_steps_ = options_.steps_start;
}

torch::Tensor Curriculum::perturb(const torch::Tensor& states) const {
  torch::NoGradGuard no_grad;
  const int64_t n = states.size(0), h = states.size(2), w = states.size(3);
  const auto cpu = torch::TensorOptions().dtype(states.scalar_type());
  auto out = states.clone();
  if (noise_ > 0.0) {
    // Only on live cells: noise on empty cells would switch them alive all over the grid.
    auto live = layers::alive_mask(out, layers::Padding::Zeros).to(out.scalar_type());
    out = out + torch::randn(out.sizes(), cpu).to(out.device()) * noise_ * live;
  }
  const double cy = 0.5 * (h - 1), cx = 0.5 * (w - 1);
  auto row = torch::arange(h, cpu).view({1, h, 1}) - cy;
  auto col = torch::arange(w, cpu).view({1, 1, w}) - cx;
  auto keep = ((row * row + col * col) <= radius_ * radius_).expand({n, h, w});
  if (bite_radius_ > 0.0) {
    // Bite centres at a uniform angle and a distance in [bite + 1, half the grid] from the
    // centre: isotropic, and the centre cell (the seed) is never bitten.
    auto u = torch::rand({n, 2, 1, 1}, cpu);
    const double near = bite_radius_ + 1.0, far = std::max(near, 0.5 * std::min(h, w));
    auto angle = u.select(1, 0) * (2.0 * M_PI);
    auto dist = u.select(1, 1) * (far - near) + near;
    auto by = -dist * torch::sin(angle), bx = dist * torch::cos(angle);
    auto bitten = ((row - by).pow(2) + (col - bx).pow(2)) < bite_radius_ * bite_radius_;
    keep = keep & ~bitten;
  }
  return out * keep.unsqueeze(1).to(out.options());
}

void Curriculum::observe(double loss) {
  if (!(loss < options_.threshold)) return;
  noise_ = std::min(noise_ + options_.noise_step, options_.noise_max);
  radius_ = std::max(radius_ * options_.radius_factor, options_.radius_min);
  bite_radius_ = std::min(bite_radius_ + options_.bite_step, options_.bite_max);
  extra_steps_ = std::min(extra_steps_ + 1, options_.steps_max);
  ++hardenings_;
}

std::string Curriculum::describe() const {
  return fmt::format("noise {:.4g} radius {:.3g} bite {:.2g} +{} steps", noise_, radius_, bite_radius_, extra_steps_);
}

torch::Tensor Curriculum::state() const {
  return torch::tensor(
      {noise_, radius_, bite_radius_, static_cast<double>(extra_steps_), static_cast<double>(hardenings_)},
      torch::kFloat64);
}

void Curriculum::set_state(const torch::Tensor& state) {
  EQNCA_CHECK(state.numel() == 5, "Curriculum: expected 5 saved settings, got {}", state.numel());
  auto s = state.to(torch::kCPU, torch::kFloat64).contiguous();
  const double* p = s.data_ptr<double>();
  noise_ = p[0];
  radius_ = p[1];
  bite_radius_ = p[2];
  extra_steps_ = static_cast<int>(std::lround(p[3]));
  hardenings_ = static_cast<int>(std::lround(p[4]));
}

}  // namespace eqnca::experiments
