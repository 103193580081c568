// Fixed NCA perception filters; see perception.h.
#include "layers/perception.h"

#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::layers {

torch::Tensor perception_kernel(PerceptionFilter f) {
  switch (f) {
    case PerceptionFilter::Identity:
      return torch::tensor({0.f, 0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f, 0.f}).view({3, 3});
    case PerceptionFilter::SobelX:  // d/dx: columns grow to the right
      return torch::tensor({-1.f, 0.f, 1.f, -2.f, 0.f, 2.f, -1.f, 0.f, 1.f}).view({3, 3}) / 8.0;
    case PerceptionFilter::SobelY:  // d/dy with y up: the top row (row 0) is +y
      return torch::tensor({1.f, 2.f, 1.f, 0.f, 0.f, 0.f, -1.f, -2.f, -1.f}).view({3, 3}) / 8.0;
    case PerceptionFilter::Laplacian:
      return torch::tensor({1.f, 2.f, 1.f, 2.f, -12.f, 2.f, 1.f, 2.f, 1.f}).view({3, 3}) / 16.0;
  }
  throw std::logic_error("unknown perception filter");
}

NcaPerceptionImpl::NcaPerceptionImpl(NcaPerceptionOptions options) : options_(std::move(options)) {
  if (options_.channels() < 1 || options_.filters().empty())
    throw std::invalid_argument(fmt::format("NcaPerception needs >= 1 channel and >= 1 filter, got {} and {}",
                                            options_.channels(), options_.filters().size()));
  std::vector<torch::Tensor> bank;
  for (auto f : options_.filters()) bank.push_back(perception_kernel(f));
  torch::Tensor per_channel = torch::stack(bank).unsqueeze(1);  // (F, 1, 3, 3)
  kernel_ = register_buffer("kernel", per_channel.repeat({options_.channels(), 1, 1, 1}));
}

torch::Tensor NcaPerceptionImpl::forward(const torch::Tensor& x) {
  if (x.dim() != 4 || x.size(1) != options_.channels())
    throw std::invalid_argument(fmt::format("NcaPerception: expected (batch, {}, H, W), got {} dims with {} channels",
                                            options_.channels(), x.dim(), x.dim() > 1 ? x.size(1) : -1));
  const std::vector<int64_t> one{1, 1}, zero{0, 0};
  if (options_.padding() == Padding::Circular)
    return torch::conv2d(pad_field(x, 1, Padding::Circular), kernel_, torch::Tensor(), one, zero, one,
                         options_.channels());
  return torch::conv2d(x, kernel_, torch::Tensor(), one, one, one, options_.channels());
}

FieldType NcaPerceptionImpl::output_type(const groups::Group& group) const {
  std::vector<groups::Representation> fields;
  const auto& f = options_.filters();
  for (int c = 0; c < options_.channels(); ++c)
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] == PerceptionFilter::SobelX && i + 1 < f.size() && f[i + 1] == PerceptionFilter::SobelY) {
        fields.push_back(groups::Representation::standard(group));
        ++i;
      } else if (f[i] == PerceptionFilter::Identity || f[i] == PerceptionFilter::Laplacian) {
        fields.push_back(groups::Representation::trivial(group));
      } else {
        throw std::invalid_argument("NcaPerception: a Sobel filter is a field only as the pair (SobelX, SobelY)");
      }
    }
  return FieldType(group, fields);
}

}  // namespace eqnca::layers
