// The fused Sobel-MLP step: dispatch, autograd and the torch-ops path; see sobel_mlp_step.h.
#include "kernels/sobel_mlp_step.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/csrc/autograd/custom_function.h>

#include "groups/check.h"
#include "kernels/sobel_mlp_cpu.h"
#include "kernels/spectral_mlp.h"
#include "layers/nca_mechanics.h"
#include "layers/perception.h"

namespace eqnca::kernels {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The spectral plan, kept alive in the autograd context until backward.
struct PlanCapsule : torch::CustomClassHolder {
  explicit PlanCapsule(std::shared_ptr<const SpectralMlp> p) : plan(std::move(p)) {}
  std::shared_ptr<const SpectralMlp> plan;
};

// CPU float32 with a hand-written backward. Saved: the inputs (state, mask, weights: no copies)
// and the alive mask; backward recomputes the features and the hidden layer from the state.
class SobelMlpFunction : public torch::autograd::Function<SobelMlpFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& state, const torch::Tensor& mask,
                               const torch::Tensor& w1, const torch::Tensor& b1, const torch::Tensor& w2,
                               const torch::Tensor& b2, int64_t stencils, int64_t padding, bool skip_idle,
                               std::shared_ptr<const SpectralMlp> spectral) {
    torch::Tensor alive;
    torch::Tensor out = detail::sobel_mlp_forward_cpu(state, mask, w1, b1, w2, b2, Stencils(stencils), spectral.get(),
                                                      layers::Padding(padding), skip_idle, &alive);
    ctx->save_for_backward({state, mask, w1, b1, w2});
    ctx->saved_data["plan"] = c10::IValue::make_capsule(c10::make_intrusive<PlanCapsule>(std::move(spectral)));
    ctx->saved_data["alive"] = alive;
    ctx->saved_data["stencils"] = stencils;
    ctx->saved_data["padding"] = padding;
    ctx->saved_data["skip_idle"] = skip_idle;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
    const variable_list v = ctx->get_saved_variables();
    const auto plan = c10::static_intrusive_pointer_cast<PlanCapsule>(ctx->saved_data["plan"].toCapsule());
    const detail::SobelMlpGradients g = detail::sobel_mlp_backward_cpu(
        grad_out[0], v[0], v[1], v[2], v[3], v[4], ctx->saved_data["alive"].toTensor(),
        Stencils(ctx->saved_data["stencils"].toInt()), plan->plan.get(),
        layers::Padding(ctx->saved_data["padding"].toInt()), ctx->saved_data["skip_idle"].toBool());
    return {g.state,         torch::Tensor(), g.w1,           g.b1, g.w2, g.b2, torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

std::string shape(const torch::Tensor& t) { return fmt::format("({})", fmt::join(t.sizes(), ", ")); }

void check_shapes(const torch::Tensor& state, const torch::Tensor& mask, const SobelMlpWeights& w) {
  EQNCA_CHECK(state.dim() == 4, "sobel_mlp_step: expected a (B, H, W, C) state, got {}", shape(state));
  const int64_t b = state.size(0), h = state.size(1), wd = state.size(2), c = state.size(3);
  EQNCA_CHECK((mask.dim() == 3 || (mask.dim() == 4 && mask.size(3) == 1)) && mask.size(0) == b && mask.size(1) == h &&
                  mask.size(2) == wd,
              "sobel_mlp_step: expected a ({}, {}, {}) mask, got {}", b, h, wd, shape(mask));
  EQNCA_CHECK(w.w1.defined() && w.b1.defined() && w.w2.defined() && w.b2.defined(),
              "sobel_mlp_step: all of w1, b1, w2, b2 must be defined");
  EQNCA_CHECK(w.stencils != Stencils::Steered || c > 4,
              "sobel_mlp_step: steered stencils need RGBA, a hidden channel and the angle, got {} channels", c);
  EQNCA_CHECK(w.stencils != Stencils::Steered || !w.spectral, "sobel_mlp_step: steered stencils have no spectral path");
  const int64_t f = features_per_channel(w.stencils) * perceived_channels(w.stencils, c);
  EQNCA_CHECK(w.w1.dim() == 2 && w.w1.size(1) == f, "sobel_mlp_step: expected w1 (hidden, {}), got {}", f, shape(w.w1));
  const int64_t hidden = w.w1.size(0);
  const int64_t values = w.spectral ? w.spectral->values() : hidden;  // b1 acts on the values
  EQNCA_CHECK(w.b1.dim() == 1 && w.b1.size(0) == values, "sobel_mlp_step: expected b1 ({}), got {}", values,
              shape(w.b1));
  EQNCA_CHECK(w.w2.dim() == 2 && w.w2.size(0) == c && w.w2.size(1) == hidden,
              "sobel_mlp_step: expected w2 ({}, {}), got {}", c, hidden, shape(w.w2));
  EQNCA_CHECK(w.b2.dim() == 1 && w.b2.size(0) == c, "sobel_mlp_step: expected b2 ({}), got {}", c, shape(w.b2));
  EQNCA_CHECK(c > 3, "sobel_mlp_step: the state needs an alpha channel (3), got {} channels", c);
  if (const SpectralMlp* p = w.spectral.get()) {
    EQNCA_CHECK(p->layer1.rows == hidden && p->layer1.cols == f && p->layer2.rows == c && p->layer2.cols == hidden &&
                    p->coefficients() == hidden && w.b1.size(0) == p->values() &&
                    (!p->state_basis.defined() || p->state_basis.size(0) == c),
                "sobel_mlp_step: the spectral plan is for another shape (hidden {}, {} features, {} channels)",
                p->layer1.rows, p->layer1.cols, p->layer2.rows);
  }
}

bool fast_path(const torch::Tensor& state, const SobelMlpWeights& w) {
  for (const torch::Tensor* t : {&state, &w.w1, &w.b1, &w.w2, &w.b2})
    if (!t->device().is_cpu() || t->scalar_type() != torch::kFloat) return false;
  return true;
}

}  // namespace

int64_t features_per_channel(Stencils stencils) {
  switch (stencils) {
    case Stencils::Laplacian:
      return 2;
    case Stencils::Taps:
      return 9;
    case Stencils::Steered:
      return 4;
    case Stencils::Sobel:
      break;
  }
  return 3;
}

int64_t perceived_channels(Stencils stencils, int64_t channels) {
  return stencils == Stencils::Steered ? channels - 1 : channels;
}

int64_t multiply_adds_per_cell(const SobelMlpWeights& weights, int64_t channels) {
  const int64_t p = perceived_channels(weights.stencils, channels);
  const torch::Tensor stencils = stencil_kernels(weights.stencils);
  // The identity (stencil 0) is a copy; the taps' one-hot stencils are copies too.
  int64_t perception = 0;
  if (weights.stencils != Stencils::Taps) perception = stencils.slice(0, 1).ne(0).sum().item<int64_t>() * p;
  if (weights.stencils == Stencils::Steered) perception += 4 * p;  // (dx, dy) turned by a 2x2 rotation
  if (!weights.spectral) return perception + weights.w1.numel() + weights.w2.numel();
  const SpectralMlp& plan = *weights.spectral;
  int64_t basis = 0;
  for (const FeatureBlock& b : plan.feature_blocks) basis += int64_t(b.in.size() * b.out.size());
  const int64_t maps = 2 * plan.to_values.size(0) * plan.to_values.size(1) * plan.hidden_fields;
  return perception + basis + plan.layer1.packed_size + maps + plan.layer2.packed_size;
}

torch::Tensor sobel_mlp_step(const torch::Tensor& state, const torch::Tensor& mask, const SobelMlpWeights& weights,
                             layers::Padding padding, bool skip_idle) {
  check_shapes(state, mask, weights);
  if (!fast_path(state, weights)) return sobel_mlp_step_reference(state, mask, weights, padding);
  const torch::Tensor x = state.contiguous();
  const torch::Tensor m = mask.to(torch::kFloat).contiguous().view({state.size(0), state.size(1), state.size(2)});
  bool needs_grad = false;
  if (torch::GradMode::is_enabled())
    for (const torch::Tensor* t : {&state, &weights.w1, &weights.b1, &weights.w2, &weights.b2})
      needs_grad = needs_grad || t->requires_grad();
  if (!needs_grad)
    return detail::sobel_mlp_forward_cpu(x, m, weights.w1, weights.b1, weights.w2, weights.b2, weights.stencils,
                                         weights.spectral.get(), padding, skip_idle, nullptr);
  return SobelMlpFunction::apply(x, m, weights.w1, weights.b1, weights.w2, weights.b2, int64_t(weights.stencils),
                                 int64_t(padding), skip_idle, weights.spectral);
}

torch::Tensor stencil_kernels(Stencils stencils) {
  using layers::PerceptionFilter;
  std::vector<torch::Tensor> filters{layers::perception_kernel(PerceptionFilter::Identity)};
  if (stencils == Stencils::Laplacian) {
    filters.push_back(layers::perception_kernel(PerceptionFilter::Laplacian));
  } else if (stencils == Stencils::Taps) {
    for (int64_t position : {0, 1, 2, 3, 5, 6, 7, 8}) {
      torch::Tensor tap = torch::zeros({3, 3});
      tap.view({9})[position] = 1.0;
      filters.push_back(tap);
    }
  } else {
    if (stencils == Stencils::Steered) filters.push_back(layers::perception_kernel(PerceptionFilter::Laplacian));
    filters.push_back(layers::perception_kernel(PerceptionFilter::SobelX));
    filters.push_back(layers::perception_kernel(PerceptionFilter::SobelY));
  }
  return torch::stack(filters);
}

torch::Tensor sobel_mlp_step_reference(const torch::Tensor& state, const torch::Tensor& mask,
                                       const SobelMlpWeights& weights, layers::Padding padding) {
  check_shapes(state, mask, weights);
  const int64_t c = perceived_channels(weights.stencils, state.size(3));
  const torch::Tensor kernel = stencil_kernels(weights.stencils)
                                   .unsqueeze(1)
                                   .repeat({c, 1, 1, 1})
                                   .to(state.options());  // (KC, 1, 3, 3): feature c*K + k
  const torch::Tensor x = state.permute({0, 3, 1, 2});
  const torch::Tensor perceived = x.narrow(1, 0, c);
  const std::vector<int64_t> one{1, 1}, zero{0, 0};
  torch::Tensor f =
      (padding == layers::Padding::Circular
           ? torch::conv2d(layers::pad_field(perceived, 1, padding), kernel, torch::Tensor(), one, zero, one, c)
           : torch::conv2d(perceived, kernel, torch::Tensor(), one, one, one, c))
          .permute({0, 2, 3, 1});
  if (weights.stencils == Stencils::Steered) {
    // (dx, dy) -> R(-theta) (dx, dy) per cell, theta the last channel.
    const auto b = state.size(0), h = state.size(1), w = state.size(2);
    const torch::Tensor k = f.reshape({b, h, w, c, 4});
    const torch::Tensor theta = state.narrow(3, c, 1), cs = torch::cos(theta), sn = torch::sin(theta);
    const torch::Tensor dx = k.select(4, 2), dy = k.select(4, 3);
    f = torch::stack({k.select(4, 0), k.select(4, 1), cs * dx + sn * dy, -sn * dx + cs * dy}, 4).view({b, h, w, 4 * c});
  }
  if (weights.spectral) f = to_feature_basis(f, *weights.spectral);
  const torch::Tensor pre = torch::matmul(f, weights.w1.t());
  const torch::Tensor h =
      weights.spectral ? spectral_hidden(pre, weights.b1, *weights.spectral) : torch::relu(pre + weights.b1);
  const torch::Tensor d = torch::matmul(h, weights.w2.t()) + weights.b2;
  const torch::Tensor u = state + d * mask.reshape({state.size(0), state.size(1), state.size(2), 1}).to(state.dtype());
  const torch::Tensor alive =
      torch::logical_and(layers::alive_mask(x, padding), layers::alive_mask(u.permute({0, 3, 1, 2}), padding));
  return (u * alive.permute({0, 2, 3, 1}).to(state.dtype())).contiguous();
}

}  // namespace eqnca::kernels
