//===- JsonTest.cpp - the typed accessors over RapidJSON values -----------===//

#include "frontend/Json.h"

#include "gtest/gtest.h"

namespace kcc::frontend {
namespace {

std::optional<int64_t> integerOf(const char *text) {
  rapidjson::Document d;
  d.Parse(text);
  return json::integer(&d);
}

TEST(Json, IntegerTakesWholeNumbersInRangeOnly) {
  EXPECT_EQ(integerOf("42"), 42);
  EXPECT_EQ(integerOf("-7"), -7);
  EXPECT_EQ(integerOf("3.0"), 3);
  EXPECT_EQ(integerOf("3.5"), std::nullopt);
  // Doubles beyond int64 used to be converted anyway (undefined behaviour,
  // found by the JSON fuzzer: fuzz/regressions/keras-json-double-beyond-int64.json).
  EXPECT_EQ(integerOf("1e300"), std::nullopt);
  EXPECT_EQ(integerOf("-1e19"), std::nullopt);
  EXPECT_EQ(integerOf("9223372036854775808.0"), std::nullopt);
  EXPECT_EQ(integerOf("18446744073709551615"), std::nullopt);
  EXPECT_EQ(integerOf("\"3\""), std::nullopt);
}

TEST(Json, DepthIsCountedWithoutRecursion) {
  std::string deep(200000, '[');
  deep += std::string(200000, ']');
  rapidjson::Document d;
  d.Parse<rapidjson::kParseIterativeFlag>(deep.c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_EQ(json::depth(d), 200000u);
}

} // namespace
} // namespace kcc::frontend
