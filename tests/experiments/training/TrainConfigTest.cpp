// TrainConfig: range checks with one-line messages, TOML round trip through CLI11's config
// reader, unknown keys rejected, command line overriding the file.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include "experiments/training/train_config.h"
#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

using testing::TempDir;

std::string validation_error(const TrainConfig& c) {
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

void parse(CLI::App& app, std::vector<std::string> args) {
  std::vector<const char*> argv{"train"};
  for (auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  apply_config_file(app);
}

TEST(TrainConfigTest, DefaultsAreTheDistillRecipe) {
  TrainConfig c;
  EXPECT_NO_THROW(c.validate());
  EXPECT_EQ(c.grid_size(), 72);
  EXPECT_EQ(c.pool_size, 1024);
  EXPECT_EQ(c.batch, 8);
  EXPECT_DOUBLE_EQ(c.lr, 0.0);  // the model's default
  EXPECT_DOUBLE_EQ(c.resolved().lr, 2e-3);
  EXPECT_DOUBLE_EQ(c.resolved().lr_final, 2e-4);
}

TEST(TrainConfigTest, ResolvedNamesTheModelsDefaultsAndKeepsWhatWasGiven) {
  TrainConfig c;
  c.model.name = "c4";
  TrainConfig r = c.resolved();
  EXPECT_DOUBLE_EQ(r.lr, 4e-3);  // 2e-3 x sqrt|C4|
  EXPECT_DOUBLE_EQ(r.lr_final, 4e-4);
  EXPECT_EQ(r.model.state_fields, 6);
  EXPECT_EQ(r.model.hidden_fields, 64);
  EXPECT_NE(r.to_toml().find("hidden-fields = 64"), std::string::npos);
  c.model.name = "d4";
  EXPECT_NEAR(c.resolved().lr, 2e-3 * std::sqrt(8.0), 1e-15);
  c.lr = 1e-3;
  c.model.hidden_fields = 5;
  r = c.resolved();
  EXPECT_DOUBLE_EQ(r.lr, 1e-3);
  EXPECT_DOUBLE_EQ(r.lr_final, 1e-4);
  EXPECT_EQ(r.model.hidden_fields, 5);
  EXPECT_EQ(r.model.state_fields, 4);              // d4's default
  EXPECT_EQ(r.resolved().to_toml(), r.to_toml());  // resolving twice changes nothing
}

TEST(TrainConfigTest, SeedTurnsDefaultToTheModelsChoice) {
  TrainConfig c;
  EXPECT_EQ(c.seed_turns, "default");
  const std::map<std::string, std::string> expected{{"growing", "none"}, {"c4", "none"},  {"d4", "none"},
                                                    {"c8", "none"},      {"c16", "none"}, {"so2", "group"},
                                                    {"o2", "none"}};
  for (const auto& [name, turns] : expected) {
    c.model.name = name;
    EXPECT_EQ(c.resolved().seed_turns, turns) << name;
  }
  c.model.name = "so2";
  c.loss = "polar";  // already rotation-invariant: the default plants upright seeds
  EXPECT_NO_THROW(c.validate());
  EXPECT_EQ(c.resolved().seed_turns, "none");
  c.loss = "mse";
  c.seed_turns = "none";  // what is given is kept
  EXPECT_EQ(c.resolved().seed_turns, "none");
  c.model.name = "c8";
  c.seed_turns = "group";
  EXPECT_EQ(c.resolved().seed_turns, "group");
  EXPECT_NE(c.resolved().to_toml().find("seed-turns = \"group\""), std::string::npos);
}

TEST(TrainConfigTest, Vgg16TextureFeaturesNeedAWeightsFileAndA16PixelGrid) {
  TrainConfig c;
  c.task = "texture";
  c.grid = 16;
  EXPECT_EQ(c.texture_features, "random");  // the default, and what older runs used
  c.texture_features = "vgg19";
  EXPECT_NE(validation_error(c).find("--texture-features must be one of random|vgg16, got 'vgg19'"), std::string::npos);
  c.texture_features = "vgg16";
  EXPECT_NE(validation_error(c).find("needs --vgg16-weights"), std::string::npos);
  c.vgg16_weights = "vgg16.h5";
  EXPECT_EQ(validation_error(c), "");
  c.grid = 12;
  EXPECT_NE(validation_error(c).find("needs a grid of at least 16 (relu5_1 is four 2x2 poolings deep), got 12"),
            std::string::npos);
  // The resolved config stores the file's absolute path, so a resumed run finds it from anywhere.
  c.grid = 16;
  const std::string toml = c.resolved().to_toml();
  EXPECT_NE(toml.find("texture-features = \"vgg16\""), std::string::npos) << toml;
  const std::string absolute = std::filesystem::absolute("vgg16.h5").string();
  EXPECT_NE(toml.find("vgg16-weights = \"" + absolute + "\""), std::string::npos) << toml;
}

TEST(TrainConfigTest, ResolvedFindsTheDefaultTargetFromAnyFolder) {
  // From an empty folder, where data/lizard.png is not.
  testing::TempDir dir;
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(dir.file(""));
  TrainConfig c;
  const bool here = std::filesystem::exists(c.target);
  const std::string found = c.resolved().target;
  c.target = "no/such.png";  // left as given: loading it fails with its own message
  const std::string missing = c.resolved().target;
  std::filesystem::current_path(before);
  EXPECT_FALSE(here);
  EXPECT_TRUE(std::filesystem::exists(found)) << found;
  EXPECT_EQ(missing, "no/such.png");
}

TEST(TrainConfigTest, OutOfRangeValuesGiveOneLineErrorsNamingTheOption) {
  struct Case {
    void (*mutate)(TrainConfig&);
    std::string option;
  };
  const std::vector<Case> cases = {
      {[](TrainConfig& c) { c.batch = 0; }, "--batch"},
      {[](TrainConfig& c) { c.model.fire_rate = 2.0; }, "--fire-rate"},
      {[](TrainConfig& c) { c.min_steps = 50, c.max_steps = 40; }, "--steps-max"},
      {[](TrainConfig& c) { c.mode = "shrinking"; }, "--mode"},
      {[](TrainConfig& c) { c.loss = "l1"; }, "--loss"},
      {[](TrainConfig& c) { c.model.name = "c5x"; }, "--model"},
      {[](TrainConfig& c) { c.device = "tpu"; }, "--device"},
      {[](TrainConfig& c) { c.lr = -1.0; }, "--lr"},
      {[](TrainConfig& c) { c.pool_size = 4, c.batch = 8; }, "--batch"},
      {[](TrainConfig& c) { c.seed_turns = "all"; }, "--seed-turns"},
      {[](TrainConfig& c) { c.seed_turns = "group", c.loss = "polar"; }, "--seed-turns"},
      {[](TrainConfig& c) { c.seed_turns = "group", c.task = "texture"; }, "--seed-turns"},
  };
  for (const auto& k : cases) {
    TrainConfig c;
    k.mutate(c);
    const std::string message = validation_error(c);
    EXPECT_NE(message.find(k.option), std::string::npos) << "expected '" << k.option << "' in: " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(TrainConfigTest, ResolvedTomlReadsBackThroughTheCli) {
  TempDir dir;
  TrainConfig written;
  written.model.name = "growing";
  written.model.hidden = 64;
  written.model.fire_rate = 0.25;
  written.lr = 1.5e-3;
  written.mode = "persistent";
  written.curriculum = true;
  written.seed_turns = "group";
  written.model.padding = "circular";
  written.seed = 12345678901234ULL;
  written.out_dir = "runs/x \"quoted\"";
  std::ofstream(dir.file("c.toml")) << written.to_toml();

  TrainConfig read;
  CLI::App app("train");
  add_train_options(app, read);
  parse(app, {"--config", dir.file("c.toml")});
  EXPECT_EQ(read.to_toml(), written.to_toml());
}

TEST(TrainConfigTest, CommandLineOverridesTheFile) {
  TempDir dir;
  std::ofstream(dir.file("c.toml")) << "batch = 4\nlr = 0.01\n";
  TrainConfig c;
  CLI::App app("train");
  add_train_options(app, c);
  parse(app, {"--config", dir.file("c.toml"), "--batch", "2"});
  EXPECT_EQ(c.batch, 2);
  EXPECT_DOUBLE_EQ(c.lr, 0.01);
}

TEST(TrainConfigTest, UnknownConfigKeyIsAnError) {
  TempDir dir;
  std::ofstream(dir.file("c.toml")) << "batch = 4\nbatch_size = 8\n";
  TrainConfig c;
  CLI::App app("train");
  add_train_options(app, c);
  try {
    parse(app, {"--config", dir.file("c.toml")});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown config key 'batch_size'"), std::string::npos) << e.what();
  }
  // Keys in a TOML section are not options either.
  std::ofstream(dir.file("s.toml")) << "[model]\nname = \"c4\"\n";
  CLI::App app2("train");
  add_train_options(app2, c);
  EXPECT_THROW(parse(app2, {"--config", dir.file("s.toml")}), std::invalid_argument);
}

TEST(TrainConfigTest, RepeatedOptionsTakeTheLastValue) {
  TrainConfig c;
  CLI::App app("train");
  add_train_options(app, c);
  parse(app, {"--batch", "2", "--batch", "3"});
  EXPECT_EQ(c.batch, 3);
}

}  // namespace
}  // namespace eqnca::experiments
