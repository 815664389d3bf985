// Compile-time weight packing (pack.cc): false when an argument or address range is invalid.
#pragma once
#include <cstddef>
#include <cstdint>

namespace kr {
bool packPanelRows(uint8_t* buf, size_t length, uint32_t src, uint32_t dst, int32_t K, int32_t N, int32_t k0, int32_t k1);
bool winogradPack(uint8_t* buf, size_t length, uint32_t src, uint32_t dst, uint32_t g, uint32_t tmp, int32_t r, int32_t t, int32_t cin, int32_t cout);
}  // namespace kr
