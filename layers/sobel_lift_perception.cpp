// Equivariant identity + Sobel perception; see sobel_lift_perception.h.
#include "layers/sobel_lift_perception.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "layers/perception.h"

namespace eqnca::layers {
namespace {

FieldType lifted_type(const FieldType& in, int64_t* trivial_channels) {
  const groups::Group& g = in.group();
  std::vector<groups::Representation> fields = in.fields();
  int64_t trivial = 0, regular = 0;
  bool seen_regular = false;
  for (const auto& rep : in.fields()) {
    if (rep.name() == "trivial" && !seen_regular) {
      ++trivial;
    } else if (rep.name() == "regular") {
      seen_regular = true;
      ++regular;
    } else {
      throw std::invalid_argument(
          fmt::format("SobelLiftPerception needs trivial fields followed by regular fields, got {}", in.describe()));
    }
  }
  for (int64_t i = 0; i < trivial; ++i) fields.push_back(groups::Representation::standard(g));
  for (int64_t i = 0; i < 2 * regular; ++i) fields.push_back(groups::Representation::regular(g));
  *trivial_channels = trivial;
  return FieldType(g, fields);
}

}  // namespace

SobelLiftPerceptionImpl::SobelLiftPerceptionImpl(FieldType state_type, Padding padding)
    : in_type_(state_type), out_type_(state_type), padding_(padding) {
  // Set here, not in the initialiser list: members initialise in declaration order.
  out_type_ = lifted_type(state_type, &trivial_channels_);
  const int64_t c = in_type_.channels();
  torch::Tensor pair =
      torch::stack({perception_kernel(PerceptionFilter::SobelX), perception_kernel(PerceptionFilter::SobelY)})
          .unsqueeze(1);  // (2, 1, 3, 3)
  sobel_ = register_buffer("sobel", pair.repeat({c, 1, 1, 1}));
  const groups::Group& g = in_type_.group();
  const int64_t reg_channels = c - trivial_channels_;
  torch::Tensor ax = torch::zeros({reg_channels}), ay = torch::zeros({reg_channels});
  torch::Tensor bx = torch::zeros({reg_channels}), by = torch::zeros({reg_channels});
  for (int64_t i = 0; i < reg_channels; ++i) {
    const groups::GroupElement h = g.element(int(i % g.size()));
    const double ca = std::cos(h.angle), sa = std::sin(h.angle), m = h.reflection ? -1.0 : 1.0;
    ax[i] = m * ca;  // h e_x = R(angle) F^s e_x
    ay[i] = m * sa;
    bx[i] = -sa;  // h e_y = R(angle) e_y (the mirror keeps e_y)
    by[i] = ca;
  }
  auto shape = [](const torch::Tensor& t) { return t.view({1, -1, 1, 1}); };
  ax_ = register_buffer("ax", shape(ax));
  ay_ = register_buffer("ay", shape(ay));
  bx_ = register_buffer("bx", shape(bx));
  by_ = register_buffer("by", shape(by));
}

torch::Tensor SobelLiftPerceptionImpl::forward(const torch::Tensor& state) {
  in_type_.check(state, "SobelLiftPerception");
  const int64_t c = in_type_.channels();
  const std::vector<int64_t> one{1, 1}, zero{0, 0};
  const torch::Tensor grad =
      padding_ == Padding::Circular
          ? torch::conv2d(pad_field(state, 1, Padding::Circular), sobel_, torch::Tensor(), one, zero, one, c)
          : torch::conv2d(state, sobel_, torch::Tensor(), one, one, one, c);  // (B, 2C, H, W): dx, dy interleaved
  const int64_t t = trivial_channels_, r = c - t;
  std::vector<torch::Tensor> parts{state};
  if (t > 0) parts.push_back(grad.narrow(1, 0, 2 * t));
  if (r > 0) {
    const torch::Tensor g = grad.narrow(1, 2 * t, 2 * r).view({state.size(0), r, 2, state.size(2), state.size(3)});
    const torch::Tensor gx = g.select(2, 0), gy = g.select(2, 1);
    parts.push_back(ax_ * gx + ay_ * gy);
    parts.push_back(bx_ * gx + by_ * gy);
  }
  return torch::cat(parts, 1);
}

torch::Tensor SobelLiftPerceptionImpl::feature_map() const {
  const int64_t c = in_type_.channels(), t = trivial_channels_, r = c - t;
  torch::Tensor m = torch::zeros({out_type_.channels(), 3 * c});
  auto a = m.accessor<float, 2>();
  for (int64_t i = 0; i < c; ++i) a[i][3 * i] = 1.0f;  // the state itself
  for (int64_t i = 0; i < t; ++i) {                    // (d/dx, d/dy) of trivial channels
    a[c + 2 * i][3 * i + 1] = 1.0f;
    a[c + 2 * i + 1][3 * i + 2] = 1.0f;
  }
  const torch::Tensor ax = ax_.cpu().flatten(), ay = ay_.cpu().flatten(), bx = bx_.cpu().flatten(),
                      by = by_.cpu().flatten();
  for (int64_t i = 0; i < r; ++i) {  // q_x then q_y of regular channels
    const int64_t col = 3 * (t + i);
    a[c + 2 * t + i][col + 1] = ax[i].item<float>();
    a[c + 2 * t + i][col + 2] = ay[i].item<float>();
    a[c + 2 * t + r + i][col + 1] = bx[i].item<float>();
    a[c + 2 * t + r + i][col + 2] = by[i].item<float>();
  }
  return m.to(sobel_.device(), sobel_.scalar_type());
}

}  // namespace eqnca::layers
