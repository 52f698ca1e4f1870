#include "initiate.h"
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <string>
#include <vector>
#include "status.h"

// 1.3.6.1.5.5.2 (RFC 4178), the mechanism HTTP Negotiate uses (RFC 4559).
static gss_OID_desc spnegoOid = {6, const_cast<char*>("\x2b\x06\x01\x05\x05\x02")};

// initiate(target "HTTP@host", { ccache: "FILE:…", delegate?: boolean }) -> Buffer
Napi::Value Initiate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) {
    throw Napi::TypeError::New(env, "initiate(target: string, { ccache: string, delegate?: boolean })");
  }
  std::string target = info[0].As<Napi::String>().Utf8Value();
  Napi::Object options = info[1].As<Napi::Object>();
  if (!options.Get("ccache").IsString()) throw Napi::TypeError::New(env, "ccache must be a string");
  std::string ccache = options.Get("ccache").As<Napi::String>().Utf8Value();
  bool delegate = options.Get("delegate").ToBoolean().Value();

  OM_uint32 minor = 0, ignored = 0;
  gss_name_t name = GSS_C_NO_NAME;
  gss_buffer_desc targetBuffer = {target.size(), const_cast<char*>(target.data())};
  OM_uint32 major = gss_import_name(&minor, &targetBuffer, GSS_C_NT_HOSTBASED_SERVICE, &name);
  if (GSS_ERROR(major)) throw toJsError(env, describeStatus("gss_import_name", major, minor));

  gss_key_value_element_desc element = {"ccache", ccache.c_str()};
  gss_key_value_set_desc store = {1, &element};
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
  major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET, GSS_C_INITIATE, &store, &cred, nullptr, nullptr);
  if (GSS_ERROR(major)) {
    gss_release_name(&ignored, &name);
    throw toJsError(env, describeStatus("gss_acquire_cred_from", major, minor));
  }

  OM_uint32 flags = GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG | (delegate ? GSS_C_DELEG_FLAG : 0);
  gss_ctx_id_t context = GSS_C_NO_CONTEXT;
  gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
  major = gss_init_sec_context(&minor, cred, &context, name, &spnegoOid, flags, GSS_C_INDEFINITE, GSS_C_NO_CHANNEL_BINDINGS,
                               GSS_C_NO_BUFFER, nullptr, &output, nullptr, nullptr);
  GssStatus failure = GSS_ERROR(major) ? describeStatus("gss_init_sec_context", major, minor) : GssStatus{};
  // Everything GSS handed out is released before any JS allocation, which may throw.
  std::vector<uint8_t> token(static_cast<uint8_t*>(output.value), static_cast<uint8_t*>(output.value) + output.length);
  gss_release_buffer(&ignored, &output);
  if (context != GSS_C_NO_CONTEXT) gss_delete_sec_context(&ignored, &context, GSS_C_NO_BUFFER);
  gss_release_cred(&ignored, &cred);
  gss_release_name(&ignored, &name);
  if (failure.major != GSS_S_COMPLETE) throw toJsError(env, failure);
  if (token.empty()) return env.Null();
  return Napi::Buffer<uint8_t>::Copy(env, token.data(), token.size());
}
