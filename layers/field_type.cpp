// Field types; see field_type.h.
#include "layers/field_type.h"

#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::layers {
namespace {
groups::Representation sum_of(const std::vector<groups::Representation>& fields) {
  if (fields.empty()) throw std::invalid_argument("a field type needs at least one field");
  return groups::Representation::direct_sum(fields);
}
}  // namespace

FieldType::FieldType(groups::Group group, std::vector<groups::Representation> fields)
    : group_(group), fields_(std::move(fields)), sum_(sum_of(fields_)) {
  for (const auto& f : fields_) {
    if (f.group() != group_)
      throw std::invalid_argument(fmt::format("field type over {} cannot hold a field of {} ('{}')", group_.name(),
                                              f.group().name(), f.name()));
    channels_ += f.dim();
  }
}

FieldType FieldType::of(const groups::Representation& rep, int multiplicity) {
  if (multiplicity < 1)
    throw std::invalid_argument(fmt::format("field multiplicity must be >= 1, got {}", multiplicity));
  return FieldType(rep.group(), std::vector<groups::Representation>(size_t(multiplicity), rep));
}

FieldType FieldType::trivial(const groups::Group& group, int channels) {
  return of(groups::Representation::trivial(group), channels);
}

FieldType FieldType::operator+(const FieldType& other) const {
  if (other.group_ != group_)
    throw std::invalid_argument(
        fmt::format("cannot concatenate field types over {} and {}", group_.name(), other.group_.name()));
  std::vector<groups::Representation> all = fields_;
  all.insert(all.end(), other.fields_.begin(), other.fields_.end());
  return FieldType(group_, all);
}

std::vector<FieldType::Run> FieldType::runs() const {
  std::vector<Run> out;
  int offset = 0;
  for (const auto& f : fields_) {
    if (!out.empty() && out.back().rep == f)
      ++out.back().multiplicity;
    else
      out.push_back({f, 1, offset});
    offset += f.dim();
  }
  return out;
}

void FieldType::check(const torch::Tensor& x, const std::string& where) const {
  if (x.dim() != 4 || x.size(1) != channels_)
    throw std::invalid_argument(fmt::format("{}: expected a field of type {} shaped (batch, {}, H, W), got shape {}",
                                            where, describe(), channels_, fmt::join(x.sizes().vec(), "x")));
}

torch::Tensor FieldType::transform(const torch::Tensor& x, const groups::GroupElement& g) const {
  check(x, "FieldType::transform");
  return layers::act_on_field(x, sum_, g);
}

std::string FieldType::describe() const {
  std::vector<std::string> parts;
  for (const auto& r : runs()) parts.push_back(fmt::format("{} x {}", r.multiplicity, r.rep.name()));
  return fmt::format("{}[{}]", group_.name(), fmt::join(parts, ", "));
}

bool FieldType::operator==(const FieldType& o) const {
  if (group_ != o.group_ || fields_.size() != o.fields_.size()) return false;
  for (size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i] != o.fields_[i]) return false;
  return true;
}

}  // namespace eqnca::layers
