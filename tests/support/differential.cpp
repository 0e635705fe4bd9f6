#include "differential.hpp"

#include <gtest/gtest.h>

namespace troupe::test {

bool troupe_only_command(const std::string& name) {
  // Atomic slot migration, after Valkey 9 (actors/cluster/slot_migration.hpp).
  return name == "cluster|migrateslots" || name == "cluster|getslotmigrations" ||
         name == "cluster|cancelslotmigrations" || name == "cluster|syncslots";
}

differential::differential(std::vector<std::string> troupe_args,
                           std::vector<std::string> redis_args)
    : redis_(std::move(redis_args), server_process::kind::redis), troupe_(std::move(troupe_args)) {
  ok_ = redis_.start() && troupe_.start();
  if (ok_) {
    rc_ = redis_.client();
    tc_ = troupe_.client();
  }
}

resp_value differential::same(const std::vector<std::string>& args) {
  resp_value r = rc_.call(args);
  resp_value t = tc_.call(args);
  std::string cmd;
  for (auto& a : args) cmd += a + " ";
  EXPECT_EQ(r.to_string(), t.to_string()) << "command: " << cmd;
  return t;
}

resp_value differential::both(const std::vector<std::string>& args) {
  rc_.call(args);
  return tc_.call(args);
}

}  // namespace troupe::test
