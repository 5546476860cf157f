#include "support/test_certificate.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdlib.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace cairn::testing {

namespace {

void check(int rv, const char* what) {
    if (rv < 0) throw std::runtime_error(std::string(what) + ": " + gnutls_strerror(rv));
}

void write_pem(const std::string& path, const gnutls_datum_t& pem) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(pem.data), static_cast<std::streamsize>(pem.size));
}

}  // namespace

TestCertificate::TestCertificate() {
    char name[] = "/tmp/cairn-cert-XXXXXX";
    dir_ = ::mkdtemp(name);
    certificate_ = dir_ + "/cert.pem";
    key_ = dir_ + "/key.pem";

    gnutls_x509_privkey_t key = nullptr;
    gnutls_x509_crt_t crt = nullptr;
    check(gnutls_x509_privkey_init(&key), "key");
    check(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                       GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
          "key generation");
    check(gnutls_x509_crt_init(&crt), "certificate");
    const unsigned char serial[] = {1};
    const unsigned char loopback[] = {127, 0, 0, 1};
    const std::time_t now = std::time(nullptr);
    check(gnutls_x509_crt_set_version(crt, 3), "version");
    check(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)), "serial");
    check(gnutls_x509_crt_set_activation_time(crt, now - 3600), "activation");
    check(gnutls_x509_crt_set_expiration_time(crt, now + 86400), "expiration");
    check(gnutls_x509_crt_set_dn(crt, "CN=cairn test", nullptr), "subject");
    check(gnutls_x509_crt_set_key(crt, key), "public key");
    check(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, loopback,
                                               sizeof(loopback), GNUTLS_FSAN_SET),
          "subjectAltName");
    check(gnutls_x509_crt_set_basic_constraints(crt, 1, -1), "basic constraints");
    check(
        gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN),
        "key usage");
    check(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), "signature");

    gnutls_datum_t pem{};
    check(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem), "certificate export");
    write_pem(certificate_, pem);
    gnutls_free(pem.data);
    check(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &pem), "key export");
    write_pem(key_, pem);
    gnutls_free(pem.data);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
}

TestCertificate::~TestCertificate() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

}  // namespace cairn::testing
