#include "protocol/commands/key_slot.hpp"

#include <array>

namespace troupe {
namespace {
// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, table computed at compile time.
constexpr std::array<uint16_t, 256> make_table() {
  std::array<uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    uint16_t crc = uint16_t(i << 8);
    for (int b = 0; b < 8; ++b)
      crc = (crc & 0x8000) ? uint16_t((crc << 1) ^ 0x1021) : uint16_t(crc << 1);
    t[i] = crc;
  }
  return t;
}
constexpr auto crc_table = make_table();
}  // namespace

uint16_t crc16(const char* data, size_t len) {
  uint16_t crc = 0;
  for (size_t i = 0; i < len; ++i)
    crc = uint16_t((crc << 8) ^ crc_table[((crc >> 8) ^ static_cast<uint8_t>(data[i])) & 0xff]);
  return crc;
}

uint16_t key_hash_slot(std::string_view key) {
  size_t open = key.find('{');
  if (open != std::string_view::npos) {
    size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close != open + 1)
      key = key.substr(open + 1, close - open - 1);
  }
  return crc16(key.data(), key.size()) & (cluster_slots - 1);
}

}  // namespace troupe
