// Crash-safe file output for eqnca's experiment drivers: every artefact (PNG, GIF, checkpoint)
// is written to a temporary sibling "<path>.tmp-<pid>" and renamed over the target, so a killed
// run never leaves a half-written file under the final name.
#pragma once

#include <functional>
#include <string>

namespace eqnca::experiments {

// Calls `writer(tmp_path)`, which must create and close tmp_path; then fsyncs it and renames it
// over `path`. If the writer throws, the temporary is removed, `path` is left untouched, and the
// exception is rethrown. Throws std::runtime_error if the rename fails.
void write_file_atomically(const std::string& path, const std::function<void(const std::string& tmp_path)>& writer);

// Creates `dir` (with parents) if needed and proves it is writable by creating and removing a
// probe file. Throws std::runtime_error("output folder '<dir>' is not writable: <reason>").
void ensure_writable_directory(const std::string& dir);

}  // namespace eqnca::experiments
