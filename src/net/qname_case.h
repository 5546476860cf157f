// 0x20 (draft-vixie-dnsext-dns0x20): the letters of a QNAME in random case.
// Servers copy the question into their reply byte for byte, so an answer
// that does not echo the case was not made from our query: one more bit an
// off-path forger has to guess for every letter of the name.
#pragma once

#include "net/random_pool.h"
#include "wire/message.h"
#include "wire/name.h"

namespace cairn::net {

// `name` with each ASCII letter in upper or lower case at random, whatever
// its case was; other octets unchanged.
wire::Name randomise_case(const wire::Name& name, RandomPool& random);

// For an accepted reply to a question sent as `sent`: the question, and the
// owner names equal to `sent` or one of its suffixes in exactly that case
// (echoed from the question, through compression), take back the case of
// `original`, so that random case reaches neither the caches nor clients.
// Names inside RDATA are left as they came.
void restore_case(wire::Message& reply, const wire::Name& sent, const wire::Name& original);

}  // namespace cairn::net
