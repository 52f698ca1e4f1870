// The initiator side, for tests and the benchmark: an SPNEGO token as a browser would send.
#pragma once
#include <napi.h>

Napi::Value Initiate(const Napi::CallbackInfo& info);
