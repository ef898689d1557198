# -O3 throughout (node's Release default): compiling every file at -O2 took
# as long (88.7 against 90.1 CPU-s for the 49 files before the binding layer
# became one unit), so no file gains from a lower level. Time goes to napi.h,
# hence native/binding/all.cpp.
{
  "targets": [
    {
      "target_name": "ringside",
      "sources": [
        "<!@(for d in $(sed '/^#/d' native/sources.txt); do ls -1 native/$d/*.cpp; done)",
        "native/binding/all.cpp"
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
