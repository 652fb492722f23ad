"""The one input boundary for files that users or annotators give us, and the one way outputs are written.

Reading (`open_regular`, `read_bytes`, `read_text`): only regular files are read -- a FIFO, a device such as
/dev/zero, a socket or a folder is refused before a byte is read (a symlink to a regular file is fine: the file is
checked after it is opened, so the check cannot be raced) -- and at most a stated cap of bytes (one more byte is
read to notice a file over the cap, or one that grows while it is read). Text is decoded as strict UTF-8. Every
problem is an `InputError` line `FILE: file: problem` (or `FILE:LINE: encoding: ...`), never a hang, a traceback or
an exhausted memory.

JSON: `json_nesting_depth` measures nesting on the bytes, before any parser sees them (a recursive parser can
crash or take quadratic time on deep input); `lone_surrogates` finds the strings that JSON `\\ud800`-style escapes
turned into unpaired surrogates, which no writer can encode. The policy, the same for every input (submissions,
leaderboard metadata, gold files, the speaker registry): a lone surrogate is rejected where it is read, with the
field named, so no output ever meets one. `display_path` names a file whose name has undecodable bytes.

Writing (`write_atomic`): every file is rendered and encoded first, written to a temporary file next to its
target and renamed over it, so a failure never leaves a truncated, empty or half-updated output. The terminal
(`for_terminal`): control, invisible and bidirectional characters are shown as escapes, so text from a file can
neither clear the screen nor print a fake line.

This is a flat base module because corpus/ (annotations), dataset.py (the data folder) and submission/ all read
through it, and the earliest of them may import nothing later.
"""
from __future__ import annotations

import io
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Mapping
from itertools import accumulate
from pathlib import Path
from typing import BinaryIO

from benchmark.errors import InputError

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30

class FileRefused(InputError):
    """A file that is not read at all (missing, not a regular file, over its cap, unreadable): `label` names it,
    `reason` says why (the problem line is `LABEL: file: REASON`), for callers that report in their own format."""

    def __init__(self, label: str, reason: str):
        super().__init__(f"{label}: file: {reason}")
        self.label, self.reason = label, reason


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def display_path(path: str | os.PathLike) -> str:
    """The path as text for messages and outputs: bytes that are not UTF-8 (which Python carries as lone
    surrogates) shown as \\xNN escapes, so the name itself can never break a writer."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    if text.isascii():
        return text
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:          # a surrogate that no file name decoding produced
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def size_text(n: int) -> str:
    """A byte count the way caps are stated: 1 GiB, 16 MiB, 64 KiB, or bytes."""
    for unit, name in ((GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")):
        if n >= unit and n % unit == 0:
            return f"{n // unit} {name}"
    return f"{n} bytes"


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return f"is {kind}, not a regular file: only regular files are read"


class _Capped(io.RawIOBase):
    """A raw file that raises InputError once more than `limit` bytes have been read from it."""

    def __init__(self, raw: io.FileIO, limit: int, label: str):
        self._raw, self._limit, self._label, self._total = raw, limit, label, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer) or 0
        self._total += n
        if self._total > self._limit:
            raise FileRefused(self._label, f"larger than the cap of {size_text(self._limit)} (it grew while "
                                           "being read)")
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_regular(path: str | os.PathLike, *, limit: int, label: str | None = None,
                 what: str = "the file") -> BinaryIO:
    """A buffered binary file object for the regular file at `path`, refusing anything else or a file over
    `limit` bytes (checked at open and again while reading). Raises InputError `LABEL: file: problem`."""
    label = label if label is not None else display_path(path)
    try:
        before = os.stat(path)           # refuse a device or FIFO without even opening it
    except OSError as err:
        raise FileRefused(label, f"cannot read {what}: {err.strerror or err}") from None
    refused = _not_regular(before.st_mode)
    if refused:
        raise FileRefused(label, refused)
    try:
        # O_NONBLOCK: should `path` become a FIFO between the stat and the open, opening it must not wait for a
        # writer; it is then refused by the fstat below. (No effect on a regular file.)
        raw = open(path, "rb", buffering=0,
                   opener=lambda p, flags: os.open(p, flags | getattr(os, "O_NONBLOCK", 0)))
    except OSError as err:
        raise FileRefused(label, f"cannot read {what}: {err.strerror or err}") from None
    try:
        info = os.fstat(raw.fileno())
        refused = _not_regular(info.st_mode)
        if refused:
            raise FileRefused(label, refused)
        if info.st_size > limit:
            raise FileRefused(label, f"{info.st_size} bytes, over the cap of {size_text(limit)}")
    except BaseException:
        raw.close()
        raise
    return io.BufferedReader(_Capped(raw, limit, label), buffer_size=1 << 20)


def read_bytes(path: str | os.PathLike, *, limit: int, label: str | None = None, what: str = "the file") -> bytes:
    """All bytes of the regular file at `path` (see `open_regular`)."""
    label = label if label is not None else display_path(path)
    with open_regular(path, limit=limit, label=label, what=what) as f:
        try:
            return f.read()
        except OSError as err:
            raise FileRefused(label, f"cannot read {what}: {err.strerror or err}") from None


def decode_utf8(raw: bytes, label: str) -> str:
    """Strict UTF-8; a bad byte is `LABEL:LINE: encoding: not valid UTF-8 (byte 0xNN at byte offset K)`."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise InputError(f"{label}:{line}: encoding: not valid UTF-8 (byte {raw[err.start]:#04x} at byte offset "
                         f"{err.start})") from None


def read_text(path: str | os.PathLike, *, limit: int, label: str | None = None, what: str = "the file") -> str:
    """The regular file at `path` decoded as strict UTF-8 (see `open_regular`, `decode_utf8`)."""
    label = label if label is not None else display_path(path)
    return decode_utf8(read_bytes(path, limit=limit, label=label, what=what), label)


# ---------------------------------------------------------------------------------------------------------------- JSON

_JSON_STRING_RE = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_BRACKET_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")   # read as signed bytes: +1 / -1
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_TEXT = re.compile(r"\\u[dD][89a-fA-F]")


def json_nesting_depth(raw: bytes) -> int:
    """Maximum bracket nesting of JSON text, computed without recursion or parsing (strings are skipped)."""
    brackets = _JSON_STRING_RE.sub(b"", raw).translate(None, _NOT_BRACKETS).translate(_BRACKET_STEP)
    return max(accumulate(memoryview(brackets).cast("b")), default=0)


def json_value_error(err: ValueError) -> str:
    """What a ValueError from `json.loads` (beyond a syntax error) means, in the user's terms."""
    text = str(err)
    if "integer string conversion" in text:        # Python refuses to parse integers of more than 4300 digits
        return (f"a number with more than {sys.get_int_max_str_digits() or 4300} digits (an offset, a count or a "
                "value this long cannot be right)")
    return text


def may_hold_surrogates(text: str | bytes) -> bool:
    """Could JSON `text` decode to a string with a lone surrogate? (a cheap test before `lone_surrogates`):
    a \\uD800-\\uDFFF escape, or (in a str) a surrogate character itself."""
    if isinstance(text, bytes):
        return b"\\u" in text and _SURROGATE_ESCAPE.search(text) is not None
    if not text.isascii() and _SURROGATE.search(text):
        return True
    return "\\u" in text and _SURROGATE_ESCAPE_TEXT.search(text) is not None


def has_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def lone_surrogates(value, max_depth: int = 64) -> list[tuple[tuple, str]]:
    """Where decoded JSON `value` holds a lone surrogate: (path, string) per string that has one -- a path is the
    keys and indices down to the value, and ends with the key itself when the key is the string at fault. Not
    deeper than max_depth (so a cyclic Python structure ends)."""
    found: list[tuple[tuple, str]] = []
    stack: list[tuple[object, tuple]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if has_surrogate(item):
                found.append((path, item))
        elif len(path) < max_depth and isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                stack.append((child, path + (key,)))
                if isinstance(key, str) and has_surrogate(key):
                    stack.append((key, path + (key,)))
        elif len(path) < max_depth and isinstance(item, (list, tuple)):
            stack.extend((child, path + (i,)) for i, child in reversed(list(enumerate(item))))
    return found


def surrogate_message(text: str) -> str:
    """The problem text for a string holding a lone surrogate (shown escaped)."""
    match = _SURROGATE.search(text)
    where = f"\\u{ord(match.group()):04x}" if match else "\\ud800"
    return (f"not valid Unicode: a lone surrogate {where} (a JSON \\uD800-\\uDFFF escape must be half of a "
            "surrogate pair); remove it or write the character itself")


def escape_surrogates(text: str) -> str:
    """`text` with every lone surrogate written as a \\udNNN escape (for messages that show such a string)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8") if has_surrogate(text) else text


# ------------------------------------------------------------------------------------------------------------ terminal

# What a terminal must never receive raw: C0 controls (ESC starts a sequence that can clear the screen, move the
# cursor or retitle the window), DEL, C1 controls (\x9b is CSI, like ESC [), invisible and bidirectional formatting
# characters (which can make a line read as another), line separators and lone surrogates.
_TERMINAL_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
                              "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]")


def _escaped(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"      # the escape JSON and Python share, so pasted JSON stays valid


def for_terminal(value: object, keep_newlines: bool = False) -> str:
    """Text for standard output or error: every control, invisible or bidirectional character as a visible
    escape (ESC as \\u001b, U+202E as \\u202e); line breaks too (as \\n), unless keep_newlines (a report of
    several lines). `benchmark.reports.escape.terminal` is this function."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text                     # the common case, no regex (a line break is not printable)
    escaped = _TERMINAL_UNSAFE.sub(_escaped, text)
    return escaped if keep_newlines else escaped.replace("\n", "\\n")


# ------------------------------------------------------------------------------------------------------------- writing

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _target(path: Path) -> tuple[Path, bool]:
    """(where to write, whether atomically): a symlink is followed (the link stays, its file is replaced); an
    existing FIFO or device such as /dev/stdout is written directly, as no file can be renamed over it."""
    real = Path(os.path.realpath(path))
    try:
        return real, stat.S_ISREG(os.stat(real).st_mode)
    except OSError:                       # does not exist yet
        return real, True


def write_atomic(files: Mapping[str | os.PathLike, str | bytes] | Iterable[tuple[str | os.PathLike, str | bytes]],
                 ) -> list[Path]:
    """Write every (path, text or bytes) pair: all are encoded (strict UTF-8) before anything is written, each
    goes to a temporary file in its target's folder (created if missing), and only when all are written are they
    renamed over their targets (in the given order). On any failure nothing is left behind but the previous
    files. Returns the paths. Raises InputError `PATH: cannot write: ...` for an unwritable place."""
    items = list(files.items() if isinstance(files, Mapping) else files)
    encoded: list[tuple[Path, bytes]] = []
    for path, data in items:
        if isinstance(data, str):
            try:
                data = data.encode("utf-8")
            except UnicodeEncodeError:     # only a lone surrogate can fail, and the readers reject those
                raise InputError(f"{display_path(path)}: not written: the output holds text that is not valid "
                                 "Unicode (a lone surrogate)") from None
        encoded.append((Path(path), data))
    mode = 0o666 & ~_umask()
    temporary: list[tuple[str, Path]] = []
    direct: list[tuple[Path, Path, bytes]] = []
    try:
        for path, data in encoded:
            target, atomic = _target(path)
            if not atomic:
                direct.append((path, target, data))
                continue
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            except OSError as err:
                raise InputError(f"{display_path(path)}: cannot write: {err.strerror or err}") from None
            temporary.append((tmp, target))
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.chmod(tmp, mode)
            except OSError as err:
                raise InputError(f"{display_path(path)}: cannot write: {err.strerror or err}") from None
        for tmp, target in temporary:
            try:
                os.replace(tmp, target)
            except OSError as err:
                raise InputError(f"{display_path(target)}: cannot write: {err.strerror or err}") from None
        for path, target, data in direct:
            try:
                with open(target, "wb") as f:
                    f.write(data)
            except OSError as err:
                raise InputError(f"{display_path(path)}: cannot write: {err.strerror or err}") from None
    finally:
        for tmp, _ in temporary:
            if os.path.lexists(tmp):
                os.unlink(tmp)
    return [path for path, _ in encoded]
