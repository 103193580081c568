// Symmetry groups of the plane acting on NCA grids: cyclic C_N, dihedral D_N, and the
// continuous SO(2) and O(2), the latter two carried with a band limit L (the highest
// irrep frequency their fields use).
//
// Conventions (used throughout eqnca): points are (x, y) with x to the right and y up;
// a rotation by `angle` is counter-clockwise; the reflection is x -> -x (a mirror about the
// vertical axis). An element is g = R(angle) F^reflection: mirror first, then rotate.
// For C_N and D_N, `rotation` is the integer r with angle = 2*pi*r/N and the element's
// index is r + N*reflection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eqnca::groups {

struct GroupElement {
  int rotation = 0;    // r in [0, N) for C_N and D_N; 0 for SO(2) and O(2)
  double angle = 0.0;  // radians, counter-clockwise, in [0, 2*pi)
  bool reflection = false;
};

enum class GroupKind { Cyclic, Dihedral, SO2, O2 };

class Group {
 public:
  static Group cyclic(int n);
  static Group dihedral(int n);
  static Group so2(int band_limit);
  static Group o2(int band_limit);
  // "C4", "D8", "SO2", "O2" (band limit from the option, default 3); throws on unknown names.
  static Group from_name(const std::string& name, int band_limit = 3);

  GroupKind kind() const { return kind_; }
  bool finite() const { return kind_ == GroupKind::Cyclic || kind_ == GroupKind::Dihedral; }
  bool has_reflections() const { return kind_ == GroupKind::Dihedral || kind_ == GroupKind::O2; }
  int rotation_order() const { return order_; }   // N for C_N/D_N, 0 for SO(2)/O(2)
  int size() const;                               // |G| for finite groups, 0 otherwise
  int band_limit() const { return band_limit_; }  // 0 for finite groups
  std::string name() const;
  // True when every element maps the pixel grid onto itself (C1, C2, C4, D1, D2, D4).
  bool acts_exactly_on_grid() const;

  GroupElement identity() const { return {}; }
  GroupElement compose(const GroupElement& a, const GroupElement& b) const;
  GroupElement inverse(const GroupElement& a) const;
  // Builds the element R(angle) F^reflection; for finite groups the angle must be a
  // multiple of 2*pi/N (within 1e-9), otherwise this throws.
  GroupElement element_at(double angle, bool reflection = false) const;
  GroupElement element(int index) const;       // finite groups only
  int index(const GroupElement& g) const;      // finite groups only
  std::vector<GroupElement> elements() const;  // finite groups only
  // Haar-uniform samples; for finite groups uniform over the elements.
  std::vector<GroupElement> sample(int count, std::uint64_t seed) const;
  bool equal(const GroupElement& a, const GroupElement& b) const;

  bool operator==(const Group& other) const {
    return kind_ == other.kind_ && order_ == other.order_ && band_limit_ == other.band_limit_;
  }
  bool operator!=(const Group& other) const { return !(*this == other); }

 private:
  Group(GroupKind kind, int order, int band_limit) : kind_(kind), order_(order), band_limit_(band_limit) {}
  GroupKind kind_;
  int order_;
  int band_limit_;
};

// True when g maps the pixel grid onto itself (its angle is a multiple of 90 degrees).
bool is_grid_exact(const GroupElement& g);
std::string describe(const GroupElement& g);  // e.g. "rot 90deg + mirror"

// The rotations (degrees) at which equivariance is checked where a group cannot list its
// elements: the grid's three exact quarter turns, then 45 and 22.5, which resample the grid.
// The one list every checker (layers, models, the CLI) starts from.
std::vector<double> default_check_angles();
// Every element of a finite group; for SO(2) one rotation per default_check_angles(), for O(2)
// those rotations and then their mirrored versions.
std::vector<GroupElement> default_check_elements(const Group& group);

}  // namespace eqnca::groups
