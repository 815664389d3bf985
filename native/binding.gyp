# kerasrt's native back end: one Node-API addon (C API, node_api.h; no node-addon-api), built by
# scripts/build-native.mjs. One .node holds the portable kernels and, on x86-64, AVX2+FMA and AVX-512F
# variants compiled with per-function target attributes (pragmas in the isa_*.cc files), picked at start-up
# from CPUID. No -march flags: the binary must run on any x86-64 (or arm64: portable kernels only).
{
  "targets": [
    {
      "target_name": "kerasrt_native",
      "sources": [
        "src/addon.cc",
        "src/engine.cc",
        "src/pool.cc",
        "src/pack.cc",
        "src/isa_generic.cc",
        "src/isa_avx2.cc",
        "src/isa_avx512.cc"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-O2", "-O0", "-fno-omit-frame-pointer"],
      "cflags_cc!": ["-O2", "-O0"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-Wno-unused-function", "-Wno-psabi", "-Wno-uninitialized", "-Wno-maybe-uninitialized", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math"],
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "Optimization": 2, "AdditionalOptions": ["/std:c++17"] }
      }
    }
  ]
}
