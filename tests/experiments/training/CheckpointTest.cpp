// Checkpoints: model, Adam state, pool (stored as its live cells; version-1 dense pools still
// load), curriculum and CPU generator survive a round trip (a
// loaded optimiser takes the same next step); missing, corrupt and foreign files give one-line
// errors; saving leaves no temporary files behind.
#include <filesystem>
#include <fstream>

#include <iterator>

#include <gtest/gtest.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include "experiments/training/checkpoint.h"
#include "models/model_factory.h"
#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

using testing::TempDir;

models::NcaModel small_model(uint64_t seed) {
  torch::manual_seed(seed);
  models::ModelConfig c;
  c.channels = 8;
  c.hidden = 16;
  return models::make_model(c);
}

// One Adam step on a loss that reaches every parameter.
void adam_step(models::NcaModel& model, torch::optim::Adam& adam) {
  adam.zero_grad();
  torch::Tensor loss = torch::zeros({});
  for (auto& p : model->parameters()) loss = loss + (p * p).sum() + p.sum();
  loss.backward();
  adam.step();
}

std::string load_error(const std::string& path) {
  auto model = small_model(0);
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  try {
    load_checkpoint(path, *model, adam, torch::kCPU);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(CheckpointTest, RoundTripRestoresEverything) {
  TempDir dir;
  const std::string path = dir.file("checkpoint.pt");
  auto model = small_model(1);
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-2));
  adam_step(model, adam);
  adam_step(model, adam);
  TrainingState state;
  state.iteration = 42;
  state.wall_time = 1.5;
  state.pool = torch::rand({4, 8, 6, 6});
  state.curriculum = torch::tensor({0.1, 2.0, 3.0, 4.0, 5.0}, torch::kFloat64);
  state.cpu_rng = capture_cpu_rng_state();
  state.config_toml = "batch = 4\n";
  save_checkpoint(path, *model, adam, state);
  const auto expected_draw = torch::rand({5});

  auto other = small_model(2);  // different initialisation
  torch::optim::Adam other_adam(other->parameters(), torch::optim::AdamOptions(1e-2));
  torch::rand({3});  // move the generator on
  TrainingState loaded = load_checkpoint(path, *other, other_adam, torch::kCPU);
  EXPECT_EQ(loaded.iteration, 42);
  EXPECT_DOUBLE_EQ(loaded.wall_time, 1.5);
  EXPECT_EQ(loaded.config_toml, "batch = 4\n");
  EXPECT_TRUE(loaded.pool.equal(state.pool));
  EXPECT_TRUE(loaded.curriculum.equal(state.curriculum));
  restore_cpu_rng_state(loaded.cpu_rng);
  EXPECT_TRUE(torch::rand({5}).equal(expected_draw));

  auto a = model->parameters(), b = other->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i].equal(b[i])) << i;
  // Adam's moments and step count came along: the next steps agree exactly.
  adam_step(model, adam);
  adam_step(other, other_adam);
  a = model->parameters(), b = other->parameters();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i].equal(b[i])) << i;

  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename(), "checkpoint.pt") << "left behind: " << entry.path();
}

// The pool is stored as its live cells: a pool that is mostly dead grid (as one grown from seeds
// is) round-trips exactly, zeros and negative zeros of live cells included, in a file a fraction
// of the dense pool's size; an all-dead pool and a pool with no dead cell round-trip too.
TEST(CheckpointTest, PoolIsStoredAsItsLiveCellsExactly) {
  TempDir dir;
  auto model = small_model(1);
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-2));
  torch::Tensor sparse = torch::zeros({16, 8, 32, 32});
  sparse.slice(2, 12, 20).slice(3, 10, 22).normal_();
  sparse[0][5][14][14] = 0.0f;  // a zero channel in a live cell stays a zero
  sparse[0][6][14][14] = -0.0f;
  for (const torch::Tensor& pool : {sparse, torch::zeros({2, 8, 4, 4}), torch::rand({2, 8, 4, 4}) + 1.0}) {
    const std::string path = dir.file("pool.pt");
    TrainingState state;
    state.pool = pool;
    save_checkpoint(path, *model, adam, state);
    auto other = small_model(2);
    torch::optim::Adam other_adam(other->parameters(), torch::optim::AdamOptions(1e-2));
    const TrainingState loaded = load_checkpoint(path, *other, other_adam, torch::kCPU);
    ASSERT_TRUE(loaded.pool.defined());
    EXPECT_TRUE(loaded.pool.equal(pool));
    EXPECT_EQ(loaded.pool.sizes(), pool.sizes());
    if (pool.size(2) == 32) {
      // 96 of 1,024 cells live: the file is far below the dense pool's 512 KiB.
      EXPECT_LT(std::filesystem::file_size(path), 100u * 1024u);
    }
  }
}

// A version-1 checkpoint (the dense pool, no checksum) written by the first releases still loads.
TEST(CheckpointTest, VersionOneFilesWithADensePoolStillLoad) {
  TempDir dir;
  const std::string path = dir.file("v1.pt");
  auto model = small_model(1);
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-2));
  const torch::Tensor pool = torch::rand({3, 8, 5, 5});
  torch::serialize::OutputArchive archive, model_archive, optimizer_archive;
  archive.write("magic", c10::IValue(std::string(kCheckpointMagic)));
  archive.write("version", c10::IValue(int64_t(1)));
  archive.write("iteration", c10::IValue(int64_t(7)));
  archive.write("wall_time", c10::IValue(2.0));
  archive.write("config", c10::IValue(std::string("")));
  model->save(model_archive);
  adam.save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("pool", pool);
  archive.save_to(path);
  auto other = small_model(2);
  torch::optim::Adam other_adam(other->parameters(), torch::optim::AdamOptions(1e-2));
  const TrainingState loaded = load_checkpoint(path, *other, other_adam, torch::kCPU);
  EXPECT_EQ(loaded.iteration, 7);
  EXPECT_TRUE(loaded.pool.equal(pool));
}

TEST(CheckpointTest, MissingCorruptAndForeignFilesGiveOneLineErrors) {
  TempDir dir;
  std::string message = load_error(dir.file("none.pt"));
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;

  std::ofstream(dir.file("garbage.pt")) << "this is not a zip archive at all";
  message = load_error(dir.file("garbage.pt"));
  EXPECT_NE(message.find("corrupt"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;

  // A valid torch archive written by something else.
  torch::serialize::OutputArchive foreign;
  foreign.write("weights", torch::ones({2}));
  foreign.save_to(dir.file("foreign.pt"));
  message = load_error(dir.file("foreign.pt"));
  EXPECT_NE(message.find("not an eqnca training checkpoint"), std::string::npos) << message;

  // A real checkpoint cut short.
  auto model = small_model(3);
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  save_checkpoint(dir.file("good.pt"), *model, adam, {});
  const auto size = std::filesystem::file_size(dir.file("good.pt"));
  std::filesystem::copy_file(dir.file("good.pt"), dir.file("cut.pt"));
  std::filesystem::resize_file(dir.file("cut.pt"), size / 2);
  message = load_error(dir.file("cut.pt"));
  EXPECT_NE(message.find("corrupt"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(load_error(dir.file("good.pt")), "");
}

TEST(CheckpointTest, AFlippedBitAnywhereIsCaughtByTheChecksum) {
  TempDir dir;
  auto model = small_model(3);
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  save_checkpoint(dir.file("good.pt"), *model, adam, {});
  std::ifstream in(dir.file("good.pt"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_NE(bytes.find("eqnca-crc32:"), std::string::npos);
  // One bit in the middle (tensor data: the zip reader alone does not notice), one in the first
  // header, and one each in the zip end record's signature and its comment length: a damaged
  // checksum record must not let the file through unchecked.
  const size_t end_record = bytes.size() - 20 - 22;
  for (const size_t at : {bytes.size() / 2, size_t(10), end_record + 1, end_record + 20}) {
    std::string flipped = bytes;
    flipped[at] = char(flipped[at] ^ 0x10);
    std::ofstream(dir.file("flipped.pt"), std::ios::binary) << flipped;
    const std::string message = load_error(dir.file("flipped.pt"));
    EXPECT_NE(message.find("corrupt"), std::string::npos) << at << ": " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_THROW(checkpoint_checksum_verified(dir.file("flipped.pt")), std::runtime_error) << at;
  }
  EXPECT_TRUE(checkpoint_checksum_verified(dir.file("good.pt")));
  // Without its checksum comment (a checkpoint from before it had one) it still loads.
  std::string plain = bytes.substr(0, bytes.find("eqnca-crc32:"));
  plain[plain.size() - 2] = plain[plain.size() - 1] = 0;
  std::ofstream(dir.file("plain.pt"), std::ios::binary) << plain;
  EXPECT_EQ(load_error(dir.file("plain.pt")), "");
  EXPECT_FALSE(checkpoint_checksum_verified(dir.file("plain.pt")));
}

}  // namespace
}  // namespace eqnca::experiments
