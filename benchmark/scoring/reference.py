"""The reference scorer: the definition of every number `kremlin-reactions score` prints.

It scores one document at a time, in plain Python, and ends in the per-document *count rows* every metric is
computed from. The fast engine (`benchmark.scoring.fast`) must produce exactly the same rows, pairs and lists;
property tests hold the two against each other. Read this file to know what a score means.

Gold units and predictions
--------------------------
- A gold *unit* is a row of the `quotes` config. It **counts** when its type belongs to the track scored (A:
  direct, partial; B: indirect; all: every type), it is not `optional` and not `in_boilerplate`. Every other unit
  is *don't-care*: it can absorb a prediction, never be missed.
- A *prediction* is a submitted quote located by `start`/`end` or by `text` (a quote located by `quote_id` belongs
  to the gold-spans subtasks below). It is **ignored** (counted nowhere; the warnings count it) when its offsets lie
  outside the text (possible only for a Submission built by hand), when its `type` is given and belongs to another
  track, or when it lies wholly inside one boilerplate region. Every other prediction **counts**.
- A quote given by a `text` that is not in the article (`PredictedQuote.unaligned`: no span, no quote_id) counts
  as a prediction that shares no character with any unit: it is in `n_pred`, always spurious (its stance goes to
  `stance_spurious`), and covers no characters. It is ignored only when typed for another track.

Quote detection
---------------
- A *candidate pair* is a counted prediction and a unit of the same document sharing at least one character.
- *Overlap matching*: a pair is eligible when the shared characters are at least `overlap` (default 0.5) times
  the unit's length. The matching is one-to-one and maximises, in this order, the pairs with a counted unit, all
  pairs, the pairs whose spans are equal after `trim_span` (where the criteria before tie, a prediction keeps the
  unit it equals: a don't-care unit containing both never takes it), the shared characters, and then keeps
  predictions and
  units in the same order (the least sum of
  (r - c)^2 over the pairs, r and c their ranks in the component: predictions in submission order, units in text
  order), so identical predictions of identical units pair off in order. It is solved per connected component of
  eligible pairs by scipy's `linear_sum_assignment` on integer weights that encode that order (`pair_weights`);
  where several matchings are still equally good, the solver's choice on that matrix stands, which for a
  component of one prediction or of one unit is its first best pair.
- *Exact matching*: the same, over the candidate pairs whose spans are equal after `trim_span` (surrounding
  whitespace, quote marks, also as HTML entities such as `&quot;`, and trailing `,.;:` removed).
- A prediction paired with a don't-care unit is dropped from both counts. Per document and kind (`exact`,
  `overlap`): `[tp, n_pred, n_gold]` = [pairs with a counted unit, counted predictions minus pairs with a
  don't-care unit, counted units]. Unpaired counted predictions are *spurious*, unpaired counted units *missed*.
- `chars`: with P, G and D the characters covered by counted predictions, by counted units, and by don't-care
  units or boilerplate regions: `[|P and G|, |P and (G or not D)|, |G|]`.

Attribution, stance, gold spans, date, outlet
---------------------------------------------
- A predicted speaker is *right* (`speaker_right`) when its predicted mention span overlaps the unit's gold
  mention span, or when its `name_form` (case, accents, punctuation, possessives, leading honorifics and middle
  initials do not matter; articles do) is non-empty and (`names_speaker`), with the speaker's *own* forms = its
  name, its aliases and the unit's mention text: equals an own form; or contains one as a contiguous word
  sequence and names no other speaker of the document. Another speaker (one with other units in the document) is
  named by an occurrence of one of its aliases, unless that occurrence lies inside an occurrence of an own form,
  or the alias is a part of an own form (an affiliation: "Kremlin" in "Kremlin spokesman Dmitry Peskov") and no
  "and"/"or" outside the own forms coordinates two names.
- On the overlap-matched pairs with a counted unit: `attr_correct` (speaker right), `stance_cm[gold][pred]`
  (stance codes favor, against, neutral, none, and NULL = no stance predicted). `stance_missed[gold]` counts the
  missed units, `stance_spurious[pred]` the spurious predictions.
- Gold spans given: each counted unit takes the first prediction naming its `quote_id` (or none): `gs_n` counted
  units, `gs_attr_correct` those with the speaker right, `gs_cm[gold][pred or NULL]`.
- Date: with d = |predicted - gold| in days when a date is predicted, `date_exact` (d = 0), `date_within_1`
  (d <= 1), `date_abs_days` (d, else 0), `date_predicted`, `date_n` = 1. No prediction is a miss.
- Outlet: `outlet_correct` (the normalised name equals the canonical name or an alias; an explicit null is right
  when the text never names the outlet; an absent key is wrong), `outlet_n` = 1.

From counts to numbers (`benchmark.scoring.metrics`, one module per task), counts summed over the documents
-----------------------------------------------------------------------------------------------------------
P = tp / n_pred, R = tp / n_gold, F1 = 2 tp / (n_pred + n_gold), 0 where a denominator is 0. Attribution:
accuracy = attr_correct / overlap tp; end-to-end P/R/F1 with attr_correct as tp. Stance: per label
F1 = 2 tp / (predicted + gold) on the matched confusion, and end to end on it plus the missed units (in the NULL
column) and the spurious predictions (in the NULL row); macro-F1 averages the labels that occur; F_avg = mean F1 of
favor and against. overall = mean of attribution F1, end-to-end stance macro-F1, date accuracy, outlet accuracy.
Intervals resample documents (`benchmark.scoring.stats`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from benchmark.labels import QUOTE_TYPES, STANCES, TRACK_A_TYPES, TRACK_B_TYPES
from benchmark.scoring.metrics.attribution import name_form
from benchmark.scoring.metrics.outlet import outlet_correct
from benchmark.submission.align import QUOTE_MARKS

# Moves whenever a change to the scorer changes a printed number (the signature carries it): 1 = before the
# reference existed; 2 = exact match as trim_span equality, identical pairs kept in order, overlapping regions;
# 3 = quotes given as text aligned in tiers (fuzzy, ellipsis), a text not found counted as a spurious prediction,
# names that contain an alias of the gold speaker (and no other speaker of the document) right; 4 = the overlap
# matching prefers pairs of equal trimmed spans before shared characters (a don't-care unit containing a prediction
# no longer takes it from the unit it equals: found by the gold-as-submission property test).
SCORER_VERSION = "4"
TRACKS = {"A": TRACK_A_TYPES, "B": TRACK_B_TYPES, "all": QUOTE_TYPES}
NULL = len(STANCES)                          # the code of "no stance"
STANCE_CODE = {label: code for code, label in enumerate(STANCES)}
TRAILING_PUNCTUATION = ",.;:"
# a quote mark written as an HTML entity, also escaped again (&amp;quot;)
QUOTE_ENTITY = re.compile(
    r"&(?:amp;)*(?:quot|apos|[lr]dquo|[lr]squo|bdquo|sbquo|[lr]aquo|[lr]saquo|"
    r"#0*(?:34|39|96|171|187|82(?:1[6-9]|2[0-3])|8249|8250)|#[xX]0*(?:22|27|60|[aAbB][bB]|201[89a-fA-F]|203[9aA]));")


@dataclass
class DocumentResult:
    """What the reference finds in one document."""
    counts: dict[str, object]                # name -> int or (nested) list, as `metrics.COUNT_SHAPES`
    matched: list[tuple[dict, object, bool]] = field(default_factory=list)   # (unit, prediction, speaker right)
    missed: list[dict] = field(default_factory=list)                         # counted units in no pair
    spurious: list = field(default_factory=list)                             # counted predictions in no pair
    ignored: dict[str, int] = field(default_factory=lambda: {"boilerplate": 0, "other_track": 0, "invalid": 0})
    unaligned: int = 0                        # counted predictions given by a text not found in the article


def score_documents(docs: list[dict], units: list[dict], submission, track: str, overlap: float
                    ) -> list[DocumentResult]:
    """One DocumentResult per gold document, in order. `units`: rows of the quotes config (other documents' rows
    are left out); `submission`: a Submission whose documents carry their quotes."""
    by_doc: dict[str, list[dict]] = {d["doc_id"]: [] for d in docs}
    for unit in units:
        if unit["doc_id"] in by_doc:
            by_doc[unit["doc_id"]].append(unit)
    return [score_document(d, by_doc[d["doc_id"]], submission.documents.get(d["doc_id"]), track, overlap)
            for d in docs]


def score_document(doc: dict, units: list[dict], prediction, track: str, overlap: float) -> DocumentResult:
    """The counts of one document (`prediction`: its DocumentPrediction, or None)."""
    text, regions, types = doc["text"], doc.get("boilerplate") or [], TRACKS[track]
    counted_unit = [u["type"] in types and not u["optional"] and not u["in_boilerplate"] for u in units]
    result = DocumentResult(counts={})
    quotes = prediction.quotes if prediction is not None else []
    speakers = document_speakers(units)
    predictions = []
    for q in quotes:
        if q.quote_id is not None:
            continue
        if q.start is None:                   # a text not found in the article: counted, covers nothing
            if q.type is not None and q.type not in types:
                result.ignored["other_track"] += 1
            else:
                predictions.append(q)
                result.unaligned += 1
        elif not 0 <= q.start < q.end <= len(text):
            result.ignored["invalid"] += 1
        elif q.type is not None and q.type not in types:
            result.ignored["other_track"] += 1
        elif any(r["start"] <= q.start and q.end <= r["end"] for r in regions):
            result.ignored["boilerplate"] += 1
        else:
            predictions.append(q)

    # -- quote detection
    candidates = [(i, j, shared) for i, p in enumerate(predictions) if p.start is not None for j, u in enumerate(units)
                  if (shared := min(p.end, u["end"]) - max(p.start, u["start"])) > 0]
    eligible = [(i, j, s) for i, j, s in candidates if s >= overlap * (units[j]["end"] - units[j]["start"]) - 1e-9]
    same_span = [(i, j, s) for i, j, s in candidates
                 if trim_span(text, predictions[i].start, predictions[i].end)
                 == trim_span(text, units[j]["start"], units[j]["end"])]
    same = {(i, j) for i, j, _ in same_span}
    pairs = best_matching(eligible, units, counted_unit, same)
    for kind, chosen in (("overlap", pairs), ("exact", best_matching(same_span, units, counted_unit, same))):
        tp = sum(counted_unit[j] for _, j in chosen)
        result.counts[kind] = [tp, len(predictions) - (len(chosen) - tp), sum(counted_unit)]
    covered = [set(range(x.start, x.end)) for x in predictions if x.start is not None]
    p_chars = set().union(*covered)
    g_chars = set().union(*(range(u["start"], u["end"]) for u, c in zip(units, counted_unit) if c))
    d_chars = set().union(*(range(u["start"], u["end"]) for u, c in zip(units, counted_unit) if not c),
                          *(range(r["start"], r["end"]) for r in regions))
    result.counts["chars"] = [len(p_chars & g_chars), len(p_chars - (d_chars - g_chars)), len(g_chars)]

    # -- attribution and stance on the overlap-matched pairs with a counted unit
    stance_cm = [[0] * (NULL + 1) for _ in range(NULL)]
    paired_predictions, paired_units = {i for i, _ in pairs}, {j for _, j in pairs}
    for i, j in pairs:
        if counted_unit[j]:
            right = speaker_right(predictions[i], units[j], speakers)
            result.matched.append((units[j], predictions[i], right))
            stance_cm[STANCE_CODE[units[j]["stance"]]][code(predictions[i].stance)] += 1
    result.missed = [u for j, u in enumerate(units) if counted_unit[j] and j not in paired_units]
    result.spurious = [p for i, p in enumerate(predictions) if i not in paired_predictions]
    result.counts["attr_correct"] = [sum(right for _, _, right in result.matched)]
    result.counts["stance_cm"] = stance_cm
    result.counts["stance_missed"] = [sum(STANCE_CODE[u["stance"]] == k for u in result.missed) for k in range(NULL)]
    result.counts["stance_spurious"] = [sum(code(p.stance) == k for p in result.spurious) for k in range(NULL + 1)]

    # -- gold spans given: predictions located by quote_id
    given: dict[str, object] = {}
    for q in quotes:
        if q.quote_id is not None:
            given.setdefault(q.quote_id, q)
    gs_cm = [[0] * (NULL + 1) for _ in range(NULL)]
    gs_right = 0
    for u, c in zip(units, counted_unit):
        if c:
            q = given.get(u["quote_id"])
            gs_right += q is not None and speaker_right(q, u, speakers)
            gs_cm[STANCE_CODE[u["stance"]]][code(q.stance) if q is not None else NULL] += 1
    result.counts.update(gs_n=[sum(counted_unit)], gs_attr_correct=[gs_right], gs_cm=gs_cm)

    # -- date and outlet
    fields = prediction.fields if prediction is not None else frozenset()
    published = prediction.published if "published" in fields else None
    days = abs((published - doc["published"]).days) if published is not None else None
    result.counts.update(date_exact=int(days == 0), date_within_1=int(days is not None and days <= 1),
                         date_abs_days=days or 0, date_predicted=int(days is not None), date_n=1)
    predicted_outlet = prediction.outlet if "outlet" in fields else None
    result.counts["outlet_correct"] = [int(outlet_correct(predicted_outlet, "outlet" in fields, doc["outlet"],
                                                          doc.get("outlet_aliases"), doc["outlet_evidence"]))]
    result.counts["outlet_n"] = [1]
    return result


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding whitespace and quote marks (also as HTML entities) and trailing `,.;:`: two
    spans match exactly when they trim to the same span.

    >>> text = 'He said: "We are ready," and left.'
    >>> trim_span(text, 8, 24), text[10:23]
    ((10, 23), 'We are ready')
    """
    while start < end:
        if text[start].isspace() or text[start] in QUOTE_MARKS:
            start += 1
        elif text[start] == "&" and (entity := QUOTE_ENTITY.match(text, start, end)):
            start = entity.end()
        else:
            break
    while end > start:
        last = text[end - 1]
        amp = text.rfind("&", start, end) if last == ";" else -1
        if amp >= 0 and QUOTE_ENTITY.fullmatch(text, amp, end):
            end = amp                     # a quote-mark entity such as &quot; goes as a whole
        elif last.isspace() or last in QUOTE_MARKS + TRAILING_PUNCTUATION:
            end -= 1
        else:
            break
    return start, end


def code(stance: str | None) -> int:
    return NULL if stance is None else STANCE_CODE[stance]


def document_speakers(units: list[dict]) -> dict[str, tuple[str, ...]]:
    """speaker_id -> the `name_form`s of its name and aliases, for every speaker of a document's units."""
    return {u["speaker_id"]: speaker_forms(u) for u in units}


def speaker_forms(unit: dict) -> tuple[str, ...]:
    """The `name_form`s of a unit's speaker name and aliases (non-empty, each once, in order)."""
    forms = (name_form(a) for a in [unit["speaker"], *(unit.get("speaker_aliases") or ())] if a)
    return tuple(dict.fromkeys(f for f in forms if f))


def speaker_right(prediction, unit: dict, speakers: dict[str, tuple[str, ...]] | None = None) -> bool:
    """Does the predicted speaker (name, or mention span) name the unit's gold speaker? `speakers`: the document's
    speakers (`document_speakers`; None: only the unit's own)."""
    if prediction.speaker_start is not None and unit.get("speaker_start") is not None and \
            min(prediction.speaker_end, unit["speaker_end"]) > max(prediction.speaker_start, unit["speaker_start"]):
        return True
    name = name_form(prediction.speaker) if prediction.speaker is not None else ""
    mention = name_form(unit["speaker_mention"]) if unit.get("speaker_mention") else ""
    own = speaker_forms(unit) + ((mention,) if mention else ())
    others = [f for sid, forms in (speakers or {}).items() if sid != unit["speaker_id"] for f in forms]
    return names_speaker(name, own, others)


COORDINATING = frozenset({"and", "or"})


def names_speaker(name: str, own: tuple[str, ...], others) -> bool:
    """The name rule on `name_form`s (see the docstring): does `name` name the speaker whose forms are `own` and
    none of the speakers whose aliases are `others`?"""
    if not name:
        return False
    if name in own:
        return True
    words = name.split()
    held = [span for form in own for span in occurrences(words, form.split())]
    if not held:
        return False

    def inside(s: int, e: int) -> bool:
        return any(s0 <= s and e <= e0 for s0, e0 in held)

    coordinated = any(w in COORDINATING and not inside(k, k + 1) for k, w in enumerate(words))
    for alias in others:
        part_of_own = any(occurrences(form.split(), alias.split()) for form in own)
        if any(not inside(s, e) and (coordinated or not part_of_own) for s, e in occurrences(words, alias.split())):
            return False
    return True


def occurrences(words: list[str], part: list[str]) -> list[tuple[int, int]]:
    """Word spans (start, end) where `part` occurs in `words` as a contiguous sequence."""
    n = len(part)
    return [(k, k + n) for k in range(len(words) - n + 1) if n and words[k:k + n] == part]


def best_matching(edges: list[tuple[int, int, int]], units: list[dict], counted_unit: list[bool],
                  same: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """The one-to-one matching of (prediction, unit, shared characters) edges, as (prediction, unit) pairs in
    prediction order: per connected component, linear_sum_assignment on `pair_weights`. same: the (prediction,
    unit) pairs whose spans are equal after trim_span."""
    chosen = []
    for component in connected_components(edges):
        rows = sorted({i for i, _, _ in component})
        columns = sorted({j for _, j, _ in component}, key=lambda j: (units[j]["start"], j))     # text order
        row, column = {i: k for k, i in enumerate(rows)}, {j: k for k, j in enumerate(columns)}
        r, c = [row[i] for i, _, _ in component], [column[j] for _, j, _ in component]
        weight = np.zeros((len(rows), len(columns)))
        weight[r, c] = pair_weights(r, c, [s for _, _, s in component], [counted_unit[j] for _, j, _ in component],
                                    [(i, j) in same for i, j, _ in component])
        for a, b in zip(*linear_sum_assignment(weight, maximize=True)):
            if weight[a, b] > 0:                                # not an edge: the solver filled a rectangle
                chosen.append((rows[a], columns[b]))
    return sorted(chosen)


def pair_weights(r, c, shared, counted, same) -> np.ndarray:
    """Integer weights (as float64) of the pairs of one component, r and c their row and column ranks, whose
    largest total is the best matching: a counted pair outweighs any number of other pairs, a pair all pairs of
    equal trimmed spans (`same`), such a pair all shared characters, a shared character any order bonus
    K - (r - c)^2. Exact while the totals stay below 2**53; a component too large for that (thousands of
    overlapping predictions of one passage) drops the order bonus, and one too large even then is refused."""
    r, c, shared, counted, same = (np.asarray(x, dtype=np.int64) for x in (r, c, shared, counted, same))
    n = int(min(r.max(), c.max())) + 1 if len(r) else 0        # at most n pairs
    k = (int(r.max()) + int(c.max()) + 2) ** 2 if len(r) else 1
    s = int(np.sort(shared)[len(shared) - n:].sum()) if n else 0   # at most the n largest shares are in a matching
    m0 = n * k + 1                         # a shared character: more than every order bonus together
    m_same = s * m0 + n * k + 1            # a pair of equal trimmed spans: more than all characters and bonuses
    m1 = n * m_same + m_same               # a pair: more than all of the above
    m2 = m1 * (n + 1)                      # a counted pair: more than any number of pairs
    order = k - (r - c) ** 2
    if m2 * (n + 1) >= 2 ** 53:
        m0, order = 1, 0
        m_same = s + 1
        m1 = (n + 1) * m_same
        m2 = m1 * (n + 1)
        if m2 * (n + 1) >= 2 ** 53:     # ~10^5 pairs of long shares: its dense weight matrix would not fit anyway
            raise ValueError(f"a matching component of {len(r)} pairs is too large to weigh exactly")
    return (counted * m2 + m1 + same * m_same + shared * m0 + order).astype(np.float64)


def connected_components(edges: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """The edges grouped by connected component of the bipartite graph (union-find over predictions and units)."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            node = parent[node]
        return node

    for i, j, _ in edges:
        parent[root(("p", i))] = root(("u", j))
    groups: dict[tuple[str, int], list] = {}
    for edge in edges:
        groups.setdefault(root(("p", edge[0])), []).append(edge)
    return list(groups.values())
