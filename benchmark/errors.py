"""The one exception type for bad user input (submissions, annotations, options).

The CLI turns it into exit status 2 and one line per problem (`FILE:LINE: field: problem`), never a traceback.
"""
from __future__ import annotations


def _encodable(line: str) -> str:
    """The line with any lone surrogate (from a hostile file name or JSON escape it quotes) as a \\udNNN escape:
    problem lines are printed and written into reports, and a lone surrogate would crash every writer."""
    if line.isascii():
        return line
    try:
        line.encode("utf-8")
        return line
    except UnicodeEncodeError:
        return line.encode("utf-8", "backslashreplace").decode("utf-8")


class InputError(Exception):
    """Invalid input. `problems` holds one human-readable line per problem, already prefixed with file/line."""

    def __init__(self, problems: list[str] | str):
        self.problems = [_encodable(str(p)) for p in ([problems] if isinstance(problems, str) else problems)]
        super().__init__("\n".join(self.problems))
