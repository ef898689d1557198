// Argument parsing and error mapping shared by the binding files.
#include "binding.h"
#include <cstring>
#include <system_error>

namespace rsb {

AddonData& data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

namespace {
[[noreturn]] void throw_js(Napi::Env env, const std::string& code, const std::string& message) {
  AddonData& d = data(env);
  if (!d.error_class.IsEmpty()) {
    Napi::Object err = d.error_class.New({Napi::String::New(env, code), Napi::String::New(env, message)});
    throw Napi::Error(env, err);
  }
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  throw e;
}
}  // namespace

[[noreturn]] void throw_ringside(Napi::Env env, rs::ErrorCode code, const std::string& message) {
  throw_js(env, code.name(), message);
}
[[noreturn]] void throw_ringside(Napi::Env env, const rs::Error& e) { throw_js(env, e.code(), e.what()); }

[[noreturn]] void throw_ringside_for_current(Napi::Env env) {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    throw_ringside(env, "ENOMEM", "out of memory in the engine: lower --total-num-mbufs or free memory");
  } catch (const std::system_error& e) {
    // A system call the engine made failed: the errno's name is the code
    // when error_codes.def has it.
    const char* name = e.code().category() == std::generic_category() || e.code().category() == std::system_category()
                           ? strerrorname_np(e.code().value())
                           : nullptr;
    throw_ringside(env, rs::ErrorCode::find(name ? name : "").value_or(rs::ErrorCode("ESYSTEM")),
                   std::string("the system refused the engine: ") + e.what() +
                       ": free resources (threads, memory, file descriptors) and try again");
  } catch (const std::exception& e) {
    throw_ringside(env, "EINTERNAL", std::string("internal engine error (") + e.what() + "): please report it");
  } catch (...) {
    throw_ringside(env, "EINTERNAL", "internal engine error (unknown exception): please report it");
  }
}

uint32_t arg_u32(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw_ringside(info.Env(), "EINVAL_ARG", std::string(what) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (v < 0 || v > 4294967295.0 || v != static_cast<double>(static_cast<uint32_t>(v)))
    throw_ringside(info.Env(), "EINVAL_ARG", std::string(what) + " must be a non-negative integer");
  return static_cast<uint32_t>(v);
}
std::vector<uint32_t> arg_u32_list(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsArray())
    throw_ringside(info.Env(), "EINVAL_ARG", std::string(what) + " must be a list of numbers");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<uint32_t> out;
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (d < 0 || d > 4294967295.0 || d != static_cast<double>(static_cast<uint32_t>(d)))
      throw_ringside(info.Env(), "EINVAL_ARG", std::string(what) + " must be non-negative integers");
    out.push_back(static_cast<uint32_t>(d));
  }
  return out;
}
int32_t arg_i32(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw_ringside(info.Env(), "EINVAL_ARG", std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}
uint16_t arg_port(const Napi::CallbackInfo& info, size_t i) {
  uint32_t p = arg_u32(info, i, "port id");
  if (p > 0xffff) throw_ringside(info.Env(), "EPORT_RANGE", "port id " + std::to_string(p) + " is out of range");
  return static_cast<uint16_t>(p);
}
std::string arg_str(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString())
    throw_ringside(info.Env(), "EINVAL_ARG", std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}
bool arg_bool(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsBoolean())
    throw_ringside(info.Env(), "EINVAL_ARG", std::string(what) + " must be true or false");
  return info[i].As<Napi::Boolean>().Value();
}
rs::MacAddr arg_mac(const Napi::CallbackInfo& info, size_t i) {
  std::string s = arg_str(info, i, "MAC address");
  rs::MacAddr m;
  if (!rs::parse_mac(s, &m))
    throw_ringside(info.Env(), "EINVAL_MAC", "'" + s + "' is not a MAC address: write XX:XX:XX:XX:XX:XX");
  return m;
}

Napi::Number num(Napi::Env env, double v) { return Napi::Number::New(env, v); }

Napi::Array string_array(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(i, Napi::String::New(env, v[i]));
  return a;
}

}  // namespace rsb
