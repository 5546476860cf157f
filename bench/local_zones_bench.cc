// What the local zones add to a packet-cache miss (policy/local_zones.h): the
// lookup every missed question pays with the built-in zones on, for a name
// in no local zone (the common case) and for a name answered locally.
#include <benchmark/benchmark.h>

#include <string_view>

#include "policy/local_zones.h"
#include "wire/zone_reader.h"

namespace {

using namespace cairn;

wire::Question question(std::string_view name, wire::RRType type) {
    return {*wire::Name::from_text(name), type, wire::RRClass::IN};
}

std::shared_ptr<const policy::LocalZones> builtin_zones() {
    policy::PolicyOptions options;
    options.local_data = {
        *wire::parse_record("printer.home.arpa. 300 IN A 192.168.1.5", wire::Name::root())};
    return *policy::LocalZones::build(options);
}

void BM_LocalZonesMiss(benchmark::State& state) {
    const auto zones = builtin_zones();
    const auto q = question("www.example.com.", wire::RRType::A);
    for (auto _ : state)
        benchmark::DoNotOptimize(zones->answer(q));
}
BENCHMARK(BM_LocalZonesMiss);

void BM_LocalZonesMissDeepName(benchmark::State& state) {
    const auto zones = builtin_zones();
    const auto q = question("a.b.c.d.e.f.g.h.cdn.example.net.", wire::RRType::AAAA);
    for (auto _ : state)
        benchmark::DoNotOptimize(zones->answer(q));
}
BENCHMARK(BM_LocalZonesMissDeepName);

void BM_LocalZonesLocalData(benchmark::State& state) {
    const auto zones = builtin_zones();
    const auto q = question("printer.home.arpa.", wire::RRType::A);
    for (auto _ : state)
        benchmark::DoNotOptimize(zones->answer(q));
}
BENCHMARK(BM_LocalZonesLocalData);

void BM_LocalZonesPrivateReverse(benchmark::State& state) {
    const auto zones = builtin_zones();
    const auto q = question("7.1.168.192.in-addr.arpa.", wire::RRType::PTR);
    for (auto _ : state)
        benchmark::DoNotOptimize(zones->answer(q));
}
BENCHMARK(BM_LocalZonesPrivateReverse);

}  // namespace

BENCHMARK_MAIN();
