// authbridge's own GSS-API binding (spec/kerberos.md §5): the stock `kerberos` package
// discards ret_flags and the delegated credential, so we accept with both.
#include <napi.h>
#include "acceptor.h"
#include "delegated.h"
#include "initiate.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new Napi::FunctionReference());  // DelegatedCredential's constructor
  exports.Set("Acceptor", Acceptor::Define(env));
  exports.Set("DelegatedCredential", DelegatedCredential::Define(env));
  exports.Set("initiate", Napi::Function::New(env, Initiate, "initiate"));
  return exports;
}

NODE_API_MODULE(authbridge_gssapi, Init)
