// Hashing and encoding primitives the AWS client needs, on OpenSSL's EVP.
//
// All functions are pure and thread-safe. Digest outputs are raw bytes unless the
// name says hex/base64.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fixgate::aws {

std::string sha256(std::string_view data);             // 32 raw bytes
std::string sha256_hex(std::string_view data);         // 64 lower-case hex chars
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string md5(std::string_view data);                // 16 raw bytes (Content-MD5 only)
std::uint32_t crc32(std::string_view data);            // IEEE CRC-32 (x-amz-checksum-crc32)
std::string base64_encode(std::string_view bytes);
std::string hex_encode(std::string_view bytes);

// Compares two strings in time independent of where they differ (signature checks).
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace fixgate::aws
