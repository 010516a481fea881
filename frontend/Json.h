//===- Json.h - small typed accessors over RapidJSON values ---------------===//

#ifndef KCC_FRONTEND_JSON_H
#define KCC_FRONTEND_JSON_H

#include "rapidjson/document.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace kcc::frontend::json {

using rapidjson::Value;

/// Member |key| of |obj| if |obj| is an object that has it, else null.
inline const Value *member(const Value *obj, const char *key) {
  if (!obj || !obj->IsObject())
    return nullptr;
  auto it = obj->FindMember(key);
  return it == obj->MemberEnd() ? nullptr : &it->value;
}

inline std::optional<std::string> string(const Value *v) {
  if (v && v->IsString())
    return std::string(v->GetString(), v->GetStringLength());
  return std::nullopt;
}

inline std::optional<double> number(const Value *v) {
  if (v && v->IsNumber())
    return v->GetDouble();
  return std::nullopt;
}

/// An integer, also written as a whole double ("3.0"); a double beyond
/// int64 is none (converting it would be undefined behaviour: found by the
/// JSON fuzzer).
inline std::optional<int64_t> integer(const Value *v) {
  if (v && v->IsInt64())
    return v->GetInt64();
  if (v && v->IsDouble()) {
    double d = v->GetDouble();
    if (d >= -0x1p63 && d < 0x1p63 && d == std::trunc(d))
      return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

inline std::optional<bool> boolean(const Value *v) {
  if (v && v->IsBool())
    return v->GetBool();
  return std::nullopt;
}

inline bool isNull(const Value *v) { return !v || v->IsNull(); }

/// Deepest nesting a model file may have: Keras configs stay under 20
/// levels; the limit keeps every recursive walk of a value safe.
inline constexpr size_t kMaxDepth = 128;

/// Nesting depth of |v| (a scalar is 1), computed without recursion.
size_t depth(const Value &v);

/// Short rendering of a value for messages ("-3", "\"relu\"", "[3,3]").
std::string render(const Value *v);

/// "line L, column C" of byte |offset| in |text|.
std::string position(const std::string &text, size_t offset);

} // namespace kcc::frontend::json

#endif // KCC_FRONTEND_JSON_H
