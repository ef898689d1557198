// Control-path errors: a stable string code (EPORT_RANGE, EBUSY_STARTED, ...)
// plus a message saying what was wrong and what to do. Never thrown on the
// fast path; the addon turns them into JS errors with the same code.
#pragma once
#include <stdexcept>
#include <string>

namespace rs {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

}  // namespace rs
