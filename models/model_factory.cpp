// Models by name; see model_factory.h. The group models' default sizes and learning-rate scales
// come from the study of issue 10 (paper/lever_study/README.md). SO(2) / O(2) default to the
// hidden width whose parameter count is closest to the Distill baseline's 8,336 (the count is
// affine in the number of hidden fields, so two probe builds give it; the probes draw from the
// generator before the model itself does, so a seed keeps giving the same weights).
#include "models/model_factory.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "groups/check.h"
#include "models/continuous_group_nca.h"
#include "models/finite_group_nca.h"
#include "models/fixed_perception_nca.h"
#include "models/steerable_nca.h"

namespace eqnca::models {
namespace {

constexpr int64_t kBaselineParameters = 8336;

struct GroupSpec {
  const char* name;
  std::function<groups::Group(int band_limit)> group;
  int state_fields;   // oriented fields in the default state
  int hidden_fields;  // default hidden fields; 0 = parameter-matched to the baseline
  // The state fields before issue 10 (hidden fields were parameter-matched then), for
  // checkpoints whose config still says 0.
  int first_state_fields;
  // The default lr's factor over the baseline's; 0 = sqrt|G| (learning_rate_scale).
  double learning_rate_scale = 0.0;
  // Whether training plants its seeds turned by random rotations of the group by default.
  bool turned_seeds = false;
};

// C_N / D_N: regular fields, so a model's cost per cell grows with |G| x fields while its
// parameters do not; the defaults trade the two as measured (issue 10).
const std::vector<GroupSpec>& group_specs() {
  static const std::vector<GroupSpec> specs{
      {"c4", [](int) { return groups::Group::cyclic(4); }, 6, 64, 3},    // 4 + 6*4 = 28 channels, 256 hidden
      {"d4", [](int) { return groups::Group::dihedral(4); }, 4, 48, 2},  // 4 + 4*8 = 36, 384 hidden
      {"c8", [](int) { return groups::Group::cyclic(8); }, 4, 48, 2},    // 4 + 4*8 = 36, 384 hidden
      {"c16", [](int) { return groups::Group::cyclic(16); }, 3, 32, 1},  // 4 + 3*16 = 52, 512 hidden
      // 4 + 2*(2L+1) channels; lr: lever study, 8th pass; turned seeds: 9th pass.
      {"so2", [](int l) { return groups::Group::so2(l); }, 2, 0, 2, 2.0, true},
      // 4 + 2*(2L+2); lr and turned seeds not yet measured.
      {"o2", [](int l) { return groups::Group::o2(l); }, 2, 0, 2, 1.0, false},
  };
  return specs;
}

const GroupSpec* group_spec(const std::string& name) {
  for (const auto& spec : group_specs())
    if (name == spec.name) return &spec;
  return nullptr;
}

// Ranges a config may ask for; the models check what they need themselves (fire_rate included).
void check_config(const ModelConfig& c) {
  EQNCA_CHECK(c.channels >= 5 && c.channels <= 256, "channels must be in [5, 256], got {}", c.channels);
  EQNCA_CHECK(c.hidden >= 1 && c.hidden <= 4096, "hidden must be in [1, 4096], got {}", c.hidden);
  EQNCA_CHECK(c.band_limit >= 1 && c.band_limit <= 8, "band_limit must be in [1, 8], got {}", c.band_limit);
}

template <typename Impl, typename Options>
NcaModel hold(Options options) {
  return NcaModel(std::shared_ptr<NcaModelImpl>(std::make_shared<Impl>(std::move(options))));
}

// The baselines' knobs (fixed-perception and steerable options share their names).
template <typename Options>
Options with_config(Options options, const ModelConfig& c, layers::Padding padding) {
  return options.channels(c.channels).hidden(c.hidden).fire_rate(c.fire_rate).padding(padding);
}

// A group NCA over `g` with `hidden_fields` hidden fields: C_N / D_N or SO(2) / O(2).
NcaModel group_model(const groups::Group& g, int state_fields, int hidden_fields, const ModelConfig& c,
                     layers::Padding padding) {
  if (g.finite())
    return hold<FiniteGroupNcaImpl>(FiniteGroupNcaOptions(g)
                                        .state_fields(state_fields)
                                        .hidden_fields(hidden_fields)
                                        .fire_rate(c.fire_rate)
                                        .padding(padding));
  return hold<ContinuousGroupNcaImpl>(ContinuousGroupNcaOptions(g)
                                          .state_fields(state_fields)
                                          .hidden_fields(hidden_fields)
                                          .fire_rate(c.fire_rate)
                                          .padding(padding));
}

}  // namespace

std::vector<std::string> model_names() {
  std::vector<std::string> names{"growing", "isotropic", "steerable"};
  for (const auto& s : group_specs()) names.push_back(s.name);
  return names;
}

namespace {

ModelConfig resolved_with(const ModelConfig& config, bool first_defaults) {
  check_config(config);
  ModelConfig c = config;
  const GroupSpec* spec = group_spec(c.name);
  if (spec == nullptr) return c;
  const groups::Group g = spec->group(c.band_limit);
  if (c.state_fields <= 0) c.state_fields = first_defaults ? spec->first_state_fields : spec->state_fields;
  if (c.hidden_fields <= 0 && !first_defaults) c.hidden_fields = spec->hidden_fields;
  if (c.hidden_fields <= 0) {
    const layers::Padding padding = layers::padding_from_name(c.padding);
    auto count = [&](int h) { return group_model(g, c.state_fields, h, c, padding)->parameter_count(); };
    const int64_t p1 = count(1), p2 = count(2);
    c.hidden_fields = std::max(1, int(std::lround(double(kBaselineParameters - p1) / double(p2 - p1))) + 1);
  }
  return c;
}

}  // namespace

ModelConfig resolved(const ModelConfig& config) { return resolved_with(config, false); }

ModelConfig resolved_with_first_defaults(const ModelConfig& config) { return resolved_with(config, true); }

double learning_rate_scale(const ModelConfig& config) {
  const GroupSpec* spec = group_spec(config.name);
  if (spec == nullptr) return 1.0;
  if (spec->learning_rate_scale > 0.0) return spec->learning_rate_scale;
  const groups::Group g = spec->group(config.band_limit);
  return g.finite() ? std::sqrt(double(g.size())) : 1.0;
}

bool turned_seeds_by_default(const ModelConfig& config) {
  const GroupSpec* spec = group_spec(config.name);
  return spec != nullptr && spec->turned_seeds;
}

NcaModel make_model(const ModelConfig& config) {
  const ModelConfig c = resolved(config);
  const layers::Padding padding = layers::padding_from_name(c.padding);
  if (c.name == "growing")
    return hold<FixedPerceptionNcaImpl>(with_config(FixedPerceptionNcaOptions::growing(), c, padding));
  if (c.name == "isotropic")
    return hold<FixedPerceptionNcaImpl>(with_config(FixedPerceptionNcaOptions::isotropic(), c, padding));
  if (c.name == "steerable") return hold<SteerableNcaImpl>(with_config(SteerableNcaOptions(), c, padding));
  if (const GroupSpec* spec = group_spec(c.name))
    return group_model(spec->group(c.band_limit), c.state_fields, c.hidden_fields, c, padding);
  throw_invalid_argument("unknown model '{}': expected one of {}", c.name, fmt::join(model_names(), ", "));
}

}  // namespace eqnca::models
