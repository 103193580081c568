// Gram and sliced-Wasserstein texture losses over a fixed random network (see texture_losses.h).
#include "experiments/training/texture_losses.h"

#include <cmath>
#include <random>

#include <fmt/format.h>

#include "groups/check.h"

namespace eqnca::experiments {
namespace {

torch::Tensor normal_tensor(std::mt19937_64& rng, std::vector<int64_t> shape, double stddev) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  std::vector<float> values(static_cast<size_t>(n));
  std::normal_distribution<double> normal(0.0, stddev);
  for (auto& v : values) v = static_cast<float>(normal(rng));
  return torch::from_blob(values.data(), shape, torch::kFloat32).clone();
}

torch::Tensor circular_conv3x3(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  // Circular padding keeps the statistics of a periodic texture free of border effects.
  const auto padded = torch::cat({x.narrow(3, x.size(3) - 1, 1), x, x.narrow(3, 0, 1)}, 3);
  const auto padded2 = torch::cat({padded.narrow(2, padded.size(2) - 1, 1), padded, padded.narrow(2, 0, 1)}, 2);
  return torch::conv2d(padded2, w.to(x.options()), b.to(x.options()));
}

}  // namespace

RandomTextureFeatures::RandomTextureFeatures(std::uint64_t seed, std::vector<int64_t> widths) {
  EQNCA_CHECK(widths.size() >= 2 && widths[0] == 3, "texture features: widths must start with 3 and have a layer");
  std::mt19937_64 rng(seed);
  for (size_t l = 1; l < widths.size(); ++l) {
    EQNCA_CHECK(widths[l] > 0, "texture features: widths must be positive, got {}", widths[l]);
    weights_.push_back(normal_tensor(rng, {widths[l], widths[l - 1], 3, 3}, std::sqrt(2.0 / (9.0 * widths[l - 1]))));
    biases_.push_back(torch::zeros({widths[l]}));
  }
}

std::vector<torch::Tensor> RandomTextureFeatures::operator()(const torch::Tensor& images) const {
  EQNCA_CHECK(images.dim() == 4 && images.size(1) == 3, "texture features: images must be (B, 3, H, W), got {}",
              fmt::format("{}", fmt::join(images.sizes().vec(), "x")));
  std::vector<torch::Tensor> out{images - 0.5};
  torch::Tensor x = out[0];
  for (size_t l = 0; l < weights_.size(); ++l) {
    if (l > 0) x = torch::avg_pool2d(x, {2, 2});
    x = torch::relu(circular_conv3x3(x, weights_[l], biases_[l]));
    out.push_back(x);
  }
  return out;
}

torch::Tensor gram_matrix(const torch::Tensor& f) {
  const auto flat = f.flatten(2);  // (B, C, HW)
  return torch::bmm(flat, flat.transpose(1, 2)) / static_cast<double>(flat.size(2));
}

torch::Tensor gram_loss(const std::vector<torch::Tensor>& features, const std::vector<torch::Tensor>& target) {
  EQNCA_CHECK(features.size() == target.size(), "gram loss: {} feature layers but {} target layers", features.size(),
              target.size());
  torch::Tensor loss;
  for (size_t l = 0; l < features.size(); ++l) {
    const auto d = (gram_matrix(features[l]) - gram_matrix(target[l])).pow(2).mean({1, 2});
    loss = loss.defined() ? loss + d : d;
  }
  return loss;
}

torch::Tensor sorted_projections(const torch::Tensor& f, const torch::Tensor& directions) {
  const auto flat = f.flatten(2);                                              // (B, C, N)
  const auto projected = torch::matmul(directions.t().to(f.options()), flat);  // (B, P, N)
  return std::get<0>(projected.sort(2));
}

torch::Tensor sliced_wasserstein_loss(const std::vector<torch::Tensor>& features,
                                      const std::vector<torch::Tensor>& sorted_target,
                                      const std::vector<torch::Tensor>& directions) {
  EQNCA_CHECK(features.size() == sorted_target.size() && features.size() == directions.size(),
              "sliced-Wasserstein loss: layer counts differ");
  torch::Tensor loss;
  for (size_t l = 0; l < features.size(); ++l) {
    const auto mine = sorted_projections(features[l], directions[l]);
    auto theirs = sorted_target[l].to(mine.options());
    const int64_t n = mine.size(2), m = theirs.size(2);
    if (m != n) {
      // Nearest quantile: sample i of n stands for quantile (i + 0.5) / n.
      const auto idx = ((torch::arange(n, torch::kFloat64) + 0.5) * (double(m) / double(n))).floor().clamp_max(m - 1);
      theirs = theirs.index_select(2, idx.to(torch::kLong).to(mine.device()));
    }
    const auto d = (mine - theirs).pow(2).mean({1, 2});
    loss = loss.defined() ? loss + d : d;
  }
  return loss;
}

TextureLoss make_texture_loss(const std::string& name, const torch::Tensor& target, TextureFeatures features,
                              std::uint64_t seed) {
  EQNCA_CHECK(target.dim() == 4 && target.size(0) == 1 && target.size(1) == 3,
              "texture target must be (1, 3, H, W), got {}", fmt::format("{}", fmt::join(target.sizes().vec(), "x")));
  std::vector<torch::Tensor> target_features;
  {
    torch::NoGradGuard no_grad;
    target_features = features(target);
  }
  if (name == "gram")
    return [features, target_features](const torch::Tensor& images) {
      return gram_loss(features(images), target_features);
    };
  if (name == "sliced_wasserstein") {
    constexpr int64_t kDirections = 32;
    std::mt19937_64 rng(seed ^ 0x5157u);
    std::vector<torch::Tensor> directions, sorted;
    torch::NoGradGuard no_grad;
    for (const auto& f : target_features) {
      auto d = normal_tensor(rng, {f.size(1), kDirections}, 1.0);
      d = d / d.norm(2, 0, true);
      directions.push_back(d.to(f.device()));
      sorted.push_back(sorted_projections(f, directions.back()));
    }
    return [features, sorted, directions](const torch::Tensor& images) {
      return sliced_wasserstein_loss(features(images), sorted, directions);
    };
  }
  throw std::invalid_argument(fmt::format("--texture-loss must be gram or sliced_wasserstein, got '{}'", name));
}

}  // namespace eqnca::experiments
