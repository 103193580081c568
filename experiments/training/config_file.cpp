// Strict --config files; see config_file.h.
#include "experiments/training/config_file.h"

#include <filesystem>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <CLI/CLI.hpp>

namespace eqnca::experiments {
namespace {

std::string where(const std::string& path, const toml::source_region& at) {
  return fmt::format("{}:{}:{}", path, at.begin.line, at.begin.column);
}

const char* kind_of(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

// The value as the option's command-line text, if its TOML type fits the option's: flags take
// booleans, INT / UINT options integers, FLOAT options numbers, TEXT options strings.
std::string option_text(const toml::node& node, const CLI::Option& option, const std::string& key,
                        const std::string& at) {
  // CLI11 appends its checks' descriptions ("INT:INT in [1 - 4096]"): the type is the first word.
  const std::string name = option.get_type_name();
  const std::string type = name.substr(0, name.find_first_of(": "));
  auto wrong = [&](const char* expected) {
    return std::invalid_argument(
        fmt::format("{}: config key '{}' must be {}, got {}", at, key, expected, kind_of(node)));
  };
  if (option.get_expected_min() == 0) {
    if (const auto b = node.value_exact<bool>()) return *b ? "true" : "false";
    throw wrong("a boolean (true or false)");
  }
  if (type == "INT" || type == "UINT") {
    if (const auto i = node.value_exact<int64_t>()) return std::to_string(*i);
    throw wrong("an integer");
  }
  if (type == "FLOAT") {
    if (node.is_integer() || node.is_floating_point()) return fmt::format("{}", *node.value<double>());
    throw wrong("a number");
  }
  if (const auto text = node.value_exact<std::string>()) return *text;
  throw wrong("a string");
}

}  // namespace

void apply_config_file(CLI::App& app) {
  CLI::Option* config = app.get_option_no_throw("--config");
  if (config == nullptr || config->count() == 0) return;
  apply_config_file(app, config->as<std::string>());
}

void apply_config_file(CLI::App& app, const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw std::runtime_error(fmt::format("config file '{}' does not exist", path));
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", where(path, e.source()), e.description()));
  }
  for (const auto& [name, node] : table) {
    const std::string key(name.str());
    const std::string at = where(path, name.source());
    CLI::Option* option = app.get_option_no_throw("--" + key);
    // A misspelt key must not be silently ignored; nor may a [section] hide keys.
    if (option == nullptr || key == "config" || node.is_table())
      throw std::invalid_argument(fmt::format("{}: unknown config key '{}'", at, key));
    const std::string text = option_text(node, *option, key, at);
    if (option->count() > 0) continue;  // the command line wins
    option->add_result(text);
    try {
      option->run_callback();
    } catch (const CLI::Error& e) {
      throw std::invalid_argument(fmt::format("{}: config key '{}': {}", at, key, e.what()));
    }
  }
}

}  // namespace eqnca::experiments
