// Builds any NCA model by name from a plain config, so drivers and configs name models in
// the words of the literature: growing, isotropic, steerable, c4, d4, c8, c16, so2, o2.
// The config (the CLI's and TOML's words) maps onto each model's options struct:
// growing / isotropic -> FixedPerceptionNcaOptions, steerable -> SteerableNcaOptions,
// c4 / d4 / c8 / c16 -> FiniteGroupNcaOptions, so2 / o2 -> ContinuousGroupNcaOptions.
#pragma once

#include <string>
#include <vector>

#include "models/nca_model.h"

namespace eqnca::models {

struct ModelConfig {
  std::string name = "growing";
  int channels = 16;      // state channels for the baselines (RGBA + hidden)
  int hidden = 128;       // hidden width of the update rule (baselines, in channels)
  int hidden_fields = 0;  // group models: hidden fields (0 = the parameter-matched default)
  int state_fields = 0;   // group models: oriented state fields (0 = default)
  int band_limit = 3;     // so2 / o2: highest irrep frequency
  double fire_rate = 0.5;
  std::string padding = "zeros";  // zeros | circular
};

// Throws std::invalid_argument with a one-line message for unknown names or bad options.
NcaModel make_model(const ModelConfig& config);
std::vector<std::string> model_names();

}  // namespace eqnca::models
