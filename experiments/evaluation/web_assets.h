// The browser page's own files (web/index.html, web/nca.js, web/page.js), compiled into eqnca
// so that an installed executable exports a page without finding any data files. CMake reads
// web/ at configure time into web_assets.cpp (from web_assets.cpp.in); editing a file there
// re-runs the configure step.
#pragma once

#include <string_view>
#include <vector>

namespace eqnca::experiments {

struct WebAsset {
  std::string_view name;  // file name inside the exported folder
  std::string_view text;
};

const std::vector<WebAsset>& web_assets();

}  // namespace eqnca::experiments
