// Every message in the catalogue of actors/messages.hpp survives CAF's binary
// serialisation, as it must to cross processes (the cluster bus will): each
// element has an inspect() overload and custom types are registered.
#include <gtest/gtest.h>

#include <caf/all.hpp>

#include "actors/runtime/messages.hpp"

using namespace troupe;

namespace {

caf::message round_trip(caf::actor_system& sys, const caf::message& in) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto err = sink(const_cast<caf::message&>(in));
  EXPECT_FALSE(err) << sys.render(err);
  caf::message out;
  caf::binary_deserializer source{sys, buf};
  err = source(out);
  EXPECT_FALSE(err) << sys.render(err);
  return out;
}

}  // namespace

TEST(messages, every_message_of_the_catalogue_crosses_a_process_boundary) {
  caf::actor_system_config cfg;
  register_message_types(cfg);
  caf::actor_system sys{cfg};
  std::vector<caf::message> catalogue = {
      caf::make_message(close_atom::value),
      caf::make_message(unblock_atom::value, std::string("*2\r\n$1\r\nk\r\n$1\r\nv\r\n")),
      caf::make_message(cancel_atom::value, true),
      caf::make_message(pubsub_atom::value, published_message{"n*", "news", "hello"}),
      caf::make_message(pubsub_atom::value, published_message{"", "news", std::string("\0x", 2)}),
      caf::make_message(tick_atom::value),
      caf::make_message(snapshot_atom::value),
      caf::make_message(chunk_atom::value, std::string("REDIS0010\xfa", 10)),
      caf::make_message(done_atom::value),
      caf::make_message(free_atom::value),
  };
  for (auto& m : catalogue) {
    caf::message back = round_trip(sys, m);
    EXPECT_EQ(caf::to_string(back), caf::to_string(m));
  }
  // The struct's fields come back, not just its text.
  caf::message back = round_trip(sys, catalogue[3]);
  ASSERT_TRUE((back.match_elements<pubsub_atom, published_message>()));
  EXPECT_EQ(back.get_as<published_message>(1), (published_message{"n*", "news", "hello"}));
}
