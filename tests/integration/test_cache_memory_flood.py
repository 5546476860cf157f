"""Resident memory under a flood of distinct names under many zones.

Everything Cairn keeps per name, zone or server counts against cache-size
(README "Memory"): its resident size stays below
cache-size x 9/8 + 32 MiB + 8 MiB per worker thread, however many names and
zones go through. The flood (flood_scenario.py): FLOOD_NAMES distinct names
under FLOOD_ZONES zones, each zone its own delegation from script1.zz., so
the resolver learns a new answer per name and a new zone cut per zone. The
full 1,000,000 / 100,000 run is bench/attacks; this one is scaled down to
stay within a minute (CAIRN_TEST_FLOOD_NAMES and CAIRN_TEST_FLOOD_ZONES
scale it: 100,000 / 10,000 takes ~2 minutes of one core), with a cache
small enough to fill many times.
"""

from __future__ import annotations

import os

import flood_scenario as fs
from resolver_helpers import bulk_query, cairn_stats, parse_size

FLOOD_NAMES = int(os.environ.get("CAIRN_TEST_FLOOD_NAMES", "50000"))
FLOOD_ZONES = int(os.environ.get("CAIRN_TEST_FLOOD_ZONES", "5000"))
CACHE_SIZE = "8m"
THREADS = 1
CHUNK = 5000


def rss_bound(cache_size: int, threads: int) -> int:
    """README "Memory": the documented ceiling of resident memory."""
    return cache_size * 9 // 8 + (32 << 20) + threads * (8 << 20)


def test_resident_memory_stays_bounded_under_a_flood_of_names_and_zones(cairn, mini_internet, tmp_path):
    net_prefix = ".".join(mini_internet.addr("script-1").split(".")[:2])
    control = os.path.join("/tmp", f"cairn-flood-{os.getpid()}.sock")
    servers = fs.start_servers(mini_internet, net_prefix)
    try:
        r = cairn({"cache-size": CACHE_SIZE, "threads": THREADS, "control-socket": control})
        names = fs.names(FLOOD_NAMES, FLOOD_ZONES)
        answered, peak = 0, 0
        for start in range(0, len(names), CHUNK):
            result = bulk_query(r.host, r.port, names[start:start + CHUNK], window=64, timeout=5)
            answered += sum(1 for rc in result.values() if rc == 0)
            fs.forget_received(servers)
            peak = max(peak, fs.rss_kib(r.pid) * 1024)
        assert answered >= 0.98 * FLOOD_NAMES, f"only {answered} of {FLOOD_NAMES} names resolved"
        stats = cairn_stats(control)
        cache_size = parse_size(CACHE_SIZE)
        # The flood went through the caches many times over...
        assert stats["cache.rrset_evictions"] > FLOOD_NAMES / 2, stats
        accounted = sum(v for k, v in stats.items() if k.startswith("cache.") and k.endswith("_memory"))
        assert accounted <= cache_size, stats
        # ...and the process stayed within the documented ceiling.
        hwm = fs.rss_kib(r.pid, "VmHWM") * 1024
        bound = rss_bound(cache_size, THREADS)
        assert max(peak, hwm) <= bound, \
            f"resident {peak >> 20} MiB, peak {hwm >> 20} MiB > {bound >> 20} MiB " \
            f"(cache-size {CACHE_SIZE}, {THREADS} thread)"
        # Still answering: a name from the start of the flood (evicted long
        # ago, resolved again) and one from the end.
        for name in (names[0], names[-1]):
            assert r.query(name, "A").answer, name
    finally:
        for s in servers:
            s.stop()
        if os.path.exists(control):
            os.unlink(control)
