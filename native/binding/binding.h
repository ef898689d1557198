// Shared by every binding file: error mapping, argument parsing and the way a
// feature adds methods to Engine: a table in its file, one line in features.cpp.
#pragma once
#include <napi.h>
#include <set>
#include <string>
#include <utility>
#include <vector>
#include "engine.h"

namespace rsb {

struct AddonData {
  Napi::FunctionReference error_class;
  Napi::FunctionReference engine_ctor;
  std::set<rs::Engine*> engines;  // live engines, shut down by the cleanup hook
};
AddonData& data(Napi::Env env);

// Throws the JS RingsideError (code + message) registered by setErrorClass.
[[noreturn]] void throw_ringside(Napi::Env env, rs::ErrorCode code, const std::string& message);
// The same for an engine error, with its code and message.
[[noreturn]] void throw_ringside(Napi::Env env, const rs::Error& e);

// Throws the RingsideError for the exception being handled (call it only
// inside a catch block): out of memory, a failed system call, or an engine
// bug, each with its own code.
[[noreturn]] void throw_ringside_for_current(Napi::Env env);

// Runs f, mapping every exception to a RingsideError: one escaping a method
// would terminate the process. Every method goes through it. A JS exception
// (Napi::Error, itself a std::exception) passes through unchanged.
template <typename F>
auto guarded(Napi::Env env, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const rs::Error& e) {
    throw_ringside(env, e);
  } catch (...) {
    throw_ringside_for_current(env);
  }
}

uint32_t arg_u32(const Napi::CallbackInfo& info, size_t i, const char* what);
std::vector<uint32_t> arg_u32_list(const Napi::CallbackInfo& info, size_t i, const char* what);
int32_t arg_i32(const Napi::CallbackInfo& info, size_t i, const char* what);
uint16_t arg_port(const Napi::CallbackInfo& info, size_t i = 0);
std::string arg_str(const Napi::CallbackInfo& info, size_t i, const char* what);
bool arg_bool(const Napi::CallbackInfo& info, size_t i, const char* what);
rs::MacAddr arg_mac(const Napi::CallbackInfo& info, size_t i);

Napi::Number num(Napi::Env env, double v);
Napi::Array string_array(Napi::Env env, const std::vector<std::string>& v);

// The engine behind `this` of an Engine method (throws ESHUTDOWN after shutdown).
rs::Engine& engine_of(const Napi::CallbackInfo& info);

// A feature's Engine methods: one file per feature defines its table and adds
// it to feature_method_tables() in features.cpp.
using MethodTable = std::vector<std::pair<const char*, Napi::Function::Callback>>;

// A method that returns nothing, in the tables' callback type.
template <void (*F)(const Napi::CallbackInfo&)>
Napi::Value no_result(const Napi::CallbackInfo& info) {
  F(info);
  return info.Env().Undefined();
}
const std::vector<const MethodTable*>& feature_method_tables();

}  // namespace rsb
