// eqnca's one error convention, at the root of the dependency graph so every layer shares it.
//  * A caller's mistake (an unknown name, an invalid value, a tensor of the wrong shape) throws
//    std::invalid_argument: `EQNCA_CHECK(condition, "fmt {} string", args...)`, or a plain throw
//    where the condition reads better as a branch.
//  * A failure of the world outside (a missing or corrupt file, a full disk, NaN in training)
//    throws std::runtime_error.
// Messages are one line, name the option or argument and the value that came, and say what was
// expected; the CLI prints them as "eqnca: error: <message>". LibTorch's own c10::Error can still
// escape from inside a torch op; the CLI keeps its first line only.
#pragma once

#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace eqnca {

template <typename... Args>
[[noreturn]] void throw_invalid_argument(fmt::format_string<Args...> format, Args&&... args) {
  throw std::invalid_argument(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace eqnca

#define EQNCA_CHECK(condition, ...)                                 \
  do {                                                              \
    if (!(condition)) ::eqnca::throw_invalid_argument(__VA_ARGS__); \
  } while (false)
