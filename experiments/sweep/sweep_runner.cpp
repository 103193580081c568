// Sweep tasks and the local backend; see sweep_runner.h.
#include "experiments/sweep/sweep_runner.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "experiments/io/folder_lock.h"
#include "experiments/sweep/child_process.h"
#include "experiments/sweep/run_metrics.h"

namespace eqnca::experiments {
namespace fs = std::filesystem;

RunOutcome execute_run(const std::string& eqnca, const std::string& dir, const PlannedRun& run, int threads) {
  const fs::path folder = fs::path(dir) / "runs" / run.name;
  fs::create_directories(folder);
  std::vector<std::string> args = {eqnca, "train"};
  args.insert(args.end(), run.train_args.begin(), run.train_args.end());
  args.insert(args.end(), {"--threads", std::to_string(threads), "--out", folder.string()});
  if (fs::exists(folder / "checkpoint.pt")) args.push_back("--resume");
  const std::string out = (folder / "train.out").string(), err = (folder / "train.err").string();
  const auto start = std::chrono::steady_clock::now();
  const ChildResult child = run_child(args, out, err);
  RunOutcome o;
  o.status = "failed";
  o.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!child.started) {
    o.error = child.start_error;
  } else if (child.exit_code == 0) {
    std::ifstream in(out);
    std::stringstream s;
    s << in.rdbuf();
    const std::string text = s.str();
    const auto at = text.find("final loss ");
    if (at != std::string::npos) {
      o.status = "ok";
      o.final_loss = std::stod(text.substr(at + 11));
    } else {
      o.error = "eqnca train printed no final loss";
    }
  } else {
    o.error = last_line_of(err);
    if (o.error.empty()) o.error = fmt::format("eqnca train ended with status {}", child.exit_code);
  }
  return o;
}

RunOutcome run_task(const std::string& eqnca, const std::string& dir, const SweepPlan& plan, const PlannedRun& run,
                    int threads) {
  const auto start = std::chrono::steady_clock::now();
  RunOutcome o = execute_run(eqnca, dir, run, threads);
  if (o.status == "ok" && plan.evaluate) {
    try {
      measure_run((fs::path(dir) / "runs" / run.name).string(), threads, o);
    } catch (const std::exception& e) {
      std::string what = e.what();
      o.error = "evaluation failed: " + what.substr(0, what.find('\n'));
    }
  }
  o.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_outcome(dir, run.name, o);
  return o;
}

std::vector<const PlannedRun*> unfinished_runs(const std::string& dir, const SweepPlan& plan) {
  std::vector<const PlannedRun*> todo;
  for (const auto& run : plan.runs)
    if (read_outcome(dir, run.name).status != "ok") todo.push_back(&run);
  return todo;
}

int run_sweep_locally(const std::string& eqnca, const std::string& dir, const SweepPlan& plan, int jobs, int threads) {
  const FolderLock lock(dir);  // two sweeps into one folder would run every run twice
  const std::vector<const PlannedRun*> todo = unfinished_runs(dir, plan);
  std::atomic<size_t> next{0};
  std::atomic<int> failed{0};
  auto one = [&](const PlannedRun& run) {
    const fs::path folder = fs::path(dir) / "runs" / run.name;
    fs::create_directories(folder);
    const std::string err = (folder / "task.err").string();
    const ChildResult child =
        run_child({eqnca, "sweep", "task", dir, "--run", run.name, "--threads", std::to_string(threads)},
                  (folder / "task.out").string(), err);
    RunOutcome o = read_outcome(dir, run.name);
    if (o.status == "missing") {  // the task died before writing its outcome
      o.status = "failed";
      o.error = child.started ? last_line_of(err) : child.start_error;
      if (o.error.empty()) o.error = fmt::format("eqnca sweep task ended with status {}", child.exit_code);
      write_outcome(dir, run.name, o);
    }
    if (o.status != "ok") ++failed;
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < std::max(1, jobs); ++w)
    workers.emplace_back([&] {
      for (size_t i = next++; i < todo.size(); i = next++) one(*todo[i]);
    });
  for (auto& w : workers) w.join();
  return failed;
}

}  // namespace eqnca::experiments
