// Stop requests by signal; see stop_signals.h.
#include "experiments/training/stop_signals.h"

#include <csignal>

namespace eqnca::experiments {
namespace {

volatile std::sig_atomic_t g_requested = 0;
struct sigaction g_previous_int, g_previous_term;

extern "C" void on_stop_signal(int signal) {
  if (g_requested != 0) {  // the second signal: die now, as if no handler were installed
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  g_requested = signal;
}

}  // namespace

StopSignals::StopSignals() {
  g_requested = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
  g_requested = 0;
}

int StopSignals::requested() { return g_requested; }

const char* StopSignals::name(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return "a signal";
}

}  // namespace eqnca::experiments
