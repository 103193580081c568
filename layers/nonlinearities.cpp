// Equivariant nonlinearities; see nonlinearities.h.
#include "layers/nonlinearities.h"

#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::layers {
namespace {

bool permutation_field(const groups::Representation& rep) { return rep.name() == "regular" || rep.name() == "trivial"; }

torch::Tensor channel_to_field(const FieldType& type) {
  std::vector<int64_t> idx;
  int64_t f = 0;
  for (const auto& rep : type.fields()) {
    for (int a = 0; a < rep.dim(); ++a) idx.push_back(f);
    ++f;
  }
  return torch::tensor(idx, torch::kLong);
}

// Sum of squares per field, (B, fields, H, W), via index_add over the channel axis.
torch::Tensor field_norms(const torch::Tensor& x, const torch::Tensor& index, int64_t fields) {
  torch::Tensor sq = x * x;
  torch::Tensor out = torch::zeros({x.size(0), fields, x.size(2), x.size(3)}, x.options());
  return out.index_add(1, index.to(x.device()), sq).clamp_min(1e-12).sqrt();
}

}  // namespace

PointwiseReluImpl::PointwiseReluImpl(FieldType type) : type_(std::move(type)) {
  for (const auto& rep : type_.fields())
    if (!permutation_field(rep))
      throw std::invalid_argument(fmt::format(
          "PointwiseRelu needs trivial or regular fields (ReLU commutes only with permutations), got '{}' in {}",
          rep.name(), type_.describe()));
}

torch::Tensor PointwiseReluImpl::forward(const torch::Tensor& x) {
  type_.check(x, "PointwiseRelu");
  return torch::relu(x);
}

NormReluImpl::NormReluImpl(FieldType type) : type_(std::move(type)), field_index_(channel_to_field(type_)) {
  bias = register_parameter("bias", torch::zeros({int64_t(type_.fields().size())}));
}

torch::Tensor NormReluImpl::forward(const torch::Tensor& x) {
  type_.check(x, "NormRelu");
  const int64_t nf = int64_t(type_.fields().size());
  torch::Tensor norms = field_norms(x, field_index_, nf);
  torch::Tensor scale = torch::relu(norms - bias.view({1, nf, 1, 1})) / norms;
  return x * scale.index_select(1, field_index_.to(x.device()));
}

namespace {
FieldType with_gates(const FieldType& features) {
  return features + FieldType::trivial(features.group(), int(features.fields().size()));
}
}  // namespace

GatedNonlinearityImpl::GatedNonlinearityImpl(FieldType features)
    : features_(std::move(features)), in_type_(with_gates(features_)), field_index_(channel_to_field(features_)) {}

torch::Tensor GatedNonlinearityImpl::forward(const torch::Tensor& x) {
  in_type_.check(x, "GatedNonlinearity");
  const int64_t c = features_.channels(), nf = int64_t(features_.fields().size());
  torch::Tensor gates = torch::sigmoid(x.narrow(1, c, nf));
  return x.narrow(1, 0, c) * gates.index_select(1, field_index_.to(x.device()));
}

namespace {
FieldType pooled_type(const FieldType& type) { return FieldType::trivial(type.group(), int(type.fields().size())); }
}  // namespace

GroupPoolingImpl::GroupPoolingImpl(FieldType type) : type_(std::move(type)), out_type_(pooled_type(type_)) {}

torch::Tensor GroupPoolingImpl::forward(const torch::Tensor& x) {
  type_.check(x, "GroupPooling");
  std::vector<torch::Tensor> out;
  int64_t offset = 0;
  for (const auto& rep : type_.fields()) {
    torch::Tensor f = x.narrow(1, offset, rep.dim());
    if (rep.name() == "regular" || (rep.dim() == 1 && rep.is_trivial()))
      out.push_back(std::get<0>(f.max(1, true)));
    else
      out.push_back(f.pow(2).sum(1, true).clamp_min(1e-12).sqrt());
    offset += rep.dim();
  }
  return torch::cat(out, 1);
}

}  // namespace eqnca::layers
