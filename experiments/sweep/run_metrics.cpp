// Post-training measurements of a sweep run; see run_metrics.h.
#include "experiments/sweep/run_metrics.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/evaluation/equivariance_eval.h"
#include "experiments/evaluation/model_loading.h"
#include "kernels/thread_pool.h"

namespace eqnca::experiments {

void measure_run(const std::string& run_folder, int threads, RunOutcome& outcome) {
  kernels::set_cpu_threads(threads);
  ModelSource source;
  source.checkpoint = (std::filesystem::path(run_folder) / "model.h5").string();
  LoadedModel loaded = load_model(source);
  if (!loaded.config) throw std::runtime_error(fmt::format("'{}' holds no training config", source.checkpoint));
  const TrainConfig& config = *loaded.config;
  EvalOptions options;
  options.steps = config.max_steps;
  options.height = options.width = config.grid_size();
  options.seed = config.seed;
  options.target = load_run_target(config);
  // The identity first: its "rotated" target loss is the plain loss from the seed.
  options.elements = elements_for(*loaded.model, {0.0}, false);
  for (const auto& g : default_elements(*loaded.model))
    if (g.rotation != 0 || g.angle != 0.0 || g.reflection) options.elements.push_back(g);
  const EquivarianceSummary summary = evaluate_equivariance(loaded.model, options);

  int64_t parameters = 0;
  for (const auto& p : loaded.model->parameters()) parameters += p.numel();
  outcome.parameters = parameters;
  const auto& identity = summary.elements.front();
  if (!identity.rotated_target_loss.empty()) outcome.seed_loss = identity.rotated_target_loss.back();
  double rotated = 0, shared = 0, independent = 0;
  int n = 0;
  for (size_t i = 1; i < summary.elements.size(); ++i) {
    const ElementResult& e = summary.elements[i];
    if (!e.rotated_target_loss.empty()) rotated += e.rotated_target_loss.back();
    shared = std::max(shared, e.final_rel_error);
    independent = std::max(independent, e.rel_error_independent_mask.back());
    ++n;
  }
  if (n > 0) {
    if (!identity.rotated_target_loss.empty()) outcome.rotated_seed_loss = rotated / n;
    outcome.equivariance_error = shared;
    outcome.equivariance_error_independent = independent;
  }
}

}  // namespace eqnca::experiments
