// Training progress on stderr. Interactive: a single bar redrawn in place with '\r',
//   [#####.....] 120/800 loss 0.0123 3.4 it/s ETA 3m20s
// Non-interactive (logs, CI): a plain line every `fraction` of the run or every `interval_s`
// seconds, whichever comes first, so log files stay short. Iterations are 1-based.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

namespace eqnca::experiments {

// True when stderr is a terminal, i.e. when a '\r'-redrawn bar will display correctly.
bool stderr_is_terminal();

// "45s", "3m20s", "1h02m": compact durations for ETA and elapsed time.
std::string format_duration(double seconds);

struct ProgressOptions {
  int bar_width = 20;
  double fraction = 0.05;          // non-interactive: print every 5% of the run ...
  double interval_s = 30.0;        // ... or after this many seconds without a line
  double redraw_interval_s = 0.1;  // interactive: redraw at most 10 times a second
};

class Progress {
 public:
  Progress(int total, std::ostream& out, bool interactive, ProgressOptions options = {});

  // Reports that `iteration` (1..total) finished with this loss; `extra` (e.g. "lr 1e-3") is
  // appended to the line. The rate counts only iterations seen by this object, so a resumed run
  // starting at iteration 501 reports its own speed.
  void update(int iteration, double loss, const std::string& extra = {});
  // Ends the bar's line (interactive) and prints a summary line.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  std::string line(int iteration, double loss, const std::string& extra, double elapsed) const;

  int total_;
  std::ostream& out_;
  bool interactive_;
  ProgressOptions options_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_print_ = start_;
  int first_iteration_ = -1;  // iteration before the first update, set lazily
  int last_iteration_ = 0;
  int last_printed_iteration_ = 0;
  double last_loss_ = 0.0;
  std::string last_extra_;
  size_t last_width_ = 0;  // to blank out leftovers of a longer previous line
  bool finished_ = false;
};

}  // namespace eqnca::experiments
