// The page export's files (experiments/evaluation/web_export.h), without a browser: what
// weights.js holds for each model, the turned seeds, and the refusal of models with no dense form.
#include "experiments/evaluation/web_export.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "experiments/evaluation/model_loading.h"

namespace eqnca::experiments {
namespace {

namespace fs = std::filesystem;

models::NcaModel random_model(const std::string& name) {
  ModelSource source;
  source.model = name;
  source.seed = 3;
  return load_model(source).model;
}

TEST(WebExport, WritesThePageAndEveryModelsWeights) {
  const fs::path dir = fs::temp_directory_path() / "eqnca_web_export_test";
  fs::remove_all(dir);
  models::NcaModel c4 = random_model("c4"), growing = random_model("growing");
  const std::string index = export_web_page(dir.string(), {web_model(*c4, "c4"), web_model(*growing, "growing")});
  EXPECT_EQ(index, (dir / "index.html").string());
  for (const char* name : {"index.html", "nca.js", "page.js", "weights.js"})
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  std::stringstream weights;
  weights << std::ifstream(dir / "weights.js").rdbuf();
  EXPECT_NE(weights.str().find("window.EQNCA_MODELS"), std::string::npos);
  EXPECT_NE(weights.str().find("\"name\": \"growing\""), std::string::npos);
  fs::remove_all(dir);
}

// C4's four seeds are rho(r^k) of the seed cell (its regular fields' one-hot vectors shifted);
// the baseline, equivariant to nothing, has one.
TEST(WebExport, TurnsTheSeedByEveryRotationOfTheGroup) {
  models::NcaModel c4 = random_model("c4"), c8 = random_model("c8"), growing = random_model("growing");
  const WebModel a = web_model(*c4, "c4");
  ASSERT_EQ(a.seeds.size(), 4u);
  EXPECT_EQ(web_model(*c8, "c8").seeds.size(), 8u);
  EXPECT_EQ(web_model(*growing, "growing").seeds.size(), 1u);
  for (int k = 0; k < 4; ++k) {
    const torch::Tensor seed = c4->seed(1, 5, 5, web_seed_rotation(*c4, k)).index({0, torch::indexing::Slice(), 2, 2});
    EXPECT_TRUE(torch::equal(a.seeds[k], seed)) << k;
  }
  EXPECT_FALSE(torch::equal(a.seeds[0], a.seeds[1]));
}

TEST(WebExport, RefusesModelsWithoutADenseStep) {
  for (const std::string name : {"steerable", "so2", "o2"}) {
    models::NcaModel m = random_model(name);
    EXPECT_THROW(web_model(*m, name), std::invalid_argument) << name;
  }
}

}  // namespace
}  // namespace eqnca::experiments
