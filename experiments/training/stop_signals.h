// Graceful stops for long runs: while a StopSignals object lives, SIGINT (Ctrl-C) and SIGTERM
// (kill, a batch scheduler's time limit) only ask the training loop to stop; it then finishes
// the iteration it is in, writes a checkpoint, flushes the log and exits non-zero. A second
// signal ends the process at once (the default action), for a run that must die now.
#pragma once

namespace eqnca::experiments {

class StopSignals {
 public:
  StopSignals();   // installs the handlers (one object at a time)
  ~StopSignals();  // restores the previous ones
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  // The signal that asked to stop (SIGINT or SIGTERM), or 0.
  static int requested();
  // "SIGINT", "SIGTERM", or "a signal".
  static const char* name(int signal);
};

}  // namespace eqnca::experiments
