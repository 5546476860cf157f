#include "resolve/qname_minimiser.h"

namespace cairn::resolve {

wire::Question minimised_question(const wire::Question& target, const wire::Name& zone,
                                  size_t labels_beyond) {
    const size_t labels = zone.label_count() + labels_beyond;
    if (labels >= target.name.label_count()) return target;
    return wire::Question{target.name.suffix(labels), wire::RRType::A, target.rclass};
}

}  // namespace cairn::resolve
