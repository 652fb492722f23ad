"""`benchmark.safe_io`: the input boundary (regular files only, a size cap, strict UTF-8, nesting and lone
surrogates found before they can hurt), atomic writes and terminal escaping."""
from __future__ import annotations

import os
import stat

import pytest

from benchmark.errors import InputError
from benchmark.reports.escape import terminal
from benchmark.safe_io import (
    FileRefused,
    display_path,
    for_terminal,
    json_nesting_depth,
    lone_surrogates,
    may_hold_surrogates,
    open_regular,
    read_bytes,
    read_text,
    size_text,
    write_atomic,
)

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")


# ------------------------------------------------------------------------------------------------------- reading
def test_reads_a_regular_file_and_a_symlink_to_one(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello\n")
    link = tmp_path / "link.txt"
    link.symlink_to(path)
    assert read_bytes(path, limit=100) == b"hello\n"
    assert read_text(link, limit=100) == "hello\n"          # a symlinked text is legitimate


@needs_fifo
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(FileRefused) as err:
        read_bytes(fifo, limit=100)
    assert err.value.problems == [f"{fifo}: file: is a FIFO (named pipe), not a regular file: only regular files "
                                  "are read"]


@needs_dev_zero
def test_a_device_and_a_symlink_to_it_are_refused(tmp_path):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    for path in ("/dev/zero", link):
        with pytest.raises(FileRefused, match="is a character device, not a regular file"):
            read_bytes(path, limit=1 << 30)


def test_a_folder_and_a_missing_file_are_refused(tmp_path):
    with pytest.raises(FileRefused, match="is a folder, not a regular file"):
        read_bytes(tmp_path, limit=100)
    with pytest.raises(FileRefused) as err:
        read_bytes(tmp_path / "nope.json", limit=100, label="nope.json", what="the metadata")
    assert err.value.problems == ["nope.json: file: cannot read the metadata: No such file or directory"]
    assert err.value.label == "nope.json" and err.value.reason.startswith("cannot read the metadata")


def test_the_cap_is_checked_at_open_and_while_reading(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 11)
    with pytest.raises(FileRefused, match="11 bytes, over the cap of 10 bytes"):
        read_bytes(path, limit=10)
    path.write_bytes(b"x" * 10)
    with open_regular(path, limit=10) as f:
        with open(path, "ab") as grow:                   # the file grows after the open-time check
            grow.write(b"y" * 5)
        with pytest.raises(FileRefused, match="larger than the cap of 10 bytes \\(it grew while being read\\)"):
            f.read()


def test_strict_utf8_names_the_line(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"ok\nalso ok\nbad \xff byte\n")
    with pytest.raises(InputError) as err:
        read_text(path, limit=100)
    assert err.value.problems == [f"{path}:3: encoding: not valid UTF-8 (byte 0xff at byte offset 15)"]


def test_size_text_states_caps_in_binary_units():
    assert [size_text(n) for n in (1 << 30, 16 << 20, 64 << 10, 1000)] == ["1 GiB", "16 MiB", "64 KiB", "1000 bytes"]


# -------------------------------------------------------------------------------------------------------- JSON
def test_nesting_depth_is_measured_on_bytes_without_recursion():
    assert json_nesting_depth(b'{"a": [1, {"b": "]]]}}}"}]}') == 3
    assert json_nesting_depth(b"[" * 100_000 + b"]" * 100_000) == 100_000     # no RecursionError


def test_lone_surrogates_are_found_in_keys_and_values_and_pairs_are_not():
    import json

    value = json.loads('{"ok": "\\ud83d\\ude00", "a": ["x", "\\ud800"], "\\udc00k": 1, "n": {"m": "\\udfff!"}}')
    assert [path for path, _ in lone_surrogates(value)] == [("a", 1), ("\udc00k",), ("n", "m")]
    cyclic: dict = {}
    cyclic["self"] = cyclic
    assert lone_surrogates(cyclic, max_depth=10) == []          # ends: bounded depth
    assert may_hold_surrogates(b'{"a": "\\uD800"}') and not may_hold_surrogates(b'{"a": "\\u00e9"}')
    assert may_hold_surrogates("\ud800") and may_hold_surrogates('"\\udbff"') and not may_hold_surrogates("é")


def test_input_error_lines_never_carry_a_lone_surrogate():
    err = InputError(["f.jsonl:1: \ud800x: unknown key", "plain"])
    assert err.problems == ["f.jsonl:1: \\ud800x: unknown key", "plain"]
    "\n".join(err.problems).encode("utf-8")                     # printable and writable


def test_display_path_shows_undecodable_bytes_as_escapes():
    assert display_path(os.fsdecode(b"bad\xff.jsonl")) == "bad\\xff.jsonl"
    assert display_path("caf\u00e9.jsonl") == "caf\u00e9.jsonl"
    assert display_path("odd\ud800.jsonl") == "odd\\ud800.jsonl"


# ----------------------------------------------------------------------------------------------------- terminal
def test_terminal_escapes_controls_bidi_and_line_breaks():
    hostile = "\x1b[2J\x1b[HALL OK\x9b\u202eevil\ud800"
    shown = for_terminal(hostile)
    assert shown == "\\u001b[2J\\u001b[HALL OK\\u009b\\u202eevil\\ud800"
    assert not any(c in shown for c in "\x1b\x9b\u202e")
    assert for_terminal("a\nb") == "a\\nb" and for_terminal("a\nb\tc", keep_newlines=True) == "a\nb\\u0009c"
    assert for_terminal("Дмитрий Песков — ok") == "Дмитрий Песков — ok"      # printable text untouched
    assert terminal is for_terminal


# ------------------------------------------------------------------------------------------------------ writing
def test_write_atomic_writes_every_file_with_the_usual_mode(tmp_path):
    paths = write_atomic([(tmp_path / "a.txt", "é\n"), (tmp_path / "sub" / "b.bin", b"\x00")])
    assert [p.read_bytes() for p in paths] == ["é\n".encode(), b"\x00"]
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(paths[0].stat().st_mode) == 0o666 & ~mask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "sub"]          # no temporary file left


def test_write_atomic_is_all_or_nothing(tmp_path):
    kept = tmp_path / "kept.md"
    kept.write_text("the old report\n", encoding="utf-8")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write"):
        write_atomic([(kept, "the new report\n"), (blocker / "x.json", "{}")])
    assert kept.read_text(encoding="utf-8") == "the old report\n"                  # not replaced, not truncated
    with pytest.raises(InputError, match="not valid Unicode"):
        write_atomic([(kept, "fine"), (tmp_path / "other.json", "\ud800")])      # encoded before anything is written
    assert kept.read_text(encoding="utf-8") == "the old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "kept.md"]


def test_write_atomic_follows_a_symlink_and_writes_a_device_directly(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic({link: "new"})
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"       # the link kept, its file replaced
    if os.path.exists("/dev/null"):
        write_atomic({"/dev/null": "discarded"})                                   # no temporary file next to it
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
