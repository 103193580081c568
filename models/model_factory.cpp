// Models by name; see model_factory.h. Group models default to the hidden width whose
// parameter count is closest to the Distill baseline's 8,336 (the count is affine in the
// number of hidden fields, so two probe builds give it).
#include "models/model_factory.h"

#include <cmath>
#include <functional>
#include <stdexcept>

#include <fmt/format.h>

#include "models/group_nca.h"
#include "models/growing_nca.h"
#include "models/isotropic_nca.h"
#include "models/steerable_nca.h"

namespace eqnca::models {
namespace {

constexpr int64_t kBaselineParameters = 8336;

struct GroupSpec {
  const char* name;
  std::function<groups::Group(int band_limit)> group;
  int state_fields;  // oriented fields in the default state
};

const std::vector<GroupSpec>& group_specs() {
  static const std::vector<GroupSpec> specs{
      {"c4", [](int) { return groups::Group::cyclic(4); }, 3},   // 4 + 3*4 = 16 channels
      {"d4", [](int) { return groups::Group::dihedral(4); }, 2}, // 4 + 2*8 = 20
      {"c8", [](int) { return groups::Group::cyclic(8); }, 2},   // 4 + 2*8 = 20
      {"c16", [](int) { return groups::Group::cyclic(16); }, 1}, // 4 + 16 = 20
      {"so2", [](int l) { return groups::Group::so2(l); }, 2},   // 4 + 2*(2L+1)
      {"o2", [](int l) { return groups::Group::o2(l); }, 2},     // 4 + 2*(2L+2)
  };
  return specs;
}

void check_common(const ModelConfig& c) {
  if (!(c.fire_rate > 0.0 && c.fire_rate <= 1.0))
    throw std::invalid_argument(fmt::format("fire_rate must be in (0, 1], got {}", c.fire_rate));
  if (c.channels < 5 || c.channels > 256)
    throw std::invalid_argument(fmt::format("channels must be in [5, 256], got {}", c.channels));
  if (c.hidden < 1 || c.hidden > 4096) throw std::invalid_argument(fmt::format("hidden must be in [1, 4096], got {}", c.hidden));
  if (c.band_limit < 1 || c.band_limit > 8)
    throw std::invalid_argument(fmt::format("band_limit must be in [1, 8], got {}", c.band_limit));
}

template <typename Impl, typename... Args>
NcaModel hold(Args&&... args) {
  return NcaModel(std::shared_ptr<NcaModelImpl>(std::make_shared<Impl>(std::forward<Args>(args)...)));
}

}  // namespace

std::vector<std::string> model_names() {
  std::vector<std::string> names{"growing", "isotropic", "steerable"};
  for (const auto& s : group_specs()) names.push_back(s.name);
  return names;
}

NcaModel make_model(const ModelConfig& c) {
  check_common(c);
  const layers::Padding padding = layers::padding_from_name(c.padding);
  if (c.name == "growing") return hold<GrowingNcaImpl>(c.channels, c.hidden, c.fire_rate, padding);
  if (c.name == "isotropic") return hold<IsotropicNcaImpl>(c.channels, c.hidden, c.fire_rate, padding);
  if (c.name == "steerable") return hold<SteerableNcaImpl>(c.channels, c.hidden, c.fire_rate, padding);
  for (const auto& spec : group_specs()) {
    if (c.name != spec.name) continue;
    const groups::Group g = spec.group(c.band_limit);
    const int state_fields = c.state_fields > 0 ? c.state_fields : spec.state_fields;
    int hidden = c.hidden_fields;
    if (hidden <= 0) {
      auto count = [&](int h) { return GroupNcaImpl(spec.name, g, state_fields, h, c.fire_rate, padding).parameter_count(); };
      const int64_t p1 = count(1), p2 = count(2);
      hidden = std::max(1, int(std::lround(double(kBaselineParameters - p1) / double(p2 - p1))) + 1);
    }
    return hold<GroupNcaImpl>(spec.name, g, state_fields, hidden, c.fire_rate, padding);
  }
  throw std::invalid_argument(fmt::format("unknown model '{}': expected one of {}", c.name, fmt::join(model_names(), ", ")));
}

}  // namespace eqnca::models
