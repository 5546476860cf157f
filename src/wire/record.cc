#include "wire/record.h"

namespace cairn::wire {

std::string Question::to_text() const {
    std::string out;
    name.append_text(out);
    out += ' ';
    out += wire::to_string(rclass);
    out += ' ';
    out += wire::to_string(type);
    return out;
}

std::string Record::to_text() const {
    std::string out;
    owner.append_text(out);
    out += ' ';
    out += std::to_string(ttl);
    out += ' ';
    out += wire::to_string(rclass);
    out += ' ';
    out += wire::to_string(type);
    out += ' ';
    rdata.append_text(out, type);
    return out;
}

}  // namespace cairn::wire
