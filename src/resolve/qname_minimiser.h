// QNAME minimisation (RFC 9156): reveal to each zone's servers only one
// label more than the zone itself.
#pragma once

#include "wire/record.h"

namespace cairn::resolve {

// The question to send to the servers of `zone` on the way to `target`.
// With `labels_beyond` = 1 that is the child name one label below the zone,
// asked with type A (RFC 9156 §2.1 — A draws fewer broken answers than NS);
// once the name reaches the target, the real question.
wire::Question minimised_question(const wire::Question& target, const wire::Name& zone,
                                  size_t labels_beyond);

}  // namespace cairn::resolve
