// The acceptor: credentials from a keytab (gss_acquire_cred_from), and accepts that
// run on the libuv thread pool.
#pragma once
#include <napi.h>
#include <gssapi/gssapi.h>

class Acceptor : public Napi::ObjectWrap<Acceptor> {
 public:
  static Napi::Function Define(Napi::Env env);

  explicit Acceptor(const Napi::CallbackInfo& info);
  ~Acceptor() override;

  gss_cred_id_t credential() const { return cred_; }

 private:
  Napi::Value Accept(const Napi::CallbackInfo& info);

  gss_cred_id_t cred_ = GSS_C_NO_CREDENTIAL;
};
