// The browser page export; see web_export.h.
#include "experiments/evaluation/web_export.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "experiments/evaluation/web_assets.h"
#include "experiments/io/atomic_file.h"
#include "groups/check.h"

namespace eqnca::experiments {
namespace {

// Little-endian float32 (every platform WebGL runs on) as base64: a quarter the size of JSON
// numbers, and exact.
std::string base64_floats(const torch::Tensor& t) {
  const torch::Tensor f = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  const auto* bytes = reinterpret_cast<const unsigned char*>(f.data_ptr<float>());
  const size_t n = size_t(f.numel()) * sizeof(float);
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(4 * ((n + 2) / 3));
  for (size_t i = 0; i < n; i += 3) {
    const uint32_t a = bytes[i], b = i + 1 < n ? bytes[i + 1] : 0, c = i + 2 < n ? bytes[i + 2] : 0;
    const uint32_t v = (a << 16) | (b << 8) | c;
    out += digits[(v >> 18) & 63];
    out += digits[(v >> 12) & 63];
    out += i + 1 < n ? digits[(v >> 6) & 63] : '=';
    out += i + 2 < n ? digits[v & 63] : '=';
  }
  return out;
}

nlohmann::ordered_json model_json(const WebModel& m) {
  nlohmann::ordered_json j;
  j["label"] = m.label;
  j["name"] = m.name;
  j["group"] = m.group;
  j["channels"] = m.net.conv.size(1);
  j["hidden"] = m.net.conv.size(0);
  j["padding"] = layers::padding_name(m.net.padding);
  j["fire_rate"] = m.net.fire_rate;
  j["conv"] = base64_floats(m.net.conv);
  j["b1"] = base64_floats(m.net.b1);
  j["w2"] = base64_floats(m.net.w2);
  j["b2"] = base64_floats(m.net.b2);
  j["seeds"] = nlohmann::ordered_json::array();
  for (const torch::Tensor& s : m.seeds) j["seeds"].push_back(base64_floats(s));
  return j;
}

void write_text(const std::string& path, std::string_view text) {
  write_file_atomically(path, [&](const std::string& tmp) {
    std::ofstream file(tmp, std::ios::binary);
    file.write(text.data(), std::streamsize(text.size()));
    if (!file.flush()) throw std::runtime_error("cannot write '" + tmp + "'");
  });
}

}  // namespace

groups::GroupElement web_seed_rotation(const models::NcaModelImpl& model, int k) {
  const groups::Group group = model.group();
  const int n = group.rotation_order();
  return group.element_at(2.0 * M_PI * k / n);
}

WebModel web_model(models::NcaModelImpl& model, const std::string& label) {
  WebModel out;
  out.net = dense_nca_step(model);  // refuses steerable, so2, o2
  out.label = label;
  out.name = model.name();
  const groups::Group group = model.group();
  out.group = group.name();
  torch::NoGradGuard no_grad;
  // A one-cell grid: the seed is its fiber alone, oriented by rho(g) (NcaModelImpl::seed).
  const torch::Tensor fiber = model.seed(1, 1, 1);
  for (int k = 0; k < group.rotation_order(); ++k) {
    const torch::Tensor turned = model.transform_fiber(fiber, web_seed_rotation(model, k));
    out.seeds.push_back(turned.reshape({-1}).to(torch::kCPU, torch::kFloat).contiguous());
  }
  return out;
}

std::string export_web_page(const std::string& dir, const std::vector<WebModel>& models,
                            const WebExportOptions& options) {
  EQNCA_CHECK(!models.empty(), "export --web: no models to export");
  EQNCA_CHECK(options.grid >= 3 && options.grid <= 1024, "export --web: grid must be in [3, 1024], got {}",
              options.grid);
  ensure_writable_directory(dir);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const WebModel& m : models) list.push_back(model_json(m));
  nlohmann::ordered_json page;
  page["grid"] = options.grid;
  const std::string weights =
      "// Written by eqnca export --web: the models this page runs (see index.html).\n"
      "window.EQNCA_PAGE = " +
      page.dump() + ";\nwindow.EQNCA_MODELS = " + list.dump(1) + ";\n";
  const std::filesystem::path root(dir);
  write_text((root / "weights.js").string(), weights);
  for (const WebAsset& asset : web_assets()) write_text((root / std::string(asset.name)).string(), asset.text);
  return (root / "index.html").string();
}

}  // namespace eqnca::experiments
