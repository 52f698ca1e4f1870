#include "delegated.h"
#include <gssapi/gssapi_ext.h>
#include <string>
#include "status.h"

Napi::Function DelegatedCredential::Define(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "DelegatedCredential", {
    InstanceMethod<&DelegatedCredential::Store>("store"),
    InstanceMethod<&DelegatedCredential::Release>("release"),
  });
  env.GetInstanceData<Napi::FunctionReference>()->Reset(ctor, 1);
  return ctor;
}

Napi::Object DelegatedCredential::Wrap(Napi::Env env, gss_cred_id_t cred) {
  Napi::Object object = env.GetInstanceData<Napi::FunctionReference>()->New({});
  Unwrap(object)->cred_ = cred;
  return object;
}

DelegatedCredential::DelegatedCredential(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DelegatedCredential>(info) {}

DelegatedCredential::~DelegatedCredential() { ReleaseCredential(); }

void DelegatedCredential::ReleaseCredential() {
  if (cred_ == GSS_C_NO_CREDENTIAL) return;
  OM_uint32 minor = 0;
  gss_release_cred(&minor, &cred_);
  cred_ = GSS_C_NO_CREDENTIAL;
}

// store(ccacheName) -> { lifetime }: writes the credential with gss_store_cred_into
// (the call mod_auth_gssapi uses; spec/kerberos.md §5.2), e.g. "FILE:/dir/cc_x".
Napi::Value DelegatedCredential::Store(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "store(ccacheName: string)");
  if (cred_ == GSS_C_NO_CREDENTIAL) throw Napi::Error::New(env, "the delegated credential was already released");
  std::string ccache = info[0].As<Napi::String>().Utf8Value();

  gss_key_value_element_desc element = {"ccache", ccache.c_str()};
  gss_key_value_set_desc store = {1, &element};
  OM_uint32 minor = 0;
  OM_uint32 major = gss_store_cred_into(&minor, cred_, GSS_C_INITIATE, GSS_C_NO_OID, 1, 1, &store, nullptr, nullptr);
  if (GSS_ERROR(major)) throw toJsError(env, describeStatus("gss_store_cred_into", major, minor));

  OM_uint32 lifetime = 0;
  major = gss_inquire_cred(&minor, cred_, nullptr, &lifetime, nullptr, nullptr);
  if (GSS_ERROR(major)) throw toJsError(env, describeStatus("gss_inquire_cred", major, minor));

  Napi::Object result = Napi::Object::New(env);
  result.Set("lifetime", Napi::Number::New(env, lifetime));
  return result;
}

void DelegatedCredential::Release(const Napi::CallbackInfo&) { ReleaseCredential(); }
