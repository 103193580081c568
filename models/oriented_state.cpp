// The oriented state of the group NCAs; see oriented_state.h.
#include "models/oriented_state.h"

#include <cctype>

#include "groups/check.h"
#include "layers/fourier_pointwise.h"

namespace eqnca::models {
namespace {

groups::Representation oriented_field(const groups::Group& g) {
  return g.finite() ? groups::Representation::regular(g) : layers::band_limited_field(g);
}

layers::FieldType make_type(const groups::Group& g, int fields) {
  EQNCA_CHECK(fields >= 1, "state_fields must be >= 1, got {}", fields);
  return layers::FieldType::trivial(g, 4) + layers::FieldType::of(oriented_field(g), fields);
}

}  // namespace

OrientedState::OrientedState(groups::Group group, int fields)
    : group_(group), field_(oriented_field(group)), type_(make_type(group, fields)) {}

const layers::FieldType& OrientedState::type_over(const groups::Group& group, const std::string& model) const {
  EQNCA_CHECK(group == group_, "model {} is typed over {}, not {}", model, group_.name(), group.name());
  return type_;
}

torch::Tensor OrientedState::seed(int64_t batch, int64_t height, int64_t width) const {
  torch::Tensor s = torch::zeros({batch, channels(), height, width});
  const int64_t r = height / 2, c = width / 2;
  auto light = [&](int64_t channel) { s.select(1, channel).select(1, r).select(1, c).fill_(1.0); };
  light(3);  // alpha: alive
  const int d = field_.dim();
  // Band-limited fields start with one (SO(2)) or two (O(2)) one-dimensional irreps, then 2x2 blocks.
  const int one_dim = group_.has_reflections() ? 2 : 1;
  for (int64_t base = 4; base < channels(); base += d) {
    if (group_.finite()) {
      light(base);  // regular: e_identity
    } else {
      for (int a = 0; a < d; a += (a < one_dim ? 1 : 2)) light(base + a);
    }
  }
  return s;
}

std::string group_model_name(const groups::Group& group) {
  switch (group.kind()) {
    case groups::GroupKind::SO2:
      return "so2";
    case groups::GroupKind::O2:
      return "o2";
    default:
      break;
  }
  std::string name = group.name();  // "C4", "D4"
  for (char& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return name;
}

}  // namespace eqnca::models
