//===- RuntimeError.h - errors krun reports to the user -------------------===//

#ifndef KCC_RUNTIME_CORE_RUNTIMEERROR_H
#define KCC_RUNTIME_CORE_RUNTIMEERROR_H

#include <stdexcept>
#include <string>

namespace kcc::rt {

/// A problem with the user's input (model.bin, flags, data files): krun
/// prints the message and exits non-zero. Runtime bugs assert instead.
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

} // namespace kcc::rt

#endif // KCC_RUNTIME_CORE_RUNTIMEERROR_H
