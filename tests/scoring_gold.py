"""Hand-built gold rows (the shape of `benchmark.dataset.read_rows`) for the scorer tests."""
from __future__ import annotations

import datetime

SPEAKERS = {
    "vladimir_putin": ("Vladimir Putin", ["Vladimir Putin", "Putin", "Mr Putin", "the Russian leader"]),
    "dmitry_peskov": ("Dmitry Peskov", ["Dmitry Peskov", "Peskov", "Dmitri Peskov", "Kremlin spokesman Dmitry Peskov"]),
    "sergey_lavrov": ("Sergey Lavrov", ["Sergey Lavrov", "Lavrov"]),
    "d001_anon": ("a Kremlin source", ["a Kremlin source"]),
}


def doc(doc_id: str, text: str, *, outlet: str = "CNN", aliases=("CNN", "Cable News Network"),
        outlet_evidence: str = "explicit", published=datetime.date(2024, 11, 7), date_evidence: str = "explicit",
        boilerplate=()) -> dict:
    return {"doc_id": doc_id, "text": text, "headline": "", "authors": [], "outlet": outlet,
            "outlet_aliases": list(aliases), "outlet_evidence": outlet_evidence, "published": published,
            "date_evidence": date_evidence, "url": "", "boilerplate": [dict(b) for b in boilerplate]}


def span(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def quote(document: dict, qid: str, needle: str, *, occurrence: int = 1, type: str = "direct",
          speaker: str = "vladimir_putin", mention: str | None = None, stance: str = "neutral",
          optional: bool = False, in_boilerplate: bool = False, nested_in: str | None = None) -> dict:
    text = document["text"]
    start, end = span(text, needle, occurrence)
    name, aliases = SPEAKERS[speaker]
    m_start = m_end = None
    if mention is not None:
        m_start, m_end = span(text, mention)
    return {"quote_id": f"{document['doc_id']}-{qid}", "doc_id": document["doc_id"], "start": start, "end": end,
            "text": text[start:end], "type": type, "speaker_id": speaker, "speaker": name,
            "speaker_kind": "person", "speaker_aliases": aliases, "speaker_start": m_start, "speaker_end": m_end,
            "cue": None, "cue_start": None, "cue_end": None, "stance": stance, "in_boilerplate": in_boilerplate,
            "optional": optional, "optional_reason": "unclear" if optional else None, "nested_in": nested_in,
            "note": None}


def gold_as_submission(docs: list[dict], quotes: list[dict]) -> list[dict]:
    """The gold rendered as a submission (every field, offsets)."""
    out = []
    for d in docs:
        qs = [{"start": q["start"], "end": q["end"], "speaker": q["speaker"], "stance": q["stance"],
               "type": q["type"]} for q in quotes if q["doc_id"] == d["doc_id"]]
        out.append({"doc_id": d["doc_id"], "outlet": d["outlet"], "published": d["published"].isoformat(),
                    "quotes": qs})
    return out
