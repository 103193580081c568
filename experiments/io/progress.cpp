// Progress bar / log lines for training loops; formatting via fmt to keep it allocation-light.
#include "experiments/io/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace eqnca::experiments {

bool stderr_is_terminal() { return ::isatty(::fileno(stderr)) != 0; }

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long long s = std::llround(seconds);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

Progress::Progress(int total, std::ostream& out, bool interactive, ProgressOptions options)
    : total_(std::max(total, 1)), out_(out), interactive_(interactive), options_(options) {}

std::string Progress::line(int iteration, double loss, const std::string& extra, double elapsed) const {
  const int done = iteration - first_iteration_;
  const double rate = elapsed > 0 ? done / elapsed : 0.0;
  const std::string eta = rate > 0 ? format_duration((total_ - iteration) / rate) : "?";
  std::string text;
  if (interactive_) {
    const int filled =
        std::clamp(static_cast<int>(std::lround(options_.bar_width * static_cast<double>(iteration) / total_)), 0,
                   options_.bar_width);
    text = fmt::format("[{}{}] ", std::string(filled, '#'), std::string(options_.bar_width - filled, '.'));
  }
  // Three significant digits, without the exponent notation {:.3g} would give fast loops.
  const std::string speed = rate >= 100 ? fmt::format("{:.0f}", rate) : fmt::format("{:.3g}", rate);
  text += fmt::format("{}/{} loss {:.4g} {} it/s ETA {}", iteration, total_, loss, speed, eta);
  if (!extra.empty()) text += " " + extra;
  return text;
}

void Progress::update(int iteration, double loss, const std::string& extra) {
  if (first_iteration_ < 0) first_iteration_ = iteration - 1;
  last_iteration_ = iteration;
  last_loss_ = loss;
  last_extra_ = extra;
  const auto now = Clock::now();
  const double since_print = std::chrono::duration<double>(now - last_print_).count();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const bool last = iteration >= total_;
  if (interactive_) {
    if (!last && since_print < options_.redraw_interval_s) return;
    const std::string text = line(iteration, loss, extra, elapsed);
    out_ << '\r' << text << std::string(last_width_ > text.size() ? last_width_ - text.size() : 0, ' ') << std::flush;
    last_width_ = text.size();
  } else {
    const int every = std::max(1, static_cast<int>(std::lround(options_.fraction * total_)));
    const bool due = iteration % every == 0 || since_print >= options_.interval_s || last;
    if (!due || iteration == last_printed_iteration_) return;
    out_ << line(iteration, loss, extra, elapsed) << '\n' << std::flush;
  }
  last_print_ = now;
  last_printed_iteration_ = iteration;
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  if (interactive_) {
    // The throttle may have skipped the latest update; show it before leaving the line.
    if (last_iteration_ > 0 && last_printed_iteration_ != last_iteration_) {
      const std::string text = line(last_iteration_, last_loss_, last_extra_, elapsed);
      out_ << '\r' << text << std::string(last_width_ > text.size() ? last_width_ - text.size() : 0, ' ');
    }
    if (last_width_ > 0 || last_iteration_ > 0) out_ << '\n';
  }
  const int done = last_iteration_ > 0 ? last_iteration_ - first_iteration_ : 0;
  out_ << fmt::format("done: {} iterations in {}, final loss {:.4g}", done, format_duration(elapsed), last_loss_)
       << '\n'
       << std::flush;
}

}  // namespace eqnca::experiments
