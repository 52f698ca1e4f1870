// A credential the client delegated (forwarded TGT), owned by JS until stored or released.
#pragma once
#include <napi.h>
#include <gssapi/gssapi.h>

class DelegatedCredential : public Napi::ObjectWrap<DelegatedCredential> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Wraps `cred` in a new JS object; ownership moves to it.
  static Napi::Object Wrap(Napi::Env env, gss_cred_id_t cred);

  explicit DelegatedCredential(const Napi::CallbackInfo& info);
  ~DelegatedCredential() override;

 private:
  Napi::Value Store(const Napi::CallbackInfo& info);
  void Release(const Napi::CallbackInfo& info);
  void ReleaseCredential();

  gss_cred_id_t cred_ = GSS_C_NO_CREDENTIAL;
};
