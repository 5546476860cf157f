// A self-signed certificate for 127.0.0.1 made with GnuTLS in the test
// itself, written as PEM files into a temporary directory that goes away
// with it: for the tests of the TLS and QUIC listeners.
#pragma once

#include <string>

namespace cairn::testing {

class TestCertificate {
public:
    TestCertificate();
    ~TestCertificate();
    TestCertificate(const TestCertificate&) = delete;
    TestCertificate& operator=(const TestCertificate&) = delete;

    // Also the CA file to trust it with: it signed itself.
    const std::string& certificate() const { return certificate_; }
    const std::string& key() const { return key_; }

private:
    std::string dir_;
    std::string certificate_;
    std::string key_;
};

}  // namespace cairn::testing
