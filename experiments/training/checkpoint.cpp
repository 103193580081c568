// Atomic checkpoint save/load (see checkpoint.h).
#include "experiments/training/checkpoint.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include "experiments/io/atomic_file.h"

namespace eqnca::experiments {
namespace {

// c10::Error messages carry C++ backtraces; keep the first line for a one-line report.
std::string first_line(const std::exception& e) {
  std::string what = e.what();
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) what = c10_error->what_without_backtrace();
  return what.substr(0, what.find('\n'));
}

// The checksum lives in the zip archive's comment (the end-of-central-directory record's last
// field), which zip readers (LibTorch's, Python's zipfile) skip: "eqnca-crc32:xxxxxxxx" over
// the archive as it was before the comment was added.
constexpr char kChecksumTag[] = "eqnca-crc32:";
constexpr size_t kEndRecord = 22;  // the end-of-central-directory record without its comment
constexpr size_t kChecksumComment = sizeof(kChecksumTag) - 1 + 8;  // the tag and eight hex digits

uint32_t crc32_of(const char* data, size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  for (size_t at = 0; at < size;) {  // zlib takes uInt lengths
    const size_t n = std::min<size_t>(size - at, 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data + at), uInt(n));
    at += n;
  }
  return uint32_t(crc);
}

bool is_end_record(const std::string& bytes, size_t at) {
  return at + kEndRecord <= bytes.size() && std::memcmp(bytes.data() + at, "PK\x05\x06", 4) == 0;
}

// Appends the checksum comment to an archive that has none (in place: a Distill checkpoint is
// hundreds of megabytes).
std::string with_checksum(std::string archive) {
  if (archive.size() < kEndRecord || !is_end_record(archive, archive.size() - kEndRecord))
    throw std::logic_error("checkpoint: the archive does not end with a plain zip end record");
  const std::string comment = fmt::format("{}{:08x}", kChecksumTag, crc32_of(archive.data(), archive.size()));
  archive[archive.size() - 2] = char(comment.size() & 0xff);
  archive[archive.size() - 1] = char(comment.size() >> 8);
  archive += comment;
  return archive;
}

// The file's bytes, its checksum checked; `archive_size` is the length of the archive in them
// (the file without the checksum comment, whose length field is zeroed again). A file that does
// not end with the tag (written before checkpoints had a checksum) is returned whole and
// unchecked. One that ends with it must carry a whole, matching checksum record: a damaged end
// record must not demote a file to the unchecked path, where LibTorch's own parser meets it.
std::string verified_file(const std::string& path, size_t& archive_size) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw std::runtime_error(fmt::format("checkpoint '{}' cannot be read", path));
  archive_size = bytes.size();
  if (bytes.size() < kChecksumComment ||
      bytes.compare(bytes.size() - kChecksumComment, sizeof(kChecksumTag) - 1, kChecksumTag) != 0)
    return bytes;
  const size_t tag = bytes.size() - kChecksumComment;
  if (tag < kEndRecord || !is_end_record(bytes, tag - kEndRecord) || uint8_t(bytes[tag - 2]) != kChecksumComment ||
      bytes[tag - 1] != 0)
    throw std::runtime_error(fmt::format("checkpoint '{}' is corrupt: its zip end record is damaged", path));
  bytes[tag - 2] = bytes[tag - 1] = 0;
  const std::string expected = bytes.substr(tag + sizeof(kChecksumTag) - 1);
  const std::string actual = fmt::format("{:08x}", crc32_of(bytes.data(), tag));
  if (actual != expected)
    throw std::runtime_error(
        fmt::format("checkpoint '{}' is corrupt: its content does not match its checksum (crc32 {}, recorded {})", path,
                    actual, expected));
  archive_size = tag;
  return bytes;
}

}  // namespace

void load_checkpoint_archive(const std::string& path, torch::serialize::InputArchive& archive,
                             const torch::Device& device) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(fmt::format("checkpoint '{}' does not exist", path));
  size_t archive_size = 0;
  const std::string bytes = verified_file(path, archive_size);
  try {
    archive.load_from(bytes.data(), archive_size, device);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("checkpoint '{}' is corrupt or not an eqnca training checkpoint ({})", path, first_line(e)));
  }
}

bool checkpoint_checksum_verified(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(fmt::format("checkpoint '{}' does not exist", path));
  size_t archive_size = 0;
  const size_t file_size = verified_file(path, archive_size).size();
  return archive_size < file_size;  // a checked file's archive stops where its checksum comment starts
}

torch::Tensor capture_cpu_rng_state() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void restore_cpu_rng_state(const torch::Tensor& state) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state.to(torch::kCPU));
}

namespace {

// The pool as its live cells: a cell whose channels are all zero (every dead cell: the alive mask
// zeroes them) is one byte of `pool_live`, the others their C values in `pool_cells` (n, C).
// Exact, and a pool grown from seeds is mostly empty grid: a Distill-sized pool (1024 x 16 x
// 72 x 72 floats, 340 MB dense) shrinks to its live fraction.
void write_pool(torch::serialize::OutputArchive& archive, const torch::Tensor& pool) {
  const torch::Tensor cells = pool.detach().permute({0, 2, 3, 1});  // (P, H, W, C)
  const torch::Tensor live = cells.ne(0).any(3);
  archive.write("pool_live", live.to(torch::kUInt8));
  archive.write("pool_cells", cells.masked_select(live.unsqueeze(3)).view({-1, cells.size(3)}));
}

torch::Tensor read_pool(torch::serialize::InputArchive& archive) {
  torch::Tensor dense;
  if (archive.try_read("pool", dense)) return dense;  // version 1
  torch::Tensor live, cells;
  if (!archive.try_read("pool_live", live)) return {};
  archive.read("pool_cells", cells);
  const torch::Tensor mask = live.to(torch::kBool);
  // Bounded before allocating: a file must not make the dense pool exceed 2^30 floats (12x a
  // Distill pool of 1024 x 16 x 72 x 72).
  if (live.dim() != 3 || cells.dim() != 2 || cells.size(1) < 1 || cells.size(1) > 4096 ||
      live.numel() * cells.size(1) > (int64_t(1) << 30) || cells.size(0) != mask.sum().item<int64_t>())
    throw std::runtime_error("the pool's live cells do not match its mask");
  torch::Tensor out = torch::zeros({live.size(0), live.size(1), live.size(2), cells.size(1)}, cells.options());
  out.masked_scatter_(mask.unsqueeze(3).expand_as(out), cells);
  return out.permute({0, 3, 1, 2}).contiguous();
}

}  // namespace

void save_checkpoint(const std::string& path, const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                     const TrainingState& state) {
  torch::serialize::OutputArchive archive;
  archive.write("magic", c10::IValue(std::string(kCheckpointMagic)));
  archive.write("version", c10::IValue(kCheckpointVersion));
  archive.write("iteration", c10::IValue(state.iteration));
  archive.write("wall_time", c10::IValue(state.wall_time));
  archive.write("config", c10::IValue(state.config_toml));
  torch::serialize::OutputArchive model_archive, optimizer_archive;
  model.save(model_archive);
  optimizer.save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
  if (state.pool.defined()) write_pool(archive, state.pool);
  if (state.pool_angles.defined()) archive.write("pool_angles", state.pool_angles);
  if (state.curriculum.defined()) archive.write("curriculum", state.curriculum);
  if (state.cpu_rng.defined()) archive.write("cpu_rng", state.cpu_rng);
  std::ostringstream bytes;
  archive.save_to(bytes);
  const std::string file = with_checksum(bytes.str());
  write_file_atomically(path, [&file](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out.write(file.data(), std::streamsize(file.size()));
    out.close();
    if (!out) throw std::runtime_error(fmt::format("cannot write checkpoint '{}': {}", tmp, std::strerror(errno)));
  });
}

TrainingState load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                              const torch::Device& device) {
  torch::serialize::InputArchive archive;
  load_checkpoint_archive(path, archive, device);
  c10::IValue value;
  if (!archive.try_read("magic", value) || !value.isString() || value.toStringRef() != kCheckpointMagic)
    throw std::runtime_error(fmt::format("checkpoint '{}' is not an eqnca training checkpoint", path));
  archive.read("version", value);
  if (!value.isInt() || value.toInt() < 1 || value.toInt() > kCheckpointVersion)
    throw std::runtime_error(fmt::format("checkpoint '{}' has format version {}, this eqnca reads versions 1-{}", path,
                                         value.isInt() ? value.toInt() : -1, kCheckpointVersion));
  TrainingState state;
  try {
    archive.read("iteration", value);
    state.iteration = value.toInt();
    archive.read("wall_time", value);
    state.wall_time = value.toDouble();
    archive.read("config", value);
    state.config_toml = value.toStringRef();
    torch::serialize::InputArchive model_archive, optimizer_archive;
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    model.load(model_archive);
    optimizer.load(optimizer_archive);
    state.pool = read_pool(archive);
    torch::Tensor a;
    if (archive.try_read("pool_angles", a)) state.pool_angles = a.to(torch::kCPU);
    torch::Tensor c;
    if (archive.try_read("curriculum", c)) state.curriculum = c;
    torch::Tensor r;
    if (archive.try_read("cpu_rng", r)) state.cpu_rng = r.to(torch::kCPU);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("checkpoint '{}' does not fit this model and optimiser ({})", path, first_line(e)));
  }
  return state;
}

}  // namespace eqnca::experiments
