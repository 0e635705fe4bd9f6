// LZF compression in liblzf's format, as RDB files use it for strings:
//
//   000LLLLL <L+1 literal bytes>              a run of 1..32 literal bytes
//   LLLooooo oooooooo                         a back reference of L+2 bytes (L < 7)
//   111ooooo LLLLLLLL oooooooo                a back reference of L+9 bytes
//
// where the offset o (13 bits) counts back from the current output position
// minus one. Our own implementation of the public format.
#pragma once
#include <cstddef>

namespace troupe {

// Compresses in into out; returns the compressed size, or 0 when it does not fit
// in out_len bytes (callers pass the size they are willing to accept).
size_t lzf_compress(const void* in, size_t in_len, void* out, size_t out_len);

// Decompresses in into out; returns the decompressed size, or 0 when the input
// is corrupt or does not fit in out_len bytes. Never reads or writes out of range.
size_t lzf_decompress(const void* in, size_t in_len, void* out, size_t out_len);

}  // namespace troupe
