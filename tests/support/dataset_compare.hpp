// What a running server holds, read through commands only (SCAN and each
// type's read commands), as one comparable value: two servers hold the same
// data when their dumps are equal. Used by the replication tests to compare a
// replica with its master, whatever either of them is.
#pragma once
#include <functional>
#include <map>
#include <string>

#include "server_process.hpp"

namespace troupe::test {

// "db:key" -> "type|content|ttl" (ttl: "volatile" or "persistent"; the
// remaining time itself differs between servers and is not compared).
using dataset_dump = std::map<std::string, std::string>;

dataset_dump dump_dataset(const server_process& s, int databases = 16);

// A readable account of how two dumps differ (empty when they are equal).
std::string dataset_difference(const dataset_dump& a, const dataset_dump& b);

// Polls `cond` every 20 ms until it holds or `ms` pass; returns whether it held.
bool wait_for(const std::function<bool()>& cond, int ms = 10000);

// One field of INFO (`section`), or "" when absent.
std::string info_field(const server_process& s, const std::string& section,
                       const std::string& field);

}  // namespace troupe::test
