// `eqnca demo --texture`: the demo's texture part. Trains c4 and the growing baseline on an
// oriented texture (horizontal stripes, generated, or a PNG) with the demo's budget (the same
// iteration count by default, the same time each with budget "time"; demo.h), grows each from
// the all-alive texture start turned by 0/90/180/270 degrees and scores each grown texture
// against the texture turned the same way and against the unturned texture (texture_eval.h).
// An equivariant model's stripes turn with its start; the baseline's start does not change under
// a turn (every cell is the same seed cell, whose channels do not rotate), so its stripes keep
// their direction and its loss against the turned texture stays high.
//
// Layout of <out>/texture/: stripes.png (the generated target), c4/ and growing/ (full `eqnca
// train` runs), montage.png (rows: models; columns: start turned 0/90/180/270). The demo's
// run.h5 gets texture/<model>/train/{loss, wall_time} and texture/<model>/eval/... .
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "experiments/evaluation/demo.h"
#include "experiments/training/train_config.h"

namespace eqnca::experiments {
class RunLog;
}

namespace eqnca::experiments {

// The texture recipe for one model: `texture` is the PNG, out_dir the run's folder.
TrainConfig demo_texture_config(const DemoOptions& options, const std::string& model, const std::string& texture,
                                const std::string& out_dir);

struct TextureDemoResult {
  std::string texture_path, montage_path;
  std::vector<DemoModelResult> models;  // evaluation: C4 elements from the turned texture start
};

// Trains and evaluates both models into <out_dir>/texture; progress to `progress`.
TextureDemoResult run_texture_demo(const DemoOptions& options, const std::string& out_dir, std::ostream& progress);

// Adds texture/<model>/... to the demo's run log (see above).
void log_texture_demo(RunLog& log, const std::string& out_dir, const TextureDemoResult& result);

// The summary table: per model and start rotation, the equivariance error and the texture
// losses against the turned and the unturned texture.
void print_texture_demo(const TextureDemoResult& result, std::ostream& out);

}  // namespace eqnca::experiments
