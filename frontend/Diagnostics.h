//===- Diagnostics.h - user-facing errors of the frontend -----------------===//
//
// The frontend reports every problem it finds in a model file before giving
// up (all unsupported layers at once, not just the first). Each message names
// the file, the Keras layer and the JSON path it is about.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_FRONTEND_DIAGNOSTICS_H
#define KCC_FRONTEND_DIAGNOSTICS_H

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace kcc::frontend {

class Diagnostics {
public:
  explicit Diagnostics(std::string file) : file(std::move(file)) {}

  /// Records "<file>: <where>: <message>".
  void error(const std::string &where, const std::string &message) {
    messages.push_back(file + ": " + (where.empty() ? "" : where + ": ") + message);
  }
  bool failed() const { return !messages.empty(); }
  const std::vector<std::string> &all() const { return messages; }
  void print(llvm::raw_ostream &os) const {
    for (const std::string &m : messages)
      os << "error: " << m << "\n";
  }
  const std::string &fileName() const { return file; }

private:
  std::string file;
  std::vector<std::string> messages;
};

} // namespace kcc::frontend

#endif // KCC_FRONTEND_DIAGNOSTICS_H
