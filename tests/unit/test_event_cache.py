"""The per-instance event cache: fresh for max_age seconds, bounded in size."""

from chalicelib.api.event_cache import MAX_ENTRIES, EventCache


class Loader:
    def __init__(self):
        self.calls = []

    def __call__(self, event_id):
        self.calls.append(event_id)
        return f"record of {event_id}"


def test_reads_are_reused_until_they_are_max_age_old():
    now = [100.0]
    load = Loader()
    cache = EventCache(load, max_age=10, clock=lambda: now[0])
    assert cache.get("a") == "record of a"
    now[0] += 9.9
    cache.get("a")
    assert load.calls == ["a"]
    now[0] += 0.1
    cache.get("a")
    assert load.calls == ["a", "a"]


def test_the_cache_is_bounded():
    load = Loader()
    cache = EventCache(load, clock=lambda: 0.0)
    for i in range(MAX_ENTRIES + 10):
        cache.get(f"e{i}")
    cache.get("e0")
    assert load.calls.count("e0") == 2
    cache.get(f"e{MAX_ENTRIES + 9}")
    assert load.calls.count(f"e{MAX_ENTRIES + 9}") == 1


def test_an_update_replaces_the_record_but_not_its_age():
    now = [0.0]
    load = Loader()
    cache = EventCache(load, max_age=10, clock=lambda: now[0])
    cache.get("a")
    now[0] = 5
    cache.update("a", "newer counts")
    assert cache.get("a") == "newer counts"
    now[0] = 10
    assert cache.get("a") == "record of a"
    cache.update("unknown", "ignored")
    assert cache.get("unknown") == "record of unknown"
