// Dns64Resolver: which questions it asks of the resolver behind it, and the
// answers it makes from theirs (RFC 6147).
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "server/dns64_resolver.h"
#include "wire/typed_rdata.h"

namespace cairn::server {
namespace {

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::Record record(std::string_view owner, wire::RRType type, uint32_t ttl,
                    std::string_view rdata) {
    const auto tokens = *wire::tokenize(rdata);
    return {name(owner), type, wire::RRClass::IN, ttl,
            *wire::RData::from_text(type, tokens, wire::Name::root())};
}

resolve::Answer with_rcode(wire::Rcode rcode) {
    resolve::Answer answer;
    answer.rcode = rcode;
    return answer;
}

// Answers from a script, and remembers what it was asked.
class ScriptedResolver final : public resolve::Resolver {
public:
    std::map<std::pair<std::string, wire::RRType>, resolve::Answer> script;
    std::vector<resolve::ClientQuery> asked;

    asio::awaitable<resolve::Answer> resolve(resolve::ClientQuery query) override {
        asked.push_back(query);
        const auto found = script.find({query.question.name.to_text(), query.question.type});
        if (found == script.end()) co_return with_rcode(wire::Rcode::NXDOMAIN);
        co_return found->second;
    }
};

struct Fixture {
    ScriptedResolver* scripted = nullptr;
    std::unique_ptr<Dns64Resolver> dns64;

    explicit Fixture(policy::Dns64Options options = {}) {
        auto inner = std::make_unique<ScriptedResolver>();
        scripted = inner.get();
        options.enabled = true;
        dns64 = std::make_unique<Dns64Resolver>(std::move(inner), policy::Dns64(options));
    }

    resolve::Answer ask(std::string_view qname, wire::RRType type, bool dnssec_ok = false,
                        bool checking_disabled = false) {
        asio::io_context io;
        resolve::Answer out;
        resolve::ClientQuery query{
            {name(qname), type, wire::RRClass::IN}, true, dnssec_ok, checking_disabled};
        asio::co_spawn(io, dns64->resolve(query), [&](std::exception_ptr error, resolve::Answer a) {
            if (error) std::rethrow_exception(error);
            out = std::move(a);
        });
        io.run();
        return out;
    }
};

resolve::Answer nodata(uint32_t soa_ttl = 3600, uint32_t minimum = 300) {
    resolve::Answer answer;
    answer.authority = {
        record("example.", wire::RRType::SOA, soa_ttl,
               "ns.example. hostmaster.example. 1 7200 900 1209600 " + std::to_string(minimum))};
    answer.authentic_data = true;
    answer.cache_ttl = 300;
    return answer;
}

resolve::Answer positive(std::vector<wire::Record> records, bool secure = true) {
    resolve::Answer answer;
    answer.answer = std::move(records);
    answer.authentic_data = secure;
    answer.cache_ttl = 3600;
    return answer;
}

TEST(Dns64Resolver, MakesAaaaFromAWhenThereIsNone) {
    Fixture f;
    f.scripted->script[{"v4.example.", wire::RRType::AAAA}] = nodata(3600, 300);
    f.scripted->script[{"v4.example.", wire::RRType::A}] =
        positive({record("v4.example.", wire::RRType::A, 3600, "93.184.216.34")});
    const auto answer = f.ask("v4.example.", wire::RRType::AAAA);
    EXPECT_EQ(answer.rcode, wire::Rcode::NOERROR);
    ASSERT_EQ(answer.answer.size(), 1u);
    EXPECT_EQ(answer.answer[0],
              record("v4.example.", wire::RRType::AAAA, 300, "64:ff9b::5db8:d822"));
    EXPECT_FALSE(answer.authentic_data);
    EXPECT_LE(answer.cache_ttl, 300u);
    EXPECT_EQ(f.dns64->metrics().synthesised.load(), 1u);
}

TEST(Dns64Resolver, LeavesRealAaaaAndOtherTypesAlone) {
    Fixture f;
    const auto real = positive({record("dual.example.", wire::RRType::AAAA, 60, "2001:db8::1")});
    f.scripted->script[{"dual.example.", wire::RRType::AAAA}] = real;
    f.scripted->script[{"dual.example.", wire::RRType::MX}] = nodata();
    const auto answer = f.ask("dual.example.", wire::RRType::AAAA);
    EXPECT_EQ(answer.answer, real.answer);
    EXPECT_TRUE(answer.authentic_data);
    f.ask("dual.example.", wire::RRType::MX);
    ASSERT_EQ(f.scripted->asked.size(), 2u);
    EXPECT_EQ(f.scripted->asked[1].question.type, wire::RRType::MX);
    EXPECT_EQ(f.dns64->metrics().synthesised.load(), 0u);
}

TEST(Dns64Resolver, NxdomainStandsWithoutAskingForA) {
    Fixture f;
    const auto answer = f.ask("gone.example.", wire::RRType::AAAA);
    EXPECT_EQ(answer.rcode, wire::Rcode::NXDOMAIN);
    EXPECT_EQ(f.scripted->asked.size(), 1u);
}

TEST(Dns64Resolver, DoAndCdGetTheRealAnswerDoAloneGetsSynthesisWithoutAd) {
    Fixture f;
    f.scripted->script[{"v4.example.", wire::RRType::AAAA}] = nodata();
    f.scripted->script[{"v4.example.", wire::RRType::A}] =
        positive({record("v4.example.", wire::RRType::A, 3600, "93.184.216.34")});
    const auto own = f.ask("v4.example.", wire::RRType::AAAA, true, true);
    EXPECT_TRUE(own.answer.empty());
    EXPECT_TRUE(own.authentic_data);
    const auto made = f.ask("v4.example.", wire::RRType::AAAA, true, false);
    ASSERT_EQ(made.answer.size(), 1u);
    EXPECT_FALSE(made.authentic_data);
}

TEST(Dns64Resolver, BogusAaaaAnswerIsNeverReplaced) {
    Fixture f;
    resolve::Answer bogus = with_rcode(wire::Rcode::SERVFAIL);
    bogus.extended_error = wire::ExtendedErrorOption{wire::ExtendedErrorCode::kDnssecBogus, ""};
    f.scripted->script[{"forged.example.", wire::RRType::AAAA}] = bogus;
    f.scripted->script[{"forged.example.", wire::RRType::A}] =
        positive({record("forged.example.", wire::RRType::A, 3600, "93.184.216.34")});
    const auto answer = f.ask("forged.example.", wire::RRType::AAAA);
    EXPECT_EQ(answer.rcode, wire::Rcode::SERVFAIL);
    EXPECT_EQ(f.scripted->asked.size(), 1u);
}

TEST(Dns64Resolver, WithoutMappableAThePlainAnswerStands) {
    Fixture f;
    f.scripted->script[{"private.example.", wire::RRType::AAAA}] = nodata();
    f.scripted->script[{"private.example.", wire::RRType::A}] =
        positive({record("private.example.", wire::RRType::A, 3600, "10.0.0.1")});
    const auto answer = f.ask("private.example.", wire::RRType::AAAA);
    EXPECT_TRUE(answer.answer.empty());
    EXPECT_EQ(answer.authority.size(), 1u);
    EXPECT_EQ(f.dns64->metrics().synthesised.load(), 0u);
}

TEST(Dns64Resolver, PtrOfAPrefixAddressIsACnameToInAddrArpa) {
    Fixture f;
    f.scripted->script[{"34.216.184.93.in-addr.arpa.", wire::RRType::PTR}] =
        positive({record("34.216.184.93.in-addr.arpa.", wire::RRType::PTR, 7200, "v4.example.")});
    const std::string qname =
        "2.2.8.d.8.b.d.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa.";
    const auto answer = f.ask(qname, wire::RRType::PTR);
    ASSERT_EQ(answer.answer.size(), 2u);
    EXPECT_EQ(answer.answer[0],
              record(qname, wire::RRType::CNAME, 600, "34.216.184.93.in-addr.arpa."));
    EXPECT_EQ(answer.answer[1].type, wire::RRType::PTR);
    EXPECT_FALSE(answer.authentic_data);
    EXPECT_EQ(f.dns64->metrics().ptr_synthesised.load(), 1u);
}

}  // namespace
}  // namespace cairn::server
