import gzip
import json
import os

import pytest

from threadline.engines.online.readers import InputError
from threadline.engines.online.scan import ScanOptions, run_scan

GOOD = {"id": "a1", "site": "s.example", "title": "Hello", "body": "Friendly coffee. Call 202-555-0143",
        "city": "Boston",
        "country": "US", "posted_at": "2026-02-01T10:00:00Z"}  # fmt: skip


def _lines(n=5):
    return [json.dumps({**GOOD, "id": f"a{i}"}) for i in range(n)]


def _scan(tmp_path, *paths, **kw):
    return run_scan([str(p) for p in paths], tmp_path / "ws", ScanOptions(workers=1, html_report=False, **kw))


def _rejects(tmp_path):
    return [json.loads(x) for x in (tmp_path / "ws" / "rejects.jsonl").read_text().splitlines()]


def test_truncated_gzip(tmp_path):
    p = tmp_path / "t.jsonl.gz"
    data = gzip.compress(("\n".join(_lines(200)) + "\n").encode())
    p.write_bytes(data[: len(data) // 2])
    s = _scan(tmp_path, p)
    c = s["counts"]
    assert c["rejected"] >= 1 and c["read"] + c["rejected"] == c["input_records"]
    assert any("gzip" in r["reason"] for r in _rejects(tmp_path))


def test_wrong_encoding_and_invalid_json_lines(tmp_path):
    p = tmp_path / "w.jsonl"
    lines = [x.encode() for x in _lines(3)]
    lines.append(json.dumps({**GOOD, "id": "latin", "body": "café"}, ensure_ascii=False).encode("latin-1"))
    lines.append(b"{not json")
    lines.append(b"[1, 2]")
    p.write_bytes(b"\n".join(lines) + b"\n")
    s = _scan(tmp_path, p)
    assert s["counts"]["read"] == 3 and s["counts"]["rejected"] == 3
    reasons = " | ".join(r["reason"] for r in _rejects(tmp_path))
    assert "utf-8" in reasons and "invalid JSON" in reasons and "not a JSON object" in reasons
    for r in _rejects(tmp_path):
        assert r["file"] == "w.jsonl" and isinstance(r["line"], int)
        assert "555" not in r["reason"]  # never identifying data in reasons


def test_latin1_with_encoding_option(tmp_path):
    p = tmp_path / "l.jsonl"
    p.write_bytes(json.dumps({**GOOD, "body": "café 202-555-0143"}, ensure_ascii=False).encode("latin-1") + b"\n")
    assert _scan(tmp_path, p, encoding="latin-1")["counts"]["read"] == 1


def test_missing_columns_csv_is_a_clear_error(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("ident,text\n1,hello\n")
    with pytest.raises(InputError, match="missing column"):
        _scan(tmp_path, p)
    # mapped, it works
    s = run_scan([str(p)], tmp_path / "ws2", ScanOptions(workers=1, html_report=False,
                                                        field_map={"id": "ident", "body": "text"}))  # fmt: skip
    assert s["counts"]["read"] == 1


def test_missing_id_in_jsonl_is_a_reject(tmp_path):
    p = tmp_path / "n.jsonl"
    p.write_text(json.dumps({"body": "no id here"}) + "\n" + _lines(1)[0] + "\n")
    s = _scan(tmp_path, p)
    assert s["counts"]["rejected"] == 1 and "missing field id" in _rejects(tmp_path)[0]["reason"]


def test_huge_single_line(tmp_path):
    p = tmp_path / "h.jsonl"
    big = json.dumps({**GOOD, "id": "big", "body": "x" * 300_000})
    p.write_text(_lines(2)[0] + "\n" + big + "\n" + _lines(2)[1] + "\n")
    s = _scan(tmp_path, p, max_line_bytes=100_000)
    assert s["counts"]["read"] == 2 and s["counts"]["rejected"] == 1
    assert "longer than" in _rejects(tmp_path)[0]["reason"]


def test_binary_garbage(tmp_path):
    rnd = os.urandom(5000)
    (tmp_path / "g.jsonl").write_bytes(rnd)
    (tmp_path / "g.parquet").write_bytes(rnd)
    (tmp_path / "ok.jsonl").write_text("\n".join(_lines(2)) + "\n")
    s = _scan(tmp_path, tmp_path / "g.jsonl", tmp_path / "g.parquet", tmp_path / "ok.jsonl")
    c = s["counts"]
    assert c["read"] == 2 and c["rejected"] >= 2 and c["balanced"]
    assert any("Parquet" in r["reason"] for r in _rejects(tmp_path))


def test_csv_ragged_rows_and_duplicates(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text('id,title,body,extra_col\n1,A,"multi\nline body",x\n2,B\n1,C,dup,y\n')
    s = _scan(tmp_path, p)
    c = s["counts"]
    assert c["read"] == 1 and c["rejected"] == 2 and c["duplicate_ids"] == 1
    import pyarrow.parquet as pq

    ads = pq.read_table(tmp_path / "ws" / "ads.parquet").to_pylist()
    assert json.loads(ads[0]["extra"]) == {"extra_col": "x"}


def test_unknown_and_missing_input(tmp_path):
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(InputError):
        _scan(tmp_path, tmp_path / "x.txt")
    with pytest.raises(InputError):
        _scan(tmp_path, tmp_path / "nope.jsonl")


def test_html_directory(tmp_path):
    d = tmp_path / "pages"
    d.mkdir()
    words = ["gardens and bikes in spring", "museums concerts and late coffee", "harbour walks with old books"]
    for i in range(3):
        (d / f"ad{i}.html").write_text(
            f"<html><head><title>Ad {i}</title><meta property='og:url' content='https://s.example/ad/{i}'>"
            "<style>.x{}</style><script>var phone='000';</script></head><body><h1>Friendly</h1>"
            f"<p>New in town, {words[i]}. Call 202-555-01{40 + i % 2}</p>"
            f"<time datetime='2026-01-0{i + 1}'>x</time></body></html>"
        )
    (d / "empty.html").write_text("<html><body><script>x</script></body></html>")
    s = _scan(tmp_path, d)
    assert s["counts"]["read"] == 3 and s["counts"]["rejected"] == 1
    import pyarrow.parquet as pq

    ads = pq.read_table(tmp_path / "ws" / "ads.parquet").to_pylist()
    assert all("var phone" not in a["body"] for a in ads)
    assert {a["site"] for a in ads} == {"s.example"}
    assert len({a["network_id"] for a in ads}) == 2  # two ads share a phone


def test_gzip_bomb_parquet_is_a_reject_not_a_memory_blowup(tmp_path):
    p = tmp_path / "bomb.parquet.gz"
    p.write_bytes(gzip.compress(bytes(50 * 1024 * 1024)))
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(_lines(3)) + "\n")
    s = _scan(tmp_path, good, p)
    assert s["counts"]["read"] == 3 and s["counts"]["rejected"] == 1
    [reject] = _rejects(tmp_path)
    assert reject["file"] == "bomb.parquet.gz" and "unpacks to more than" in reject["reason"]
