{
  "targets": [
    {
      "target_name": "authbridge_gssapi",
      "sources": ["src/addon.cc", "src/acceptor.cc", "src/delegated.cc", "src/initiate.cc", "src/status.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "libraries": ["-lgssapi_krb5"],
      "defines": ["NAPI_VERSION=9", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"]
    }
  ]
}
