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
  int hidden_fields = 0;  // group models: hidden fields (0 = the model's default)
  int state_fields = 0;   // group models: oriented state fields (0 = the model's default)
  int band_limit = 3;     // so2 / o2: highest irrep frequency
  double fire_rate = 0.5;
  std::string padding = "zeros";  // zeros | circular
};

// Throws std::invalid_argument with a one-line message for unknown names or bad options.
NcaModel make_model(const ModelConfig& config);

// The config with the group models' defaults (0 fields) replaced by the sizes make_model
// builds: c4 6 state / 64 hidden fields, d4 and c8 3 / 32, c16 2 / 16, so2 and o2 2 state
// fields and the hidden width whose parameter count is closest to the baseline's. A run stores
// this, so what its checkpoint holds never depends on the defaults of a later version.
ModelConfig resolved(const ModelConfig& config);
// The same with the defaults of the first release (c4 3 state fields, d4 c8 so2 o2 2, c16 1;
// hidden fields parameter-matched), for checkpoints written before runs stored resolved configs.
ModelConfig resolved_with_first_defaults(const ModelConfig& config);

// The factor by which a model's learning rate should exceed the baseline's for its filters to
// move as fast: sqrt|G| for C_N / D_N (a coefficient of an orthonormal basis over a regular
// field spreads over |G| filter entries, so Adam's step of size lr on it moves each entry by
// about lr / sqrt|G|; measured in issue 10); 2 for so2, measured (paper/lever_study/README.md,
// eighth pass: 4 = sqrt 16 was unstable); 1 for the other models (o2 not yet measured).
double learning_rate_scale(const ModelConfig& config);
// Whether training should plant the model's seeds turned by random rotations of its group
// (`eqnca train --seed-turns`, experiments/training/seed_turns.h). so2: yes. Its rule is
// exactly equivariant only at quarter turns; with turned seeds it became a stable attractor off
// the grid too (paper/lever_study/README.md, ninth pass). c8: no, its numbers moved within seed
// noise. c4, d4: no, they are exact at all their rotations. c16, o2: no, not yet measured.
bool turned_seeds_by_default(const ModelConfig& config);
std::vector<std::string> model_names();

}  // namespace eqnca::models
