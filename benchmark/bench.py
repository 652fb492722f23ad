"""Speed and memory of the scorer on synthetic corpora: `python -m benchmark.bench [--quick]`.

For three corpus sizes it synthesises a gold corpus (documents rows, and quotes as the pyarrow table
`benchmark.dataset.read_table` returns) and a submission file that gets most quotes right and some wrong
(shifted spans, extra quote marks, missed and spurious quotes, wrong speakers and stances), then times

- parse:  reading the submission file with the standard json module (one json.loads per line) -- the floor;
- read:   `benchmark.scoring.read_predictions(..., stream=True)`, the default path of `benchmark.score`: a clean
          file goes through `benchmark.submission.columnar` (pyarrow's JSON reader, checks on whole columns), any
          other through `read_submission` one line at a time; both validate, both give the same arrays;
- score:  `benchmark.scoring.score_corpus` with the default options (bootstrap 1000 resamples);

and prints the ratios to the parse time, and the peak memory (Python and pyarrow allocations, in a separate pass)
of parsing and of read + score next to the size of the submission file. The peak of read + score is the larger
of the two phases' peaks (see `_peak`); the gold rows, loaded before, are not counted, the arrays the scorer
makes of them are. The last line is
`ratio score/parse at largest size: X.XX`, where score is read + score (what `kremlin-reactions score` does after
loading the gold rows). Parsing runs with the garbage collector paused, as the scorer does, so the floor is not
inflated. Wall-clock time: the scorer uses a second thread where numpy or pyarrow release the GIL.

`--text-locators [MB]` instead times a submission of quotes given by their text, as a chat model writes them
(`text_locator_submission`: most verbatim, some with straightened quote marks, edited letters, "..."
abridgements, invented quotes), of about MB megabytes (default 2): reading it aligns every quote
(`benchmark.submission.align`), then it is scored; plus one line whose single text locator is 8 MB. Targets: the
2 MB file in under 10 s and 500 MB.
"""
from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (30, 100, 300)
QUOTES_PER_DOC = 10
SPEAKERS = [
    ("vladimir_putin", "Vladimir Putin", ["Vladimir Putin", "Putin", "Mr Putin", "President Putin"]),
    ("dmitry_peskov", "Dmitry Peskov", ["Dmitry Peskov", "Peskov", "Kremlin spokesman Dmitry Peskov"]),
    ("sergey_lavrov", "Sergey Lavrov", ["Sergey Lavrov", "Lavrov"]),
    ("maria_zakharova", "Maria Zakharova", ["Maria Zakharova", "Zakharova"]),
    ("anon_official", "a Kremlin official", ["a Kremlin official"]),
]
STANCES = ("favor", "against", "neutral", "none")
WORDS = ("talks sanctions Ukraine election relations summit Moscow Washington cooperation trade security "
         "dialogue pressure peace president minister statement reporters Wednesday").split()


def synthesise(n_docs: int, seed: int = 0) -> tuple[list[dict], list[dict], list[dict]]:
    """(gold documents, gold quotes, submission objects) for n_docs documents of QUOTES_PER_DOC quotes each."""
    rng = random.Random(seed)
    docs, quotes, submission = [], [], []
    base = datetime.date(2024, 11, 6)
    for d in range(n_docs):
        doc_id = f"{d:06d}_synthetic"
        parts, pos, gold_q, pred_q = [], 0, [], []
        for k in range(QUOTES_PER_DOC):
            filler = " ".join(rng.choices(WORDS, k=rng.randint(4, 12))).capitalize() + ". "
            body = " ".join(rng.choices(WORDS, k=rng.randint(5, 20))).capitalize() + ","
            sid, name, aliases = SPEAKERS[rng.randrange(len(SPEAKERS))]
            indirect = k == QUOTES_PER_DOC - 1
            piece = filler + (f"{name} said that {body} " if indirect else f"\u201c{body}\u201d said {name}. ")
            start = pos + len(filler) + (len(name) + 11 if indirect else 1)
            end = start + len(body)
            m_start = pos + len(filler) + (0 if indirect else len(body) + 8)
            parts.append(piece)
            pos += len(piece)
            gold_stance = STANCES[rng.randrange(4)]
            gold_q.append({
                "quote_id": f"{doc_id}-q{k:02d}", "doc_id": doc_id, "start": start, "end": end,
                "type": "indirect" if indirect else ("partial" if k % 4 == 3 else "direct"),
                "speaker_id": sid, "speaker": name, "speaker_aliases": aliases,
                "speaker_start": m_start, "speaker_end": m_start + len(name), "stance": gold_stance,
                "optional": k == 5 and d % 10 == 0, "in_boilerplate": False})
            r = rng.random()
            if r < 0.1:
                continue                                            # missed
            if r < 0.7:
                s, e = start, end                                   # exact
            elif r < 0.8:
                s, e = start - 1, end + 1                           # with the quote marks: still exact
            else:
                s, e = start + rng.randint(1, 8), end - rng.randint(0, 8)    # shifted: overlap only
            speaker = rng.choice(aliases) if rng.random() < 0.8 else SPEAKERS[rng.randrange(len(SPEAKERS))][1]
            stance = gold_stance if rng.random() < 0.6 else STANCES[rng.randrange(4)]
            pred_q.append({"start": s, "end": max(e, s + 1), "speaker": speaker, "stance": stance})
        text = "".join(parts) + "Related: share this article. Advertisement."
        bp_start = pos + len("Related: ")
        pred_q.append({"start": 0, "end": 20, "speaker": None, "stance": "none"})      # spurious
        pred_q.append({"start": bp_start, "end": bp_start + 10})                        # inside boilerplate
        published = base + datetime.timedelta(days=d % 3)
        docs.append({"doc_id": doc_id, "text": text, "outlet": "CNN", "outlet_aliases": ["CNN"],
                     "outlet_evidence": "explicit", "published": published, "date_evidence": "explicit",
                     "boilerplate": [{"start": bp_start, "end": len(text), "kind": "promo"}]})
        quotes.extend(gold_q)
        guess = base + datetime.timedelta(days=1)
        submission.append({"doc_id": doc_id, "outlet": "CNN" if d % 5 else "Fox News",
                           "published": guess.isoformat(), "quotes": pred_q})
    return docs, quotes, submission


def parse_json_lines(path: str) -> list:
    """The floor: read the file and parse each line with the standard json module, keeping the objects (a
    scorer needs the whole submission in memory)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def measure(n_docs: int, workdir: str, n_boot: int, repeat: int = 1) -> dict:
    import pyarrow as pa

    from benchmark.scoring import Options, read_predictions, score_corpus
    from benchmark.scoring.engines import gc_paused

    docs, quote_rows, objects = synthesise(n_docs)
    quotes = pa.Table.from_pylist(quote_rows)       # the gold as `score` reads it (benchmark.dataset.read_table)
    del quote_rows
    path = os.path.join(workdir, f"submission_{n_docs}.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for obj in objects:
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")
    del objects
    size = os.path.getsize(path)
    texts = {d["doc_id"]: d["text"] for d in docs}
    options = Options(n_boot=n_boot)

    def parse():
        with gc_paused():       # the same collector regime as the scorer
            return parse_json_lines(path)

    def read():                 # as benchmark.score does it after reading the gold rows (streaming the file)
        return read_predictions(path, texts, set(), stream=True)

    def score_submission(submission):
        return score_corpus(docs, quotes, submission, options)

    def score():
        with gc_paused():
            submission = read()
            t = time.perf_counter()
            results = score_submission(submission)
        return results, t

    t_parse = t_read = t_total = float("inf")
    for _ in range(repeat):     # best of `repeat` for each, parse and score alike
        gc.collect()
        t0 = time.perf_counter()
        parsed = parse()
        t_parse = min(t_parse, time.perf_counter() - t0)
        del parsed
        gc.collect()
        t0 = time.perf_counter()
        results, t_mid = score()
        t1 = time.perf_counter()
        if t1 - t0 < t_total:
            t_total, t_read = t1 - t0, t_mid - t0
        del results
    gc.collect()
    parse_peak = _peak([parse])
    with gc_paused():
        score_peak = _peak([read, score_submission])
    return {"docs": n_docs, "quotes": quotes.num_rows, "mb": size / 1e6, "parse": t_parse, "read": t_read,
            "score": t_total - t_read, "total": t_total, "parse_peak_mb": parse_peak / 1e6,
            "peak_mb": score_peak / 1e6}


_POOLS: list = []


def _peak(phases) -> int:
    """Peak bytes allocated while `phases` run one after the other (each is given the previous one's result; the
    first nothing): the largest over the phases of Python's allocations (tracemalloc, numpy included; its peak is
    reset when a phase starts, so it counts all that is still alive) plus pyarrow's (which tracemalloc does not
    see: what earlier phases still hold, plus the peak of a fresh proxy of pyarrow's memory pool during the
    phase). Within a phase the Python and pyarrow peaks are added, so this is an upper bound when they fall at
    different moments."""
    import pyarrow as pa

    previous = pa.default_memory_pool()
    pools = []
    peak = 0
    result = None
    tracemalloc.start()
    try:
        for k, phase in enumerate(phases):
            held = sum(p.bytes_allocated() for p in pools)
            pools.append(pa.proxy_memory_pool(previous))
            pa.set_memory_pool(pools[-1])
            tracemalloc.reset_peak()
            result = phase() if k == 0 else phase(result)
            peak = max(peak, tracemalloc.get_traced_memory()[1] + held + pools[-1].max_memory())
    finally:
        tracemalloc.stop()
        pa.set_memory_pool(previous)
        _POOLS.extend(pools)    # kept alive: buffers they allocated may outlive this call
    del result
    gc.collect()
    return peak


TEXT_LOCATOR_MB = 2.0
HUGE_TEXT_BYTES = 8_000_000          # one text locator this long (the line stays under MAX_LINE_BYTES)


def text_locator_submission(docs: list[dict], quotes: list[dict], seed: int = 1) -> list[dict]:
    """The quotes of `synthesise` given by text the way a chat model answers: 50% verbatim, 15% with straight
    quote marks around them, 10% with one letter changed, 10% abridged with "...", 5% invented, 10% left out;
    speakers as "Kremlin spokesman NAME"."""
    rng = random.Random(seed)
    by_doc: dict[str, list[dict]] = {}
    for q in quotes:
        by_doc.setdefault(q["doc_id"], []).append(q)
    out = []
    for d in docs:
        preds = []
        for q in by_doc.get(d["doc_id"], ()):
            body = d["text"][q["start"]:q["end"]]
            r = rng.random()
            if r < 0.5:
                text = body
            elif r < 0.65:
                text = f'"{body}"'
            elif r < 0.75:
                k = rng.randrange(len(body))
                text = body[:k] + ("x" if body[k] != "x" else "y") + body[k + 1:]
            elif r < 0.85:
                words = body.split()
                text = " ".join(words[:2]) + " ... " + " ".join(words[-2:]) if len(words) > 4 else body
            elif r < 0.9:
                text = "We look forward to a new chapter in our relations, " + " ".join(rng.choices(WORDS, k=6))
            else:
                continue
            preds.append({"text": text, "speaker": f"Kremlin spokesman {q['speaker']}", "stance": q["stance"]})
        out.append({"doc_id": d["doc_id"], "outlet": "CNN", "published": "2024-11-07", "quotes": preds})
    return out


def measure_text_locators(megabytes: float, workdir: str, n_boot: int) -> list[dict]:
    """Read + score time and peak memory of a text-locator submission of about `megabytes` MB, and of one line
    holding an 8 MB text locator."""
    import pyarrow as pa

    from benchmark.scoring import Options, read_predictions, score_corpus
    from benchmark.scoring.engines import gc_paused

    n_docs = max(1, int(megabytes * 1e6 / 1400))            # about 1.4 kB of text locators per document
    docs, quote_rows, _ = synthesise(n_docs)
    objects = text_locator_submission(docs, quote_rows)
    huge = [{"doc_id": docs[0]["doc_id"], "quotes": [{"text": " ".join(WORDS) * (HUGE_TEXT_BYTES // 190)}]}]
    quotes = pa.Table.from_pylist(quote_rows)
    texts = {d["doc_id"]: d["text"] for d in docs}
    boilerplate = {d["doc_id"]: d["boilerplate"] for d in docs}
    rows = []
    for label, lines in ((f"{megabytes:g} MB of text locators", objects), ("one 8 MB text locator", huge)):
        path = os.path.join(workdir, "text_locators.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for obj in lines:
                f.write(json.dumps(obj, ensure_ascii=False) + "\n")

        def read():
            return read_predictions(path, texts, set(), stream=True, boilerplate=boilerplate)

        def score_submission(submission):
            return score_corpus(docs, quotes, submission, Options(n_boot=n_boot))

        gc.collect()
        with gc_paused():
            t0 = time.perf_counter()
            submission = read()
            t1 = time.perf_counter()
            results = score_submission(submission)
            t2 = time.perf_counter()
        del submission
        gc.collect()
        with gc_paused():
            peak = _peak([read, score_submission])
        rows.append({"case": label, "mb": os.path.getsize(path) / 1e6, "quotes": sum(len(o["quotes"]) for o in lines),
                     "not_found": results["quotes"]["not_found"], "read": t1 - t0, "score": t2 - t1,
                     "peak_mb": peak / 1e6, "f1": results["quotes"]["overlap"]["f1"],
                     "attribution": results["attribution"]["f1"]})
    return rows


ENGINE_SIZES = (5, 50, 250, 1000)


def engines(sizes=ENGINE_SIZES, n_boot: int = 1000) -> list[dict]:
    """Seconds of `score_corpus` with each engine on the same in-memory submission (quote objects kept, as for
    the error report), best of 3: where the reference (plain Python) stops being fast enough for engine="auto"."""
    import pyarrow as pa

    from benchmark.scoring import Options, score_corpus
    from benchmark.submission import read_submission

    rows = []
    for n in sizes:
        docs, quote_rows, objects = synthesise(n)
        submission = read_submission(objects, {d["doc_id"]: d["text"] for d in docs}, set())
        table = pa.Table.from_pylist(quote_rows)
        row = {"docs": n, "quotes": len(quote_rows) + sum(len(o["quotes"]) for o in objects)}
        for engine in ("reference", "fast"):
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                score_corpus(docs, table, submission, Options(n_boot=n_boot), engine=engine)
                times.append(time.perf_counter() - t0)
            row[engine] = min(times)
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"small sizes {QUICK_SIZES} (a smoke run)")
    parser.add_argument("--sizes", type=lambda s: tuple(int(x) for x in s.split(",")), default=None,
                        help="comma-separated numbers of documents (default %s)" % ",".join(map(str, SIZES)))
    from benchmark.scoring.options import MAX_RESAMPLES, _resamples

    parser.add_argument("--bootstrap", type=_resamples, default=1000,
                        help=f"bootstrap resamples (default 1000, at most {MAX_RESAMPLES})")
    parser.add_argument("--repeat", type=int, default=1, help="time each step this many times, keep the best")
    parser.add_argument("--engines", action="store_true",
                        help="time the reference and the fast engine side by side at small sizes instead")
    parser.add_argument("--text-locators", nargs="?", type=float, const=TEXT_LOCATOR_MB, default=None, metavar="MB",
                        help=f"time a submission of quotes given as text (about MB megabytes, default "
                             f"{TEXT_LOCATOR_MB:g}) and one 8 MB text locator instead")
    args = parser.parse_args(argv)
    if args.text_locators is not None:
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}; "
              f"quotes given as text, as a chat model writes them; bootstrap {args.bootstrap}")
        print(f"{'case':<26} {'file MB':>7} {'quotes':>7} {'not found':>9} {'read s':>7} {'score s':>7} "
              f"{'total s':>7} {'peak MB':>7} {'quotes F1':>9} {'attrib F1':>9}")
        with tempfile.TemporaryDirectory() as workdir:
            for r in measure_text_locators(args.text_locators, workdir, args.bootstrap):
                print(f"{r['case']:<26} {r['mb']:>7.2f} {r['quotes']:>7} {r['not_found']:>9} {r['read']:>7.2f} "
                      f"{r['score']:>7.2f} {r['read'] + r['score']:>7.2f} {r['peak_mb']:>7.1f} {r['f1']:>9.3f} "
                      f"{r['attribution']:>9.3f}", flush=True)
        return 0
    if args.engines:
        from benchmark.scoring.engines import AUTO_REFERENCE_MAX_QUOTES

        print(f"score_corpus seconds (best of 3, bootstrap {args.bootstrap}); engine=auto takes the reference up "
              f"to {AUTO_REFERENCE_MAX_QUOTES} gold units + predicted quotes")
        print(f"{'documents':>9} {'units+quotes':>12} {'reference s':>11} {'fast s':>7} {'ratio':>6}")
        for r in engines(args.sizes or ENGINE_SIZES, args.bootstrap):
            print(f"{r['docs']:>9} {r['quotes']:>12} {r['reference']:>11.3f} {r['fast']:>7.3f} "
                  f"{r['reference'] / r['fast']:>6.1f}", flush=True)
        return 0
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}; "
          f"{QUOTES_PER_DOC} gold quotes per document; bootstrap {args.bootstrap}; best of {args.repeat}")
    print("parse = json.loads of every line; read = read_predictions(stream=True) (validation); score = score_corpus; "
          "peak = peak memory (Python + pyarrow) of parse, and of read + score")
    header = (f"{'documents':>9} {'quotes':>8} {'file MB':>7} {'parse s':>7} {'read s':>6} {'score s':>7} "
              f"{'read/parse':>10} {'score/parse':>11} {'(read+score)/parse':>18} {'parse peak MB':>13} "
              f"{'peak MB':>7} {'peak/file':>9} {'peak/parse peak':>15}")
    print(header)
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for n in sizes:
            r = measure(n, workdir, args.bootstrap, args.repeat)
            rows.append(r)
            print(f"{r['docs']:>9} {r['quotes']:>8} {r['mb']:>7.1f} {r['parse']:>7.2f} {r['read']:>6.2f} "
                  f"{r['score']:>7.2f} {r['read'] / r['parse']:>10.2f} {r['score'] / r['parse']:>11.2f} "
                  f"{r['total'] / r['parse']:>18.2f} {r['parse_peak_mb']:>13.1f} {r['peak_mb']:>7.1f} "
                  f"{r['peak_mb'] / r['mb']:>9.2f} {r['peak_mb'] / r['parse_peak_mb']:>15.2f}", flush=True)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = (last["total"] / first["total"]) / (last["docs"] / first["docs"])
        print(f"read+score time per document, largest vs smallest size: x{growth:.2f} (1.00 = linear growth)")
    last = rows[-1]
    print(f"ratio score/parse at largest size: {last['total'] / last['parse']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
