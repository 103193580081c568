// Models for the evaluation commands: by name with random normal(0, 0.1) weights (checked by
// their sample mean and standard deviation over ~7,000 parameters: +-0.005, about four standard
// errors) or the model's own initialisation; from the checkpoint of a real 2-iteration training
// run, with that run's config and iteration count; and every bad source (no model, unknown
// name, bad --init, missing, corrupt or foreign checkpoint) as a one-line error of the documented
// kind.
#include "experiments/evaluation/model_loading.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include "experiments/training/checkpoint.h"
#include "experiments/training/trainer.h"
#include "models/model_factory.h"
#include "tests/experiments/TempDir.h"
#include "tests/experiments/training/TrainTestUtil.h"

namespace eqnca::experiments {
namespace {

torch::Tensor all_parameters(const models::NcaModel& m) {
  std::vector<torch::Tensor> flat;
  for (const auto& p : m->parameters()) flat.push_back(p.detach().flatten());
  return torch::cat(flat);
}

ModelSource by_name(const std::string& name, const std::string& init, std::uint64_t seed) {
  ModelSource s;
  s.model = name;
  s.init = init;
  s.seed = seed;
  return s;
}

// The message of the exception of type E that load_model(s) throws; "" if it throws none.
template <typename E>
std::string error_of(const ModelSource& s) {
  try {
    load_model(s);
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

void expect_one_line(const std::string& message, const std::string& needle) {
  EXPECT_NE(message.find(needle), std::string::npos) << "'" << needle << "' in: " << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(ModelLoadingTest, ModelByNameWithRandomOrDefaultWeights) {
  const LoadedModel loaded = load_model(by_name("c4", "random", 5));
  ASSERT_TRUE(loaded.model);
  EXPECT_EQ(loaded.model->name(), "c4");
  EXPECT_FALSE(loaded.model->is_training());  // ready for evaluation
  EXPECT_FALSE(loaded.config.has_value());
  EXPECT_EQ(loaded.iteration, 0);
  const torch::Tensor w = all_parameters(loaded.model);
  EXPECT_GT(w.numel(), 7000);
  EXPECT_NEAR(w.mean().item<double>(), 0.0, 0.005);
  EXPECT_NEAR(w.std().item<double>(), 0.1, 0.005);
  // The seed makes the weights.
  EXPECT_TRUE(all_parameters(load_model(by_name("c4", "random", 5)).model).equal(w));
  EXPECT_FALSE(all_parameters(load_model(by_name("c4", "random", 6)).model).equal(w));

  // The baselines zero their last layer: a default-initialised growing NCA changes nothing.
  const LoadedModel fresh = load_model(by_name("growing", "default", 5));
  EXPECT_EQ(fresh.model->name(), "growing");
  const LoadedModel random = load_model(by_name("growing", "random", 5));
  for (const std::string key : {"update.fc1.weight", "update.fc1.bias"}) {
    EXPECT_EQ(fresh.model->named_parameters()[key].abs().max().item<double>(), 0.0) << key;
    EXPECT_GT(random.model->named_parameters()[key].abs().max().item<double>(), 0.0) << key;
  }
}

TEST(ModelLoadingTest, BadSourcesAreOneLineErrors) {
  testing::TempDir dir;
  expect_one_line(error_of<std::invalid_argument>(ModelSource()), "name a --checkpoint or a --model");
  expect_one_line(error_of<std::invalid_argument>(by_name("c5x", "random", 0)), "'c5x'");
  expect_one_line(error_of<std::invalid_argument>(by_name("c4", "bogus", 0)),
                  "--init must be random or default, got 'bogus'");

  ModelSource missing;
  missing.checkpoint = dir.file("none.pt");
  expect_one_line(error_of<std::runtime_error>(missing), "checkpoint '" + missing.checkpoint + "' does not exist");

  ModelSource corrupt;
  corrupt.checkpoint = dir.file("corrupt.pt");
  std::ofstream(corrupt.checkpoint) << "not a checkpoint";
  expect_one_line(error_of<std::runtime_error>(corrupt), "is corrupt or not an eqnca training checkpoint");

  // A valid torch archive that is not a training checkpoint.
  ModelSource foreign;
  foreign.checkpoint = dir.file("foreign.pt");
  {
    torch::serialize::OutputArchive archive;
    archive.write("weights", torch::ones({3}));
    archive.save_to(foreign.checkpoint);
  }
  expect_one_line(error_of<std::runtime_error>(foreign), "is corrupt or not an eqnca training checkpoint");
  EXPECT_THROW(read_checkpoint_config(foreign.checkpoint), std::runtime_error);
}

TEST(ModelLoadingTest, CheckpointOfATrainingRunLoadsWithItsConfig) {
  testing::TempDir dir;
  testing::write_test_target(dir.file("t.png"));
  TrainConfig c = testing::tiny_config(dir.file("t.png"), dir.file("run"));
  c.iterations = 2;
  std::ostringstream progress;
  const TrainResult trained = train(c, false, progress);

  ModelSource source;
  source.checkpoint = trained.checkpoint_path;
  source.model = "c4";  // the checkpoint wins
  const LoadedModel loaded = load_model(source);
  EXPECT_EQ(loaded.iteration, 2);
  ASSERT_TRUE(loaded.config.has_value());
  EXPECT_EQ(loaded.config->to_toml(), c.resolved().to_toml());  // every key, as the run resolved it
  EXPECT_EQ(read_checkpoint_config(trained.checkpoint_path).to_toml(), c.resolved().to_toml());
  EXPECT_EQ(loaded.model->name(), "growing");
  EXPECT_EQ(loaded.model->channels(), 8);
  EXPECT_FALSE(loaded.model->is_training());

  // The weights are the trained ones: the zero-initialised last layer has moved, and every
  // parameter matches what load_checkpoint reads into a model built from the same config.
  auto reference = models::make_model(c.model);
  torch::optim::Adam adam(reference->parameters(), torch::optim::AdamOptions(c.lr));
  load_checkpoint(trained.checkpoint_path, *reference, adam, torch::kCPU);
  EXPECT_TRUE(all_parameters(loaded.model).equal(all_parameters(reference)));
  EXPECT_GT(loaded.model->named_parameters()["update.fc1.weight"].abs().max().item<double>(), 0.0);

  // The run's model.h5 (what a researcher shares) gives the same model, config and iteration.
  ModelSource shared;
  shared.checkpoint = dir.file("run/model.h5");
  const LoadedModel from_file = load_model(shared);
  EXPECT_EQ(from_file.iteration, 2);
  EXPECT_EQ(from_file.config->to_toml(), c.resolved().to_toml());
  EXPECT_TRUE(all_parameters(from_file.model).equal(all_parameters(loaded.model)));
  EXPECT_LT(std::filesystem::file_size(shared.checkpoint), 100000u);

  // The run's target on the run's grid; undefined once the PNG is gone.
  const torch::Tensor target = load_run_target(*loaded.config);
  ASSERT_TRUE(target.defined());
  EXPECT_EQ(target.size(-1), c.grid_size());
  EXPECT_EQ(target.size(-2), c.grid_size());
  std::filesystem::remove(dir.file("t.png"));
  EXPECT_FALSE(load_run_target(*loaded.config).defined());
}

TEST(ModelLoadingTest, CheckpointWrittenBeforeConfigsWereResolvedLoadsWithThatTimesDefaults) {
  // Before issue 10, a run's config kept "state-fields = 0" / "hidden-fields = 0" (the defaults
  // of the time: c4 3 regular state fields, hidden fields parameter-matched).
  testing::TempDir dir;
  TrainConfig c;
  c.model.name = "c4";
  c.lr = 2e-3;
  c.lr_final = 2e-4;
  ASSERT_NE(c.to_toml().find("state-fields = 0"), std::string::npos);
  torch::manual_seed(4);
  auto saved = models::make_model(models::resolved_with_first_defaults(c.model));
  torch::optim::Adam adam(saved->parameters(), torch::optim::AdamOptions(c.lr));
  TrainingState state;
  state.config_toml = c.to_toml();
  state.cpu_rng = capture_cpu_rng_state();
  save_checkpoint(dir.file("old.pt"), *saved, adam, state);

  ModelSource source;
  source.checkpoint = dir.file("old.pt");
  const LoadedModel loaded = load_model(source);
  EXPECT_EQ(loaded.model->parameter_count(), 8327);
  EXPECT_EQ(loaded.model->channels(), 16);
  EXPECT_TRUE(all_parameters(loaded.model).equal(all_parameters(saved)));
  EXPECT_EQ(loaded.config->model.state_fields, 3);
  // Read with today's defaults it would not fit: the shim is what makes it load.
  EXPECT_NE(models::make_model(models::resolved(c.model))->parameter_count(), 8327);
}

}  // namespace
}  // namespace eqnca::experiments
