"""Records the readers used to abort a scan on or to refuse a file for are per-record errors, and the rest of
the batch is processed (issue #18, item 11)."""

import json

from tests.engines.online.test_bad_inputs import GOOD, _rejects, _scan


def _jsonl(tmp_path, lines: list[bytes], name="a.jsonl"):
    p = tmp_path / name
    p.write_bytes(b"\n".join(lines) + b"\n")
    return p


def test_deeply_nested_json_is_a_reject(tmp_path):
    deep = b'{"id": "d", "body": "x", "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    p = _jsonl(tmp_path, [json.dumps(GOOD).encode(), deep, json.dumps({**GOOD, "id": "b"}).encode()])
    s = _scan(tmp_path, p)
    assert s["counts"]["read"] == 2 and s["counts"]["rejected"] == 1
    [r] = _rejects(tmp_path)
    assert r["line"] == 2 and "nested" in r["reason"]


def test_lone_surrogate_escape_is_a_reject(tmp_path):
    bad = b'{"id": "s", "title": "x\\ud800y", "body": "z"}'
    pair = json.dumps({**GOOD, "id": "pair", "body": "emoji \U0001f600 ok"}).encode()  # \ud83d\ude00: a valid pair
    p = _jsonl(tmp_path, [json.dumps(GOOD).encode(), bad, pair])
    s = _scan(tmp_path, p)
    assert s["counts"]["read"] == 2 and s["counts"]["rejected"] == 1
    [r] = _rejects(tmp_path)
    assert r["line"] == 2 and "surrogate" in r["reason"]


def test_utf8_bom_is_not_part_of_the_first_record(tmp_path):
    p = _jsonl(tmp_path, [b"\xef\xbb\xbf" + json.dumps(GOOD).encode(), json.dumps({**GOOD, "id": "b"}).encode()])
    s = _scan(tmp_path, p)
    assert s["counts"]["read"] == 2 and s["counts"]["rejected"] == 0


def test_utf8_bom_csv_header_is_read(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(b"\xef\xbb\xbfid,title,body\r\na1,Hello,Friendly coffee\r\na2,Hi,Tea\r\n")
    s = _scan(tmp_path, p)
    assert s["counts"]["read"] == 2 and s["counts"]["rejected"] == 0
