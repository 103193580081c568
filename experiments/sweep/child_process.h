// Starting other programs for the sweep (eqnca train, eqnca sweep task, sbatch, squeue, python3)
// without a shell, so no path or sampled value is ever re-parsed by one. argv[0] is the program:
// a path, or a bare name looked up in PATH.
#pragma once

#include <string>
#include <vector>

namespace eqnca::experiments {

struct ChildResult {
  bool started = false;
  int exit_code = -1;       // the exit status, or 128 + signal for a child killed by one
  std::string start_error;  // why it did not start ("cannot start 'sbatch': No such file ...")
};

// Runs argv to completion with stdout and stderr written (truncated first) to the given files ("" keeps this process's
// stream).
ChildResult run_child(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path);

struct CapturedChild {
  ChildResult result;
  std::string out, err;
};

// Runs argv to completion, its streams captured (through temporary files, so large output
// cannot block it).
CapturedChild capture_child(const std::vector<std::string>& argv);

// The last non-empty line of a text file ("" when it has none).
std::string last_line_of(const std::string& path);

}  // namespace eqnca::experiments
