"""Speakers as integers for the fast engine: predicted names and gold aliases interned once, so "is this name an
alias of that speaker" is one vectorised lookup (the rule: `benchmark.scoring.reference.speaker_right`)."""
from __future__ import annotations

import numpy as np

from benchmark.scoring.metrics.attribution import normalize_name


class SpeakerTable:
    """Interns normalised names and gold speakers as integers, so correctness is one vectorised lookup."""

    def __init__(self):
        self.names: dict[str, int] = {}        # normalised name -> id
        self.speakers: dict[str, int] = {}     # gold speaker id -> index
        self._valid: set[int] = set()          # name_id * 2**32 + speaker index for every alias
        self._raw: dict[str, int] = {}         # raw predicted string -> id

    def name_id(self, name: str | None) -> int:
        """Id of a predicted name (-1 for None/empty); cached by the raw string."""
        if name is None:
            return -1
        found = self._raw.get(name)
        if found is None:
            norm = normalize_name(name)
            found = self._raw[name] = self.names.setdefault(norm, len(self.names)) if norm else -1
        return found

    def speaker(self, speaker_id: str, name: str | None, aliases) -> int:
        """Index of a gold speaker, registering its canonical name and aliases on first sight."""
        index = self.speakers.get(speaker_id)
        if index is None:
            index = self.speakers[speaker_id] = len(self.speakers)
            for alias in [name, *(aliases or ())]:
                alias_id = self.name_id(alias)
                if alias_id >= 0:
                    self._valid.add(alias_id << 32 | index)
        return index

    def name_matches(self, name_ids: np.ndarray, speaker_index: np.ndarray) -> np.ndarray:
        """Element-wise: is predicted name `name_ids[k]` an alias of gold speaker `speaker_index[k]`?"""
        name_ids = np.asarray(name_ids, dtype=np.int64)
        keys = name_ids << 32 | np.asarray(speaker_index, dtype=np.int64)
        valid = np.fromiter(self._valid, dtype=np.int64, count=len(self._valid))
        return (name_ids >= 0) & np.isin(keys, valid)


def mention_overlaps(p_start: np.ndarray, p_end: np.ndarray, g_start: np.ndarray, g_end: np.ndarray) -> np.ndarray:
    """Element-wise: does the predicted mention span overlap the gold one? (-1 = no span on either side.)"""
    both = (p_start >= 0) & (g_start >= 0)
    return both & (np.minimum(p_end, g_end) > np.maximum(p_start, g_start))
