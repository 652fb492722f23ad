"""Attribution: is the predicted speaker the gold speaker?

A predicted speaker is correct when its normalised string equals a normalised alias (or the canonical name) of
the gold speaker, or when the predicted speaker-mention span overlaps the gold mention span.

Normalisation folds case, accents and quote-mark style, drops possessive 's and punctuation, and strips
honorifics (Mr, Dr, President, ...) at the start. It deliberately keeps articles: unlike SQuAD normalisation,
"a Kremlin spokesman" (a description of an unnamed source) must not become "kremlin spokesman".
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

HONORIFICS = frozenset({
    "mr", "mrs", "ms", "miss", "mister", "madam", "madame", "mme", "dr", "doctor", "prof", "professor",
    "president", "sir", "dame", "lord", "lady", "senator", "sen", "rep", "representative", "gov", "governor",
})
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u00b4`\u2032"})
_POSSESSIVE = re.compile(r"(?<=\w)'s?\b")
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)
def normalize_name(name: str) -> str:
    """Normalised form of a speaker name for comparison.

    >>> normalize_name("President Vladimir Putin's")
    'vladimir putin'
    >>> normalize_name("Mr. Peskov"), normalize_name("A Kremlin spokesman")
    ('peskov', 'a kremlin spokesman')
    """
    text = unicodedata.normalize("NFKD", name).translate(_APOSTROPHES)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _POSSESSIVE.sub("", text)
    words = _NON_WORD.sub(" ", text).split()
    while len(words) > 1 and words[0] in HONORIFICS:
        words.pop(0)
    if len(words) > 1 and words[0] == "elect":    # "President-elect Trump"
        words.pop(0)
    return " ".join(words)


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
