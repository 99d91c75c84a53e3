"""portal.zipstream: a ZIP written while it is sent, read back with zipfile."""

import io
import random
import zipfile

from portal.zipstream import CHUNK_BYTES, stream_zip


def read(chunks) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None  # every member's CRC matches
    return archive


def test_members_read_back_in_order_with_their_content():
    archive = read(stream_zip([("a.txt", [b"hello ", b"world"]), ("dir/b.bin", [bytes(range(256))]),
                               ("empty.txt", [])]))
    assert archive.namelist() == ["a.txt", "dir/b.bin", "empty.txt"]
    assert archive.read("a.txt") == b"hello world"
    assert archive.read("dir/b.bin") == bytes(range(256))
    assert archive.read("empty.txt") == b""
    info = archive.getinfo("a.txt")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    assert info.flag_bits & 0x08  # sizes after the data: written without seeking


def test_no_members_is_an_empty_archive():
    assert read(stream_zip([])).namelist() == []


def test_bytes_leave_before_the_content_is_all_read():
    produced = []

    def content():
        for number in range(400):
            produced.append(number)
            yield random.Random(number).randbytes(4096)  # incompressible: deflate emits as it goes

    chunks = stream_zip([("big.bin", content())])
    first = next(chunks)
    assert first.startswith(b"PK\x03\x04") and len(produced) < 400
    rest = list(chunks)
    assert len(produced) == 400
    assert all(len(chunk) < 2 * CHUNK_BYTES + 8192 for chunk in [first, *rest])
    assert len(read([first, *rest]).read("big.bin")) == 400 * 4096


def test_a_client_that_goes_away_stops_the_reading():
    produced = []

    def content():
        for number in range(10_000):
            produced.append(number)
            yield random.Random(number).randbytes(4096)

    chunks = stream_zip([("big.bin", content())])
    next(chunks)
    chunks.close()  # what Django does when the response is closed early
    assert len(produced) < 10_000
