"""Decompression bombs are refused from the ZIP directory or while gunzipping (issue #18, item 9)."""

import gzip
import io
import zipfile

import pytest

from threadline.engines.archives import ArchiveLimits, ArchiveRefused, check_zip, gunzip_bounded, open_zip

MB = 1024 * 1024


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_a_highly_compressed_member_is_refused():
    bomb = zip_bytes({"a.txt": b"ok", "big.xml": bytes(20 * MB)})
    assert len(bomb) < 100_000
    with pytest.raises(ArchiveRefused, match="compressed more than 200:1"):
        open_zip(io.BytesIO(bomb))


def test_total_size_and_member_count_are_limited():
    data = zip_bytes({f"m{i}.bin": bytes(range(256)) * 8 for i in range(30)})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        check_zip(zf, ArchiveLimits())
        with pytest.raises(ArchiveRefused, match="30 files"):
            check_zip(zf, ArchiveLimits(max_members=20))
        with pytest.raises(ArchiveRefused, match="unpacks to more than"):
            check_zip(zf, ArchiveLimits(max_total_bytes=40_000))


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("THREADLINE_ARCHIVE_MAX_MB", "3")
    monkeypatch.setenv("THREADLINE_ARCHIVE_MAX_RATIO", "50")
    monkeypatch.setenv("THREADLINE_ARCHIVE_MAX_MEMBERS", "7")
    assert ArchiveLimits.from_env() == ArchiveLimits(3 * MB, 50, 7)


def test_gunzip_is_bounded(tmp_path):
    bomb = tmp_path / "b.parquet.gz"
    bomb.write_bytes(gzip.compress(bytes(50 * MB)))
    with pytest.raises(ArchiveRefused, match="unpacks to more than"):
        gunzip_bounded(bomb)
    fine = tmp_path / "f.gz"
    fine.write_bytes(gzip.compress(b"hello" * 1000))
    assert gunzip_bounded(fine) == b"hello" * 1000
    (tmp_path / "broken.gz").write_bytes(gzip.compress(b"x" * 1000)[:20])
    with pytest.raises(ArchiveRefused, match="damaged"):
        gunzip_bounded(tmp_path / "broken.gz")
