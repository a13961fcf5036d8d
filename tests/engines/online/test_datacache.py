"""The per-user cache of derived tables: a hit gives what a build gives; missing, stale, corrupt or foreign files
are rebuilt; an unwritable directory only costs the build."""

from __future__ import annotations

import pytest

from threadline.engines.online import datacache, geo, normalize


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("THREADLINE_CACHE_DIR", str(d))
    return d


def _counting(value):
    calls = []

    def build():
        calls.append(1)
        return value

    return build, calls


def test_miss_builds_and_stores_then_hit_reads(cache):
    data = {"a": [1, 2.5, "x"], "b": ["k", ["v"], {"é": "\u0000\ud800\U0001f600"}]}
    build, calls = _counting(data)
    assert datacache.load_or_build("t", [b"one"], build) == data
    assert datacache.load_or_build("t", [b"one"], build) == data
    assert len(calls) == 1
    (stored,) = cache.iterdir()
    assert stored.stat().st_mode & 0o777 == 0o600 and cache.stat().st_mode & 0o777 == 0o700


def test_changed_inputs_rebuild_and_replace_the_stale_file(cache):
    build, calls = _counting([1])
    datacache.load_or_build("t", [b"v1"], build)
    datacache.load_or_build("t", [b"v2"], build)
    assert len(calls) == 2
    assert [p.name for p in cache.iterdir()] == [f"t-{datacache.cache_key([b'v2'])}.json"]
    datacache.load_or_build("t", [b"v1"], build)  # the old inputs again: built again, never a wrong table
    assert len(calls) == 3


def test_key_separates_the_parts():
    assert datacache.cache_key([b"ab", b"c"]) != datacache.cache_key([b"a", b"bc"])


@pytest.mark.parametrize("damage", ["truncated", "garbage", "other_key", "writable_by_others"])
def test_damaged_or_foreign_file_is_rebuilt(cache, damage):
    build, calls = _counting(["good"])
    datacache.load_or_build("t", [b"k"], build)
    (path,) = cache.iterdir()
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:5])
    elif damage == "garbage":
        path.write_bytes(b"\x00not json at all")
    elif damage == "other_key":
        path.write_text('{"key": "another key", "data": ["bad"]}')
    else:
        path.chmod(0o666)
    assert datacache.load_or_build("t", [b"k"], build) == ["good"]
    assert len(calls) == 2


def test_unwritable_directory_still_builds(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("THREADLINE_CACHE_DIR", str(blocker / "cache"))
    build, calls = _counting([3])
    assert datacache.load_or_build("t", [b"k"], build) == [3]
    assert datacache.load_or_build("t", [b"k"], build) == [3]
    assert len(calls) == 2


def test_default_directory_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("THREADLINE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert datacache.cache_dir() == tmp_path / "threadline"


def test_gazetteer_from_cache_equals_the_direct_build(cache):
    direct = geo._build()
    geo._tables.cache_clear()
    try:
        missed = geo._tables()  # built and stored
        geo._tables.cache_clear()
        hit = geo._tables()  # read back
    finally:
        geo._tables.cache_clear()
    assert len(list(cache.glob("gazetteer-*.json"))) == 1
    for got in (missed, hit):
        assert got == direct
        assert [list(t) for t in got[:3]] == [list(t) for t in direct[:3]]  # same order (regex alternatives)


def test_fold_table_from_cache_equals_the_direct_build(cache):
    saved = list(normalize._BMP)
    normalize._BMP.clear()
    try:
        missed = normalize._bmp_table()
        normalize._BMP.clear()
        hit = normalize._bmp_table()
    finally:
        normalize._BMP[:] = saved
    assert missed == hit == normalize._build_bmp_table()
    assert len(list(cache.glob("fold-*.json"))) == 1


def test_processes_starting_together_build_once(cache):
    # the scan's workers start at the same time: one builds, the others wait for it and read its table
    import threading
    import time

    calls = []

    def build():
        calls.append(1)
        time.sleep(0.3)
        return ["table"]

    got = []
    threads = [
        threading.Thread(target=lambda: got.append(datacache.load_or_build("t", [b"k"], build))) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [["table"]] * 3 and len(calls) == 1
    assert [p.name for p in cache.iterdir()] == [f"t-{datacache.cache_key([b'k'])}.json"]
