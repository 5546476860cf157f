// How `cairnctl query` talks to the server over the encrypted transports:
// what it trusts (DoT, DoH, DoQ) and where it asks (DoH).
#pragma once

#include <string>

namespace cairn::ctl {

struct TlsSettings {
    // PEM file of the CA certificates to trust; empty: the system's.
    std::string ca_file;
    // No check of the certificate at all (--insecure).
    bool insecure = false;
    // The name the certificate must be for, also sent as SNI; empty: the
    // certificate must be for the server's IP address.
    std::string name;
};

struct DohSettings {
    std::string path = "/dns-query";
    // RFC 8484 §4.1: GET with the query in base64url (?dns=), else POST
    // with the query as the body.
    bool get = false;
};

}  // namespace cairn::ctl
