"""Speakers as integers for the fast engine: predicted names and gold aliases interned once, so "is this name an
alias of that speaker" is one vectorised lookup, and the rest of the rule (`benchmark.scoring.reference.
speaker_right`: a name that contains an alias, naming no other speaker of the document) is decided once per
distinct (name, speaker, mention) and per other speaker it names, with `reference.names_speaker` itself."""
from __future__ import annotations

import numpy as np

from benchmark.scoring.metrics.attribution import name_form
from benchmark.scoring.reference import names_speaker, occurrences

RADIX_LIMIT = 2 ** 62      # (names x speakers x mentions) below this: triples keyed as one int64


class SpeakerTable:
    """Interns `name_form`s and gold speakers as integers, so correctness is one vectorised lookup."""

    def __init__(self):
        self.names: dict[str, int] = {}        # name form -> id
        self.forms_of_name: list[str] = []     # id -> name form
        self.speakers: dict[str, int] = {}     # gold speaker id -> index
        self.forms: list[tuple[str, ...]] = []  # speaker index -> its name forms (as `reference.speaker_forms`)
        self._valid: set[int] = set()          # name_id * 2**32 + speaker index for every alias
        self._raw: dict[str, int] = {}         # raw predicted string -> id
        self._by_first_word: dict[str, list[tuple[list[str], int]]] = {}     # alias words by first word
        self._decided: dict[tuple[int, int, str], tuple[bool, tuple[int, ...]]] = {}

    def name_id(self, name: str | None) -> int:
        """Id of a predicted name (-1 for None/empty); cached by the raw string."""
        if name is None:
            return -1
        found = self._raw.get(name)
        if found is None:
            form = name_form(name)
            found = self._raw[name] = self._intern(form) if form else -1
        return found

    def _intern(self, form: str) -> int:
        found = self.names.get(form)
        if found is None:
            found = self.names[form] = len(self.forms_of_name)
            self.forms_of_name.append(form)
        return found

    def speaker(self, speaker_id: str, name: str | None, aliases) -> int:
        """Index of a gold speaker, registering its canonical name and aliases on first sight."""
        index = self.speakers.get(speaker_id)
        if index is None:
            index = self.speakers[speaker_id] = len(self.speakers)
            forms = tuple(dict.fromkeys(f for f in (name_form(a) for a in [name, *(aliases or ())] if a) if f))
            self.forms.append(forms)
            for form in forms:
                self._valid.add(self._intern(form) << 32 | index)
                words = form.split()
                self._by_first_word.setdefault(words[0], []).append((words, index))
        return index

    def name_matches(self, name_ids: np.ndarray, speaker_index: np.ndarray) -> np.ndarray:
        """Element-wise: is predicted name `name_ids[k]` an alias of gold speaker `speaker_index[k]`?"""
        name_ids = np.asarray(name_ids, dtype=np.int64)
        keys = name_ids << 32 | np.asarray(speaker_index, dtype=np.int64)
        valid = np.fromiter(self._valid, dtype=np.int64, count=len(self._valid))
        return (name_ids >= 0) & np.isin(keys, valid)

    def contains(self, name_ids: np.ndarray, speaker_index: np.ndarray, mention_index: np.ndarray,
                 mention_forms: list[str], doc: np.ndarray, doc_speakers: np.ndarray) -> np.ndarray:
        """Element-wise, the rest of `reference.names_speaker`: does name `name_ids[k]` (>= 0) contain a form of
        speaker `speaker_index[k]` (or its mention's form `mention_forms[mention_index[k]]`, "" for none) and name
        no other speaker of document `doc[k]`? doc_speakers: the sorted keys doc * n_speakers + speaker of every
        speaker of every document. Decided once per distinct (name, speaker, mention)."""
        n = len(name_ids)
        if n == 0:
            return np.zeros(0, dtype=bool)
        triples = np.stack([np.asarray(name_ids, dtype=np.int64), np.asarray(speaker_index, dtype=np.int64),
                            np.asarray(mention_index, dtype=np.int64)], axis=1)
        radix = np.array([len(self.forms_of_name), len(self.forms), len(mention_forms)], dtype=object)
        if radix.prod() < RADIX_LIMIT:   # one integer per triple (mixed radix): np.unique on rows is ~5x slower
            key = (triples[:, 0] * int(radix[1]) + triples[:, 1]) * int(radix[2]) + triples[:, 2]
            _, representative, inverse = np.unique(key, return_index=True, return_inverse=True)
            distinct = triples[representative]
        else:
            distinct, inverse = np.unique(triples, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        verdicts = [self._decide(a, g, mention_forms[m]) for a, g, m in distinct.tolist()]
        own = np.fromiter((v[0] for v in verdicts), dtype=bool, count=len(verdicts))[inverse]
        lengths_of = np.fromiter((len(v[1]) for v in verdicts), dtype=np.int64, count=len(verdicts))
        if not lengths_of.any():
            return own
        # the other speakers each pair's name names: the distinct triple's list, gathered per pair
        named = np.fromiter((o for v in verdicts for o in v[1]), dtype=np.int64, count=int(lengths_of.sum()))
        offset = np.concatenate([[0], np.cumsum(lengths_of)[:-1]])      # where each triple's list starts
        lengths = lengths_of[inverse]
        pair = np.repeat(np.arange(n), lengths)
        within = np.arange(len(pair)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        other = named[offset[inverse][pair] + within]
        keys = np.asarray(doc, dtype=np.int64)[pair] * len(self.speakers) + other
        # membership by binary search in the sorted keys (np.isin would deduplicate them again, by hashing)
        at = np.minimum(np.searchsorted(doc_speakers, keys), max(len(doc_speakers) - 1, 0))
        in_document = doc_speakers[at] == keys if len(doc_speakers) else np.zeros(len(keys), dtype=bool)
        conflict = np.bincount(pair[in_document], minlength=n) > 0
        return own & ~conflict

    def _decide(self, name_id: int, speaker: int, mention: str) -> tuple[bool, tuple[int, ...]]:
        """(does the name hold an own form; the other speakers it names, whichever document): cached."""
        key = (name_id, speaker, mention)
        found = self._decided.get(key)
        if found is None:
            name = self.forms_of_name[name_id]
            own = self.forms[speaker] + ((mention,) if mention else ())
            if not names_speaker(name, own, ()):
                found = (False, ())
            else:
                found = (True, tuple(o for o in self._named_in(name) if o != speaker
                                     and not names_speaker(name, own, self.forms[o])))
            self._decided[key] = found
        return found

    def _named_in(self, name: str) -> list[int]:
        """Every speaker one of whose forms occurs in `name` (as a contiguous word sequence), in index order."""
        words = name.split()
        found = {index for k, w in enumerate(words) for form, index in self._by_first_word.get(w, ())
                 if occurrences(words[k:k + len(form)], form)}
        return sorted(found)


def mention_overlaps(p_start: np.ndarray, p_end: np.ndarray, g_start: np.ndarray, g_end: np.ndarray) -> np.ndarray:
    """Element-wise: does the predicted mention span overlap the gold one? (-1 = no span on either side.)"""
    both = (p_start >= 0) & (g_start >= 0)
    return both & (np.minimum(p_end, g_end) > np.maximum(p_start, g_start))
