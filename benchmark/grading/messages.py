"""What a student is shown of a grading run: bounded, printable, and never the text of a private document.

Redaction policy (assignments/INSTRUCTOR.md, "What the sandbox guarantees and what it does not"). A document is
*private* when it is not one of the public benchmark's articles (`autograder.json` lists them, computed when the
bundle is built). When the student's code saw any private document (graded split or train split):
- its printed output (stdout, stderr) is not shown at all, only its size (the instructor sees it in the
  autograder's own log, Gradescope's stdout, which students never see);
- a traceback shows only the frames in the student's own uploaded files (file, line, function), with the source
  line read from the upload itself, never what the child reported;
- exception messages, and every message the scorer derives from the predictions (`FILE:LINE: field: problem`,
  warnings), are shown line by line, and a line is withheld when it shares three consecutive words with a private
  document (compared case-insensitively, ignoring punctuation and backslash escapes; checked across line breaks).
Deliberately disguised text (encoded, reversed, one word per line) is not caught: the sandbox has network access
anyway, so a student who wants to exfiltrate a text can. The policy stops the accidental leak: an exception whose
message includes the document, a debug print, a `text` locator quoted back by the scorer.
"""
from __future__ import annotations

import re
import signal
from collections.abc import Iterable

SHINGLE = 3                                  # consecutive words that make a leak
MAX_OUTPUT_CHARS = 20_000                    # of the whole message shown for a run
_WORD = re.compile(r"\w+")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})|N\{[^}]*\}|.)", re.S)
# C0/C1 controls except tab and newline, and the invisible/bidirectional characters that make text display as
# other text
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]")
WITHHELD = "[withheld: this line quotes a private document]"
_PROBLEM_PREFIX = re.compile(r"^([^\s:]+:\d+: )([^:\s]+: )?")


def printable(text: str) -> str:
    """Untrusted text as plain text: control and bidi characters become spaces, CRLF becomes LF."""
    return _UNPRINTABLE.sub(" ", str(text).replace("\r\n", "\n"))


def _unescape(match: re.Match) -> str:
    code = match.group(1) or match.group(2) or match.group(3)
    if code:
        try:
            return chr(int(code, 16))
        except (ValueError, OverflowError):
            return " "
    return " "


def _words(line: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(_ESCAPE.sub(_unescape, line))]


class Redactor:
    """Knows the private texts; withholds lines that quote them. Inactive (shows everything) when there are none."""

    def __init__(self, texts: Iterable[str]):
        self.shingles: set[int] = set()
        for text in texts:
            words = _words(text)
            self.shingles.update(hash(tuple(words[i:i + SHINGLE])) for i in range(len(words) - SHINGLE + 1))
            if 0 < len(words) < SHINGLE:
                self.shingles.add(hash(tuple(words)))
        self.active = bool(self.shingles)

    def leaking_lines(self, lines: list[str]) -> set[int]:
        """Indexes of the lines that take part in a run of SHINGLE words of a private text (across line breaks)."""
        if not self.active:
            return set()
        flat: list[tuple[str, int]] = [(w, n) for n, line in enumerate(lines) for w in _words(line)]
        hit: set[int] = set()
        for i in range(len(flat) - SHINGLE + 1):
            window = flat[i:i + SHINGLE]
            if hash(tuple(w for w, _ in window)) in self.shingles:
                hit.update(n for _, n in window)
        return hit

    def leaks(self, text: str) -> bool:
        return bool(self.leaking_lines(str(text).split("\n")))

    def lines(self, text: str) -> str:
        """The text with every leaking line replaced by WITHHELD."""
        lines = printable(text).split("\n")
        hit = self.leaking_lines(lines)
        return "\n".join(WITHHELD if n in hit else line for n, line in enumerate(lines))

    def problem(self, line: str) -> str:
        """A `FILE:LINE: field: problem` line (or a warning): the message withheld when it leaks, the
        `FILE:LINE: field:` prefix kept when that part does not."""
        line = printable(line).replace("\n", " ")
        if not self.leaks(line):
            return line
        match = _PROBLEM_PREFIX.match(line)
        prefix = ""
        if match:
            prefix = match.group(1) + (match.group(2) or "")
            if self.leaks(prefix):
                prefix = match.group(1)
        return prefix + WITHHELD


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters: the beginning and the end, with what was cut in between counted."""
    if len(text) <= limit:
        return text
    head = limit // 3
    tail = limit - head
    return text[:head] + f"\n[... {len(text) - head - tail} characters cut ...]\n" + text[len(text) - tail:]


def signal_name(returncode: int | None) -> str | None:
    if returncode is None or returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


SIGNAL_HINTS = {
    "SIGXCPU": "its CPU time limit ran out",
    "SIGKILL": "it was killed from outside, most likely for using too much memory",
    "SIGXFSZ": "it wrote a file larger than the file size limit",
    "SIGSEGV": "it crashed (segmentation fault), usually in a compiled library",
    "SIGABRT": "it aborted, usually in a compiled library",
}


def frames_text(frames, sources: dict[str, list[str]], max_frames: int = 12) -> str:
    """A traceback of the student's own frames only: `File "x.py", line N, in f` with the line read from the upload
    (`sources`: uploaded file -> its lines). Everything the child reported about other files is dropped."""
    out = []
    for frame in frames if isinstance(frames, list) else []:
        if not isinstance(frame, dict):
            continue
        name, line, function = frame.get("file"), frame.get("line"), frame.get("function")
        if name not in sources or type(line) is not int or not 0 < line <= len(sources[name]):
            continue
        function = function if isinstance(function, str) and re.fullmatch(r"[<>\w.]{1,80}", function) else "?"
        out.append(f'  File "{name}", line {line}, in {function}\n    {sources[name][line - 1].strip()[:200]}')
    if not out:
        return ""
    if len(out) > max_frames:
        out = out[:2] + [f"  ... {len(out) - max_frames} frames ..."] + out[-(max_frames - 2):]
    return "Traceback (your files only):\n" + "\n".join(out)
