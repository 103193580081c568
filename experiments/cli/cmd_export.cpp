// `eqnca export --web DIR`: writes a static page running trained models live in a browser, side
// by side (experiments/evaluation/web_export.h). Each --checkpoint (repeatable) is one grid;
// --model NAME (repeatable) adds an untrained one with random weights, for a quick look.
// Example: eqnca export --web runs/web --checkpoint runs/demo/c4/checkpoint.pt
//          --checkpoint runs/demo/growing/checkpoint.pt
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "experiments/cli/commands.h"
#include "experiments/evaluation/model_loading.h"
#include "experiments/evaluation/web_export.h"
#include "groups/check.h"

namespace eqnca::experiments {
namespace {

struct ExportArgs {
  std::string web;
  std::vector<std::string> checkpoints, models;
  int grid = 72;
  std::uint64_t seed = 0;
};

void run_export(const ExportArgs& a) {
  EQNCA_CHECK(!a.checkpoints.empty() || !a.models.empty(), "export: name at least one --checkpoint or --model");
  std::vector<WebModel> models;
  for (const std::string& path : a.checkpoints) {
    ModelSource source;
    source.checkpoint = path;
    LoadedModel loaded = load_model(source);
    models.push_back(web_model(*loaded.model, loaded.model->name() + " (" + path + ")"));
  }
  for (const std::string& name : a.models) {
    ModelSource source;
    source.model = name;
    source.seed = a.seed;
    LoadedModel loaded = load_model(source);
    models.push_back(web_model(*loaded.model, name + " (untrained, random weights)"));
  }
  WebExportOptions options;
  options.grid = a.grid;
  std::cout << export_web_page(a.web, models, options) << "\n";
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "Export trained models as a live browser page (WebGL2)");
  auto a = std::make_shared<ExportArgs>();
  cmd->add_option("--web", a->web, "folder for the page (index.html, nca.js, page.js, weights.js)")->required();
  cmd->add_option("--checkpoint", a->checkpoints, "checkpoint.pt or model.h5 of a training run (repeatable)");
  cmd->add_option("--model", a->models, "an untrained model with random weights (repeatable)");
  cmd->add_option("--grid", a->grid, "grid height and width on the page")
      ->capture_default_str()
      ->check(CLI::Range(3, 1024));
  cmd->add_option("--seed", a->seed, "random seed for --model weights")->capture_default_str();
  cmd->callback([a] { run_export(*a); });
}

}  // namespace eqnca::experiments
