// GSS-API status handling shared by the acceptor, the delegated credential and the initiator.
#pragma once
#include <napi.h>
#include <gssapi/gssapi.h>
#include <string>

struct GssStatus {
  OM_uint32 major = GSS_S_COMPLETE;
  OM_uint32 minor = 0;
  std::string message;
};

// Builds a GssStatus with the text of both the GSS (major) and mechanism (minor) codes.
GssStatus describeStatus(const char* what, OM_uint32 major, OM_uint32 minor);

// A JS Error carrying `major`, `minor` and `gssMessage`, for the TypeScript side to classify.
Napi::Error toJsError(Napi::Env env, const GssStatus& status);
