{
  "targets": [
    {
      "target_name": "ringside",
      "sources": [
        "<!@(ls -1 native/engine/*.cpp native/engine/drivers/*.cpp native/engine/fwd/*.cpp native/engine/xdp/*.cpp native/engine/classify/*.cpp native/engine/gen/*.cpp native/engine/capture/*.cpp native/engine/diag/*.cpp native/engine/replay/*.cpp native/engine/netlink/*.cpp native/engine/kni/*.cpp native/engine/memif/*.cpp)",
        "<!@(ls -1 native/binding/*.cpp)"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native/engine"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++20", "-O3", "-fvisibility=hidden", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "ldflags": ["-pthread"]
    }
  ]
}
