// --config files: TOML whose keys are a command's long option names (e.g. steps-min = 64), read
// strictly by a real TOML parser (toml++): a syntax error is reported as file:line:column, every
// value must have its option's type (integer, number, string or boolean), and unknown keys or
// tables are refused, so a typo never trains with a default silently.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace eqnca::experiments {

// Applies the file named by --config (if given) to the options of `app` that were not given on
// the command line; call it after app.parse(), in the subcommand's callback. Throws
// std::runtime_error for a missing, unreadable or malformed file ("path:line:column: ...") and
// std::invalid_argument for an unknown key or a value of the wrong type or range (one line each,
// naming the key and where it is).
void apply_config_file(CLI::App& app);

// The same for the file at `path`, whatever --config says: `eqnca train --resume` applies the
// run's own config.toml after --config, so a resumed run needs no options repeated.
void apply_config_file(CLI::App& app, const std::string& path);

}  // namespace eqnca::experiments
