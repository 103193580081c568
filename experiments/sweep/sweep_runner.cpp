// Local sweep execution and results; see sweep_runner.h.
#include "experiments/sweep/sweep_runner.h"

#include <spawn.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "experiments/io/atomic_file.h"
#include "experiments/io/folder_lock.h"

extern char** environ;

namespace eqnca::experiments {
namespace fs = std::filesystem;
namespace {

std::string result_path(const std::string& dir, const PlannedRun& run) {
  return (fs::path(dir) / "runs" / run.name / "sweep_result.json").string();
}

RunOutcome read_outcome(const std::string& dir, const PlannedRun& run) {
  std::ifstream in(result_path(dir, run));
  if (!in) return {"missing", 0, 0, ""};
  try {
    const auto j = nlohmann::json::parse(in);
    return {j.at("status").get<std::string>(), j.at("final_loss").get<double>(), j.at("wall_s").get<double>(),
            j.at("error").get<std::string>()};
  } catch (const std::exception&) {
    return {"missing", 0, 0, ""};  // a torn or foreign file: run it again
  }
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

RunOutcome execute_run(const std::string& eqnca, const std::string& dir, const PlannedRun& run, int threads) {
  const fs::path folder = fs::path(dir) / "runs" / run.name;
  fs::create_directories(folder);
  std::vector<std::string> args = {eqnca, "train"};
  args.insert(args.end(), run.train_args.begin(), run.train_args.end());
  args.insert(args.end(), {"--threads", std::to_string(threads), "--out", folder.string()});
  if (fs::exists(folder / "checkpoint.pt")) args.push_back("--resume");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = (folder / "train.out").string(), err = (folder / "train.err").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, eqnca.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  RunOutcome o{"failed", 0, 0, ""};
  int raw = 0;
  if (spawned != 0) {
    o.error = fmt::format("cannot start '{}': {}", eqnca, std::strerror(spawned));
  } else {
    waitpid(pid, &raw, 0);
    o.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (WIFEXITED(raw) && WEXITSTATUS(raw) == 0) {
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
      o.error = last_line(err);
      if (o.error.empty()) o.error = fmt::format("eqnca train ended with status {}", raw);
    }
  }
  const nlohmann::json j = {
      {"status", o.status}, {"final_loss", o.final_loss}, {"wall_s", o.wall_s}, {"error", o.error}};
  write_file_atomically(result_path(dir, run),
                        [&j](const std::string& tmp) { std::ofstream(tmp) << j.dump() << "\n"; });
  return o;
}

int run_sweep_locally(const std::string& eqnca, const std::string& dir, const std::vector<PlannedRun>& runs, int jobs,
                      int threads) {
  const FolderLock lock(dir);  // two sweeps into one folder would run every run twice
  std::vector<const PlannedRun*> todo;
  for (const auto& run : runs)
    if (read_outcome(dir, run).status != "ok") todo.push_back(&run);
  std::atomic<size_t> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < std::max(1, jobs); ++w)
    workers.emplace_back([&] {
      for (size_t i = next++; i < todo.size(); i = next++)
        if (execute_run(eqnca, dir, *todo[i], threads).status != "ok") ++failed;
    });
  for (auto& w : workers) w.join();
  return failed;
}

void write_results_csv(const std::string& dir, const SweepSpec& spec, const std::vector<PlannedRun>& runs) {
  std::ostringstream csv;
  csv << "run,set,target,seed";
  for (const auto& o : spec.options) csv << "," << csv_field(o.name);
  csv << ",status,final_loss,wall_s,error\n";
  for (const auto& run : runs) {
    const RunOutcome o = read_outcome(dir, run);
    csv << run.name << "," << run.set << "," << csv_field(run.target) << "," << run.repeat;
    for (const auto& v : run.values) csv << "," << csv_field(v);
    csv << "," << o.status << "," << fmt::format("{:.8g}", o.final_loss) << "," << fmt::format("{:.3f}", o.wall_s)
        << "," << csv_field(o.error) << "\n";
  }
  write_file_atomically((fs::path(dir) / "results.csv").string(),
                        [&csv](const std::string& tmp) { std::ofstream(tmp) << csv.str(); });
}

}  // namespace eqnca::experiments
