// Service::bind_encrypted and reload_certificates: the DoT, DoH and DoQ parts
// of the service, apart from the plain DNS listeners in service.cc.
#include "server/service.h"

namespace cairn::server {

Status<TextError> Service::bind_encrypted() {
    encrypted_listening_.clear();
    const auto addresses = encrypted_addresses(settings_.encrypted);
    if (addresses.empty()) return {};
    // Read at start and at every reload: a bad file fails the reload, and
    // the running service keeps the certificate it has.
    auto tls = load_tls_contexts(settings_.encrypted);
    if (!tls) return Unexpected{tls.error()};
    tls_ = *tls;
    for (const auto& where : addresses) {
        // The first worker settles the port; the others bind the same one.
        auto bound = workers_[0]->listen_encrypted(where, *tls);
        if (!bound) return Unexpected{bound.error()};
        const EncryptedAddress settled{where.protocol, *bound};
        for (size_t i = 1; i < workers_.size(); ++i)
            if (auto also = workers_[i]->listen_encrypted(settled, *tls); !also)
                return Unexpected{also.error()};
        encrypted_listening_.push_back(settled);
    }
    return {};
}

Status<TextError> Service::reload_certificates(const EncryptedOptions& options) {
    auto tls = load_tls_contexts(options, tls_);
    if (!tls) return Unexpected{tls.error()};
    settings_.encrypted = options;
    tls_ = *tls;
    for (auto& worker : workers_)
        worker->replace_tls(*tls);
    return {};
}

}  // namespace cairn::server
