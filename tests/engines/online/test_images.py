"""Image fields of scraped ads carry hashes or URLs; a path in them never reads a server file outside the image
root (issue #18, item 8)."""

import json
import os
import threading

import pyarrow.parquet as pq
import pytest

from threadline.engines.online.images import ImagePolicy, image_identity
from threadline.engines.online.scan import ScanOptions, run_scan

AD = {"site": "s.example", "title": "Hello", "body": "Friendly coffee", "country": "US"}


def _image_values(tmp_path, images, **opts) -> dict[str, list[str]]:
    src = tmp_path / "ads.jsonl"
    src.write_text("".join(json.dumps({**AD, "id": f"a{i}", "images": v}) + "\n" for i, v in enumerate(images)))
    run_scan([str(src)], tmp_path / "ws", ScanOptions(workers=1, html_report=False, **opts))
    ents = pq.read_table(tmp_path / "ws" / "entities.parquet").to_pylist()
    out: dict[str, list[str]] = {}
    for e in ents:
        if e["kind"] == "image":
            out.setdefault(e["ad_id"], []).append(e["value"])
    return out


def test_scan_never_reads_server_files_named_by_an_ad(tmp_path):
    secret = tmp_path / "keys.json"
    secret.write_text('{"1": "secret"}')
    found = _image_values(tmp_path, [[str(secret)], ["/etc/hostname"], ["../../etc/passwd"]])
    assert found == {}


def test_hashes_and_urls_are_identities_as_given(tmp_path):
    found = _image_values(tmp_path, [["XXH64:0123456789ABCDEF"], ["https://img.example/a/1.jpg"]])
    assert found == {"a0": ["xxh64:0123456789abcdef"], "a1": ["https://img.example/a/1.jpg"]}


def test_local_files_only_under_the_image_root(tmp_path):
    root = tmp_path / "images"
    root.mkdir()
    (root / "one.jpg").write_bytes(b"\xff\xd8 image one")
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"outside")
    os.symlink(outside, root / "link.jpg")
    os.symlink("/etc", root / "etc")
    found = _image_values(
        tmp_path,
        [["one.jpg"], [str(root / "one.jpg")], ["link.jpg"], [str(outside)], ["../outside.jpg"], ["etc/hostname"]],
        image_root=str(root),
    )
    assert set(found) == {"a0", "a1"}
    assert found["a0"] == found["a1"] and found["a0"][0].startswith("xxh64:")


def test_devices_fifos_and_large_files_are_refused(tmp_path):
    policy = ImagePolicy(root=str(tmp_path), max_bytes=1000)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "big.jpg").write_bytes(b"x" * 1001)
    (tmp_path / "ok.jpg").write_bytes(b"x" * 1000)
    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(fifo=image_identity("pipe", policy)), daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "a FIFO blocked the scan"
    assert result["fifo"] is None
    assert image_identity("/dev/zero", ImagePolicy(root="/dev")) is None
    assert image_identity("big.jpg", policy) is None
    assert image_identity("ok.jpg", policy).startswith("xxh64:")
    assert image_identity(str(tmp_path), policy) is None  # the root itself is a directory


@pytest.mark.parametrize("value", ["", "   ", "file:///etc/hostname", "ftp://x.example/a.jpg", "zz:nothex"])
def test_other_values_have_no_identity(value, tmp_path):
    assert image_identity(value, ImagePolicy(root=str(tmp_path))) is None
