#include "status.h"

static std::string displayStatus(OM_uint32 code, int type) {
  std::string text;
  OM_uint32 context = 0;
  do {
    OM_uint32 minor = 0;
    gss_buffer_desc buffer = GSS_C_EMPTY_BUFFER;
    if (GSS_ERROR(gss_display_status(&minor, code, type, GSS_C_NO_OID, &context, &buffer))) break;
    if (!text.empty()) text += "; ";
    text.append(static_cast<const char*>(buffer.value), buffer.length);
    gss_release_buffer(&minor, &buffer);
  } while (context != 0);
  return text;
}

GssStatus describeStatus(const char* what, OM_uint32 major, OM_uint32 minor) {
  GssStatus status;
  status.major = major;
  status.minor = minor;
  status.message = std::string(what) + ": " + displayStatus(major, GSS_C_GSS_CODE);
  if (minor != 0) status.message += " (" + displayStatus(minor, GSS_C_MECH_CODE) + ")";
  return status;
}

Napi::Error toJsError(Napi::Env env, const GssStatus& status) {
  Napi::Error error = Napi::Error::New(env, status.message);
  error.Set("major", Napi::Number::New(env, status.major));
  error.Set("minor", Napi::Number::New(env, static_cast<int32_t>(status.minor)));
  error.Set("routineError", Napi::Number::New(env, GSS_ROUTINE_ERROR(status.major) >> GSS_C_ROUTINE_ERROR_OFFSET));
  error.Set("supplementary", Napi::Number::New(env, GSS_SUPPLEMENTARY_INFO(status.major)));
  return error;
}
