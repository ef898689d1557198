// Control-path errors: a stable string code (EPORT_RANGE, EBUSY_STARTED, ...)
// plus a message saying what was wrong and what to do. Never thrown on the
// fast path; the addon turns them into JS errors with the same code.
#pragma once
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rs {

// The codes of error_codes.def, in its order.
inline constexpr const char* kErrorCodes[] = {
#define RS_ERROR_CODE(code) #code,
#include "error_codes.def"
#undef RS_ERROR_CODE
};

// Not constexpr on purpose: a consteval ErrorCode that reaches it fails to
// compile, and the compiler's note names this function.
void unknown_error_code_add_it_to_error_codes_def();

// One row of error_codes.def. Made from a literal, checked at compile time:
// Error("ETYPO", ...) does not build.
class ErrorCode {
 public:
  consteval ErrorCode(const char* name) : index_(find_or_fail(name)) {}
  const char* name() const { return kErrorCodes[index_]; }
  // For a name known only at run time (an errno's name): the row, if any.
  static std::optional<ErrorCode> find(std::string_view name) {
    for (uint16_t i = 0; i < std::size(kErrorCodes); i++)
      if (name == kErrorCodes[i]) return ErrorCode(i);
    return std::nullopt;
  }

 private:
  explicit constexpr ErrorCode(uint16_t index) : index_(index) {}
  static consteval uint16_t find_or_fail(const char* name) {
    for (uint16_t i = 0; i < std::size(kErrorCodes); i++)
      if (std::string_view(name) == kErrorCodes[i]) return i;
    unknown_error_code_add_it_to_error_codes_def();
    return 0;
  }
  uint16_t index_;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code.name()) {}
  // The same code as `cause`, with a message that adds context to its own.
  Error(const Error& cause, const std::string& message) : std::runtime_error(message), code_(cause.code_) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

}  // namespace rs
