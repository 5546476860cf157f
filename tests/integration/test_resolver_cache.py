"""The cache's memory bound under a flood of distinct names.

A scripted server answers every name under script2.zz (a wildcard)
with ~1 KB of TXT; the resolver, started with a 4 MiB cache, resolves
FLOOD_NAMES distinct names (~28 MB of answers). The cache stays within its
bound (Cairn: `cache_memory` and evictions from `cairnctl stats`; Unbound:
mem.cache.*), the process's RSS grows by far less than the data that went
through, and the resolver still answers afterwards.
"""

from __future__ import annotations

import os

from resolver_helpers import (bulk_query, describe, fast_wildcard_txt, final_rdatas, parse_size,
                              seen_everywhere, settle, slot_zone, zone_server)

FLOOD_NAMES = int(os.environ.get("CAIRN_TEST_FLOOD_NAMES", "30000"))
CACHE_SIZE = "4m"
# RSS may grow by the cache bound, once more for allocator slack and
# fragmentation, plus this much for buffers, thread stacks and the like.
RSS_SLACK = 16 << 20
# 4 x 240 bytes of TXT per name: ~1 KB answers, still below 1232 bytes
FLOOD_TXT = [f"{j}-".encode() + b"f" * 238 for j in range(4)]


def test_cache_memory_is_bounded_under_a_flood(resolver, counts, scripted_server):
    # names directly below the zone cut: one upstream query each
    zone = slot_zone("script2.zz.", counts.addr("script-2"),
                     ["*.script2.zz. 300 IN TXT \"x\"", "www.script2.zz. 300 IN A 127.0.0.42"])
    srv = scripted_server(counts.addr("script-2"),
                          fast_wildcard_txt("script2.zz.", FLOOD_TXT, zone_server(zone, "script2.zz.")))
    bound = parse_size(CACHE_SIZE)
    # minimisation off: Unbound would ask each name twice (A, then TXT)
    r = resolver(cache_size=CACHE_SIZE, qname_minimisation=False)
    # warm up (delegations, allocator arenas), then measure from there
    warm = bulk_query(r.host, r.port, [f"w{i}.script2.zz." for i in range(200)], "TXT")
    assert all(rc == 0 for rc in warm.values()), "warm-up failed"
    rss_start = r.rss_kib() * 1024
    names = [f"f{i}.script2.zz." for i in range(FLOOD_NAMES)]
    result = bulk_query(r.host, r.port, names, "TXT", window=16, timeout=5)
    answered = sum(1 for rc in result.values() if rc == 0)
    assert answered >= 0.98 * FLOOD_NAMES, f"only {answered} of {FLOOD_NAMES} names resolved"
    assert len(srv.queries()) >= answered        # each one really went upstream
    rss_end = r.rss_kib() * 1024
    growth = rss_end - rss_start
    data = FLOOD_NAMES * sum(len(t) for t in FLOOD_TXT)
    assert growth <= 2 * bound + RSS_SLACK, \
        f"RSS grew {growth >> 20} MiB ({rss_start >> 20} -> {rss_end >> 20}) for a {bound >> 20} MiB " \
        f"cache and {data >> 20} MiB of answers"
    cache = r.cache_memory()
    if r.is_cairn:
        assert cache <= bound, f"cache_memory {cache} > {bound}"
        assert r.metric("cache_evictions") > 0
        assert r.metric("cache_entries") > 0
    else:
        assert cache <= bound * 1.1, f"Unbound mem.cache.* {cache} > {bound}"
    # the resolver still works: a name from the end of the flood (likely
    # cached), one from the start (likely evicted: resolved again), a new one
    for name, rdtype in ((names[-1], "TXT"), (names[0], "TXT"), ("www.script2.zz.", "A")):
        ans = r.query(name, rdtype)
        assert final_rdatas(ans, rdtype), ans


def test_flush_empties_the_cache(resolver, counts):
    """After a flush (cairnctl flush / unbound-control flush_zone .) a cached
    answer is fetched from the authoritative servers again."""
    r = resolver()
    name = "www.plain.example."
    assert final_rdatas(r.query(name, "A"), "A")
    assert final_rdatas(r.query(name, "A"), "A")
    settle()
    counts.reset_counts()
    assert final_rdatas(r.query(name, "A"), "A")
    assert not [s for s in seen_everywhere(counts) if s.qname == name], "not cached in the first place"
    if r.is_cairn:
        assert r.metric("cache_entries") > 0
    r.flush()
    assert final_rdatas(r.query(name, "A"), "A")
    again = [s for s in seen_everywhere(counts) if s.qname == name]
    assert again and {s.server for s in again} <= {"host-1", "host-2"}, describe(again)
