#include "acceptor.h"
#include <gssapi/gssapi_ext.h>
#include <string>
#include <vector>
#include "delegated.h"
#include "status.h"

namespace {

std::string stringOption(const Napi::Object& options, const char* key) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return "";
  if (!value.IsString()) throw Napi::TypeError::New(options.Env(), std::string(key) + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

// One gss_accept_sec_context call off the main thread (RFC 4559 §4: one leg for krb5).
class AcceptWorker : public Napi::AsyncWorker {
 public:
  AcceptWorker(Napi::Env env, Napi::Object acceptor, gss_cred_id_t cred, std::vector<uint8_t> token)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), cred_(cred), token_(std::move(token)) {
    acceptorRef_ = Napi::Persistent(acceptor);  // keeps the credential alive while we run
  }

  ~AcceptWorker() override {
    OM_uint32 minor = 0;
    if (delegated_ != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &delegated_);
  }

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    OM_uint32 minor = 0;
    gss_ctx_id_t context = GSS_C_NO_CONTEXT;
    gss_name_t client = GSS_C_NO_NAME;
    gss_buffer_desc input = {token_.size(), token_.data()};
    gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
    OM_uint32 major = gss_accept_sec_context(&minor, &context, cred_, &input, GSS_C_NO_CHANNEL_BINDINGS, &client,
                                             nullptr, &output, &flags_, &lifetime_, &delegated_);
    if (output.length > 0) outputToken_.assign(static_cast<uint8_t*>(output.value), static_cast<uint8_t*>(output.value) + output.length);
    gss_release_buffer(&minor, &output);

    if (GSS_ERROR(major)) {
      failure_ = describeStatus("gss_accept_sec_context", major, minor);
    } else if (major & GSS_S_CONTINUE_NEEDED) {
      // Multi-leg mechanisms (NTLM in SPNEGO) need a connection-bound context: not offered.
      failure_ = describeStatus("gss_accept_sec_context", GSS_S_FAILURE, 0);
      failure_.message = "gss_accept_sec_context: the mechanism needs more than one leg (only Kerberos is supported)";
    } else {
      gss_buffer_desc name = GSS_C_EMPTY_BUFFER;
      OM_uint32 nameMajor = gss_display_name(&minor, client, &name, nullptr);
      if (GSS_ERROR(nameMajor)) {
        failure_ = describeStatus("gss_display_name", nameMajor, minor);
      } else {
        principal_.assign(static_cast<const char*>(name.value), name.length);
        gss_release_buffer(&minor, &name);
      }
    }
    if (client != GSS_C_NO_NAME) gss_release_name(&minor, &client);
    if (context != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &context, GSS_C_NO_BUFFER);
    if (failure_.major != GSS_S_COMPLETE) SetError(failure_.message);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object result = Napi::Object::New(env);
    result.Set("principal", principal_);
    result.Set("outputToken", outputToken_.empty() ? env.Null() : Napi::Buffer<uint8_t>::Copy(env, outputToken_.data(), outputToken_.size()));
    result.Set("flags", Napi::Number::New(env, flags_));
    result.Set("lifetime", Napi::Number::New(env, lifetime_));
    // spec/kerberos.md §5.2: the delegated handle only counts when ret_flags says so.
    if ((flags_ & GSS_C_DELEG_FLAG) && delegated_ != GSS_C_NO_CREDENTIAL) {
      result.Set("delegated", DelegatedCredential::Wrap(env, delegated_));
      delegated_ = GSS_C_NO_CREDENTIAL;
    } else {
      result.Set("delegated", env.Null());
    }
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error&) override { deferred_.Reject(toJsError(Env(), failure_).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference acceptorRef_;
  gss_cred_id_t cred_;
  std::vector<uint8_t> token_;
  std::vector<uint8_t> outputToken_;
  std::string principal_;
  OM_uint32 flags_ = 0;
  OM_uint32 lifetime_ = 0;
  gss_cred_id_t delegated_ = GSS_C_NO_CREDENTIAL;
  GssStatus failure_;
};

}  // namespace

Napi::Function Acceptor::Define(Napi::Env env) {
  return DefineClass(env, "Acceptor", {InstanceMethod<&Acceptor::Accept>("accept")});
}

// new Acceptor({ keytab, service, rcache }): service "HTTP@host", or "" for any key in the keytab.
Acceptor::Acceptor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Acceptor>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "new Acceptor({ keytab, service, rcache })");
  Napi::Object options = info[0].As<Napi::Object>();
  std::string keytab = stringOption(options, "keytab");
  std::string service = stringOption(options, "service");
  std::string rcache = stringOption(options, "rcache");

  std::vector<gss_key_value_element_desc> elements;
  if (!keytab.empty()) elements.push_back({"keytab", keytab.c_str()});
  if (!rcache.empty()) elements.push_back({"rcache", rcache.c_str()});
  gss_key_value_set_desc store = {static_cast<OM_uint32>(elements.size()), elements.data()};

  OM_uint32 minor = 0;
  gss_name_t name = GSS_C_NO_NAME;
  if (!service.empty()) {
    gss_buffer_desc buffer = {service.size(), const_cast<char*>(service.data())};
    OM_uint32 major = gss_import_name(&minor, &buffer, GSS_C_NT_HOSTBASED_SERVICE, &name);
    if (GSS_ERROR(major)) throw toJsError(env, describeStatus("gss_import_name", major, minor));
  }
  OM_uint32 major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE, GSS_C_NO_OID_SET, GSS_C_ACCEPT, &store, &cred_,
                                          nullptr, nullptr);
  OM_uint32 ignored = 0;
  if (name != GSS_C_NO_NAME) gss_release_name(&ignored, &name);
  if (GSS_ERROR(major)) throw toJsError(env, describeStatus("gss_acquire_cred_from", major, minor));
}

Acceptor::~Acceptor() {
  OM_uint32 minor = 0;
  if (cred_ != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &cred_);
}

// accept(token: Buffer) -> Promise<{ principal, outputToken, flags, lifetime, delegated }>
Napi::Value Acceptor::Accept(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBuffer()) throw Napi::TypeError::New(env, "accept(token: Buffer)");
  Napi::Buffer<uint8_t> token = info[0].As<Napi::Buffer<uint8_t>>();
  auto* worker = new AcceptWorker(env, info.This().As<Napi::Object>(), cred_, std::vector<uint8_t>(token.Data(), token.Data() + token.Length()));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}
