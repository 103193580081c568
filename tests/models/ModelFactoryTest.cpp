// Models by name: the baseline's parameter count is Distill's 8,336; group models are
// parameter-matched to within 3%; unknown names and bad options fail with a message; a saved
// model loads back with identical outputs and the same keys in train and eval mode.
#include <gtest/gtest.h>

#include <sstream>

#include <torch/serialize.h>

#include "tests/models/ModelTestUtil.h"

using namespace eqnca;

TEST(ModelFactory, ParameterCounts) {
  for (const auto& name : models::model_names()) {
    models::ModelConfig c;
    c.name = name;
    const auto m = models::make_model(c);
    std::cout << name << ": " << m->parameter_count() << " parameters, " << m->channels() << " channels\n";
    if (name == "growing") EXPECT_EQ(m->parameter_count(), 8336);
    if (name != "growing" && name != "isotropic" && name != "steerable")
      EXPECT_NEAR(double(m->parameter_count()), 8336.0, 0.03 * 8336.0) << name;
  }
}

TEST(ModelFactory, BadRequestsFailClearly) {
  models::ModelConfig c;
  c.name = "c5";
  try {
    models::make_model(c);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("c5"), std::string::npos);
  }
  c.name = "growing";
  c.fire_rate = 0.0;
  EXPECT_THROW(models::make_model(c), std::invalid_argument);
  c.fire_rate = 0.5;
  c.padding = "mirror";
  EXPECT_THROW(models::make_model(c), std::invalid_argument);
}

TEST(ModelFactory, SaveLoadRoundTripAndStableKeys) {
  for (const std::string name : {"growing", "c4", "so2"}) {
    models::ModelConfig c;
    c.name = name;
    auto a = models::make_model(c), b = models::make_model(c);
    model_testing::randomise(a, 0.1, 1);
    std::vector<std::string> train_keys;
    for (const auto& p : a->named_parameters()) train_keys.push_back(p.key());
    a->eval();
    std::vector<std::string> eval_keys;
    for (const auto& p : a->named_parameters()) eval_keys.push_back(p.key());
    EXPECT_EQ(train_keys, eval_keys);
    std::stringstream buffer;
    {
      torch::serialize::OutputArchive out;
      a->save(out);
      out.save_to(buffer);
    }
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    b->load(in);
    b->eval();
    const torch::Tensor s = a->seed(1, 15, 15);
    const torch::Tensor mask = torch::ones({1, 1, 15, 15});
    torch::NoGradGuard ng;
    EXPECT_EQ((a->step(s, mask) - b->step(s, mask)).abs().max().item<double>(), 0.0) << name;
  }
}

TEST(ModelFactory, RotatedSeedIsTheRotatedFiber) {
  models::ModelConfig c;
  c.name = "c4";
  const auto m = models::make_model(c);
  const auto g = m->group().element(1);
  const torch::Tensor rotated = m->seed(1, 9, 9, g), moved = m->transform_state(m->seed(1, 9, 9), g);
  EXPECT_EQ((rotated - moved).abs().max().item<float>(), 0.0f);
  EXPECT_GT((rotated - m->seed(1, 9, 9)).abs().max().item<float>(), 0.5f);  // orientation is visible
}
