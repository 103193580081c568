// mse, group-min and polar cross-correlation losses (see losses.h).
#include "experiments/training/losses.h"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "groups/check.h"
#include "layers/grid_action.h"

namespace eqnca::experiments {
namespace {

torch::Tensor rgba(const torch::Tensor& state) { return state.slice(1, 0, 4); }

void check_shapes(const torch::Tensor& state, const torch::Tensor& target, const char* where) {
  EQNCA_CHECK(state.dim() == 4 && state.size(1) >= 4, "{}: expected a state (B, C>=4, H, W), got ({})", where,
              fmt::join(state.sizes(), ", "));
  EQNCA_CHECK(
      target.dim() == 4 && target.size(1) == 4 && target.size(2) == state.size(2) && target.size(3) == state.size(3),
      "{}: expected a target (1, 4, {}, {}), got ({})", where, state.size(2), state.size(3),
      fmt::join(target.sizes(), ", "));
}

// Samples (B, 4, H, W) images on rings about the grid centre: (B, 4, rings, angles), each ring
// scaled by sqrt(radius) so that sums over the polar image weigh pixels by area.
class PolarResampler {
 public:
  PolarResampler(int64_t height, int64_t width, const torch::TensorOptions& options) {
    const double radius = 0.5 * static_cast<double>(std::min(height, width));
    const int64_t rings = std::max<int64_t>(1, std::lround(radius));
    // A multiple of 8 angles, so that 90-degree rotations are exact shifts of the angle axis.
    const int64_t angles = 8 * static_cast<int64_t>(std::ceil(2.0 * M_PI * radius / 8.0));
    const double cy = 0.5 * (height - 1), cx = 0.5 * (width - 1);
    std::vector<float> grid(rings * angles * 2);
    std::vector<float> weight(rings);
    double weight_sum = 0.0;
    for (int64_t i = 0; i < rings; ++i) {
      const double r = (i + 0.5) * radius / rings;
      weight[i] = static_cast<float>(r);
      weight_sum += r;
      for (int64_t j = 0; j < angles; ++j) {
        const double theta = 2.0 * M_PI * j / angles;  // counter-clockwise, y up
        const double x = cx + r * std::cos(theta), row = cy - r * std::sin(theta);
        grid[(i * angles + j) * 2 + 0] = static_cast<float>(2.0 * x / (width - 1) - 1.0);
        grid[(i * angles + j) * 2 + 1] = static_cast<float>(2.0 * row / (height - 1) - 1.0);
      }
    }
    for (auto& w : weight) w = static_cast<float>(std::sqrt(w * rings / weight_sum));  // mean weight^2 = 1
    grid_ = torch::tensor(grid).view({1, rings, angles, 2}).to(options);
    weight_ = torch::tensor(weight).view({1, 1, rings, 1}).to(options);
  }

  torch::Tensor operator()(const torch::Tensor& images) const {
    auto grid = grid_.to(images.options()).expand({images.size(0), -1, -1, -1});
    // bilinear, zeros outside, align_corners: pixel centres at -1 and 1 as in the grid above.
    return torch::grid_sampler(images, grid, 0, 0, true) * weight_.to(images.options());
  }

 private:
  torch::Tensor grid_, weight_;
};

// Per-sample min over circular shifts of the mean squared difference of polar images
// (B, 4, R, A) and (1, 4, R, A), via |s|^2 + |t|^2 - 2 corr(k). Double precision because the
// loss is a small difference of large sums.
torch::Tensor min_shift_mse(const torch::Tensor& polar_state, const torch::Tensor& polar_target_fft,
                            const torch::Tensor& target_energy, int64_t angles) {
  auto s = polar_state.to(torch::kFloat64);
  auto spectrum = torch::fft_rfft(s, c10::nullopt, -1);
  auto cross = (spectrum * torch::conj(polar_target_fft)).sum({1, 2});  // (B, A/2+1)
  auto corr = torch::fft_irfft(cross, angles, -1);                      // (B, A): sum s(theta+k) t(theta)
  auto energy = s.pow(2).sum({1, 2, 3});
  const double count = static_cast<double>(s.size(1) * s.size(2) * angles);
  auto mse = (energy.unsqueeze(1) + target_energy - 2.0 * corr) / count;
  return std::get<0>(mse.min(1)).clamp_min(0.0).to(polar_state.scalar_type());
}

}  // namespace

torch::Tensor rgba_mse_loss(const torch::Tensor& state, const torch::Tensor& target) {
  check_shapes(state, target, "rgba_mse_loss");
  return (rgba(state) - target).pow(2).mean({1, 2, 3});
}

torch::Tensor group_min_loss(const torch::Tensor& state, const torch::Tensor& target, const groups::Group& group) {
  return make_loss("group_min", target, group)(state);
}

torch::Tensor polar_loss(const torch::Tensor& state, const torch::Tensor& target, bool mirrored) {
  return make_loss("polar", target, mirrored ? groups::Group::dihedral(1) : groups::Group::cyclic(1))(state);
}

LossFunction make_loss(const std::string& name, const torch::Tensor& target, const groups::Group& group) {
  EQNCA_CHECK(target.dim() == 4 && target.size(0) == 1 && target.size(1) == 4,
              "make_loss: expected a target (1, 4, H, W), got ({})", fmt::join(target.sizes(), ", "));
  if (name == "mse") {
    return [target](const torch::Tensor& state) { return rgba_mse_loss(state, target); };
  }
  if (name == "group_min") {
    if (!group.finite())
      throw std::invalid_argument(fmt::format(
          "--loss group_min needs a finite group (C_N or D_N) but the model's group is {}; use --loss polar",
          group.name()));
    std::vector<torch::Tensor> rotated;
    for (const auto& g : group.elements()) rotated.push_back(layers::rotate_grid(target, g));
    auto targets = torch::cat(rotated, 0);  // (|G|, 4, H, W)
    return [targets](const torch::Tensor& state) {
      check_shapes(state, targets.slice(0, 0, 1), "group_min_loss");
      // (B, 1, 4, H, W) - (1, |G|, 4, H, W) -> (B, |G|) -> min over the group.
      auto diff = rgba(state).unsqueeze(1) - targets.unsqueeze(0);
      return std::get<0>(diff.pow(2).mean({2, 3, 4}).min(1));
    };
  }
  if (name == "polar") {
    const bool mirrored = group.has_reflections();
    auto resample = std::make_shared<PolarResampler>(target.size(2), target.size(3), target.options());
    auto polar_target = (*resample)(target).to(torch::kFloat64);
    auto target_fft = torch::fft_rfft(polar_target, c10::nullopt, -1);
    auto target_energy = polar_target.pow(2).sum();
    const int64_t angles = polar_target.size(3);
    return [=](const torch::Tensor& state) {
      check_shapes(state, target, "polar_loss");
      auto polar_state = (*resample)(rgba(state));
      auto loss = min_shift_mse(polar_state, target_fft, target_energy, angles);
      // The mirror x -> -x maps angle theta to pi - theta: reversing the angle axis, up to a shift.
      if (mirrored)
        loss = torch::minimum(loss, min_shift_mse(polar_state.flip({3}), target_fft, target_energy, angles));
      return loss;
    };
  }
  throw std::invalid_argument(fmt::format("--loss must be one of mse|group_min|polar, got '{}'", name));
}

}  // namespace eqnca::experiments
