// `eqnca export --web DIR` (issue 16): a static page that runs trained models live in a browser,
// side by side. Each model goes out as its dense 3x3 + 1x1 network (dense_step.h) plus the
// seed cell's fiber turned by every rotation of the model's group, so the page can place turned
// seeds itself; the page's WebGL2 step (web/nca.js) repeats eqnca's step exactly.
//
// DIR holds index.html, nca.js, page.js (web/, compiled in: web_assets.h) and weights.js, which
// sets window.EQNCA_MODELS: one object per model with the float32 tensors as little-endian
// base64 (conv (hidden, C, 3, 3), b1, w2 (C, hidden), b2, seeds[k] (C) for rotation k of N,
// counter-clockwise by 360k/N degrees). Scripts, not fetched JSON, so the page works from file://.
#pragma once

#include <string>
#include <vector>

#include <torch/types.h>

#include "experiments/evaluation/dense_step.h"
#include "models/nca_model.h"

namespace eqnca::experiments {

struct WebModel {
  std::string label;  // shown above the grid, e.g. "c4 (runs/demo/c4)"
  std::string name;   // the model's factory name
  std::string group;  // the group it is equivariant to, e.g. "C4" ("C1" for the baselines)
  DenseNcaStep net;
  // seeds[k]: the seed cell's fiber (C) turned by rotation k of the group's N; one for C1.
  std::vector<torch::Tensor> seeds;
};

// The page's form of `model`; throws std::invalid_argument (one line, naming the model) for
// models dense_nca_step refuses (steerable, so2, o2).
WebModel web_model(models::NcaModelImpl& model, const std::string& label);

// The rotation element k of N (counter-clockwise by 360k/N degrees) of `model`'s group, the
// one the page's seed for that angle is turned by.
groups::GroupElement web_seed_rotation(const models::NcaModelImpl& model, int k);

struct WebExportOptions {
  int grid = 72;  // the page's grid, height = width
};

// Writes the page into `dir` (created if needed), each file atomically; returns index.html's path.
std::string export_web_page(const std::string& dir, const std::vector<WebModel>& models,
                            const WebExportOptions& options = {});

}  // namespace eqnca::experiments
