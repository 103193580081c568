// Field types: construction from fields, copies and concatenation; channel counts and offsets;
// the direct sum as a block-diagonal rho(g) (checked block by block against the fields' own
// matrices); describe() and equality; and every caller mistake as a one-line
// std::invalid_argument naming what came.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "layers/field_type.h"

using namespace eqnca;
using groups::Group;
using groups::Representation;
using layers::FieldType;

namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no throw";
}

void expect_one_line(const std::string& message, const std::vector<std::string>& needles) {
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  for (const auto& n : needles) EXPECT_NE(message.find(n), std::string::npos) << "'" << n << "' in: " << message;
}

}  // namespace

TEST(FieldType, FieldsCopiesAndConcatenationSetChannelsRunsAndDescription) {
  const Group d4 = Group::dihedral(4);
  const FieldType t(d4, {Representation::trivial(d4), Representation::regular(d4), Representation::regular(d4),
                         Representation::standard(d4)});
  EXPECT_EQ(t.group(), d4);
  EXPECT_EQ(t.fields().size(), 4u);
  EXPECT_EQ(t.channels(), 1 + 8 + 8 + 2);
  EXPECT_EQ(t.representation().dim(), t.channels());
  const auto runs = t.runs();
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].rep.name(), "trivial");
  EXPECT_EQ(runs[0].multiplicity, 1);
  EXPECT_EQ(runs[0].offset, 0);
  EXPECT_EQ(runs[1].rep.name(), "regular");
  EXPECT_EQ(runs[1].multiplicity, 2);
  EXPECT_EQ(runs[1].offset, 1);
  EXPECT_EQ(runs[2].rep.name(), "standard");
  EXPECT_EQ(runs[2].offset, 17);
  EXPECT_EQ(t.describe(), "D4[1 x trivial, 2 x regular, 1 x standard]");

  // Copies and concatenation.
  const Group c4 = Group::cyclic(4);
  const Representation reg = Representation::regular(c4);
  EXPECT_EQ(FieldType::of(reg, 3), FieldType(c4, {reg, reg, reg}));
  EXPECT_EQ(FieldType::trivial(c4, 3).channels(), 3);
  const FieldType sum = FieldType::trivial(c4, 2) + FieldType::trivial(c4, 1) + FieldType::of(reg, 1);
  EXPECT_EQ(sum.describe(), "C4[3 x trivial, 1 x regular]");  // runs merge across the seam
  EXPECT_EQ(sum.channels(), 3 + 4);
  EXPECT_EQ(sum, FieldType::trivial(c4, 3) + FieldType::of(reg, 1));
  EXPECT_NE(sum, FieldType::of(reg, 1) + FieldType::trivial(c4, 3));  // order matters
  EXPECT_NE(FieldType::trivial(c4, 2), FieldType::trivial(Group::cyclic(8), 2));
}

TEST(FieldType, RepresentationIsTheBlockDiagonalDirectSum) {
  const Group d4 = Group::dihedral(4);
  const std::vector<Representation> fields{Representation::trivial(d4), Representation::regular(d4),
                                           Representation::standard(d4), Representation::sign(d4)};
  const FieldType t(d4, fields);
  for (const auto& g : d4.elements()) {
    const Eigen::MatrixXd rho = t.representation()(g);
    Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(t.channels(), t.channels());
    int offset = 0;
    for (const auto& f : fields) {
      expected.block(offset, offset, f.dim(), f.dim()) = f(g);
      offset += f.dim();
    }
    EXPECT_LE((rho - expected).cwiseAbs().maxCoeff(), 1e-12) << groups::describe(g);
  }
}

TEST(FieldType, CallerMistakesAreOneLineErrorsNamingWhatCame) {
  const Group c4 = Group::cyclic(4);
  const FieldType t = FieldType::trivial(c4, 2) + FieldType::of(Representation::regular(c4), 1);
  EXPECT_NO_THROW(t.check(torch::zeros({3, 6, 5, 7}), "here"));
  expect_one_line(error_of([&] {
                    t.check(torch::zeros({3, 5, 5, 7}), "MyLayer");
                  }),
                  {"MyLayer", t.describe(), "(batch, 6, H, W)", "3x5x5x7"});
  expect_one_line(error_of([&] { t.check(torch::zeros({6, 5, 7}), "MyLayer"); }), {"MyLayer", "6x5x7"});
  expect_one_line(error_of([&] {
                    (void)t.transform(torch::zeros({1, 4, 5, 5}), c4.element(1));
                  }),
                  {"FieldType::transform", "1x4x5x5"});

  // Building a type.
  const Group d4 = Group::dihedral(4);
  expect_one_line(error_of([&] { (void)FieldType(c4, {}); }), {"at least one field"});
  expect_one_line(error_of([&] { (void)FieldType(c4, {Representation::trivial(d4)}); }), {"C4", "D4", "trivial"});
  expect_one_line(error_of([&] { (void)FieldType::of(Representation::trivial(c4), 0); }), {"multiplicity", "got 0"});
  expect_one_line(error_of([&] { (void)(FieldType::trivial(c4, 1) + FieldType::trivial(d4, 1)); }), {"C4", "D4"});
}
