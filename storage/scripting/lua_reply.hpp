// Conversions between RESP and Lua values, as Redis 7.0 documents them:
// - a command's reply (RESP2 or RESP3 bytes) becomes the Lua value redis.call
//   returns (integer -> number, bulk -> string, nil -> false in RESP2 / nil in
//   RESP3, status -> {ok=...}, error -> {err=...}, RESP3 map/set/double/bool/
//   big number/verbatim -> their tables);
// - a script's Lua result becomes the reply to its caller (numbers truncated
//   to integers, arrays cut at the first nil, {err=}/{ok=} tables, and the RESP3
//   tables written with the caller's protocol).
#pragma once
#include <string_view>

#include "storage/scripting/lua_api.hpp"

namespace troupe {

class reply_writer;

// Pushes the reply that starts at resp[pos] as one Lua value; pos moves past
// it. The bytes are a reply Troupe wrote itself (well-formed).
void push_resp_reply(lua_State* L, std::string_view resp, size_t& pos);

// Writes the value at stack index `idx` as a reply. `script_resp` is the
// protocol the script chose with redis.setresp (it decides how booleans go).
void write_lua_value(lua_State* L, int idx, reply_writer& out, int script_resp);

// Pushes an error table {err=...} from an error reply text as Redis's
// luaPushErrorBuff makes it: a leading '-' is dropped, and a message without
// an error code (no space in it) gets "ERR ".
void push_error_table(lua_State* L, std::string_view reply_text);

// Pushes {err="ERR " .. msg}: an error the scripting layer itself raises.
void push_err(lua_State* L, std::string_view msg);

}  // namespace troupe
