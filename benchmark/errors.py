"""The one exception type for bad user input (submissions, annotations, options).

The CLI turns it into exit status 2 and one line per problem (`FILE:LINE: field: problem`), never a traceback.
"""
from __future__ import annotations


class InputError(Exception):
    """Invalid input. `problems` holds one human-readable line per problem, already prefixed with file/line."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
