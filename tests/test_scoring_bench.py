"""A smoke run of the speed benchmark (`python -m benchmark.bench`): tiny sizes, output format only (timings are
measured by the script itself, never asserted in tests)."""
from __future__ import annotations

import re

from benchmark import bench


def test_bench_smoke(capsys):
    assert bench.main(["--sizes", "20,40", "--bootstrap", "20"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"ratio score/parse at largest size: \d+\.\d\d", lines[-1])
    assert sum(1 for line in lines if re.match(r"\s+(20|40)\s+\d+", line)) == 2


def test_synthetic_submission_scores_between_zero_and_one():
    from benchmark.scoring import Options, score_corpus
    from benchmark.submission import read_submission

    docs, quotes, objects = bench.synthesise(50, seed=1)
    sub = read_submission(objects, {d["doc_id"]: d["text"] for d in docs}, {q["quote_id"] for q in quotes})
    r = score_corpus(docs, quotes, sub, Options(n_boot=0))
    # the synthetic predictions get most quotes right, some shifted, some missed, plus spurious ones
    assert 0.5 < r["quotes"]["overlap"]["f1"] < 1.0
    assert 0.3 < r["quotes"]["exact"]["f1"] < r["quotes"]["overlap"]["f1"]
    assert r["quotes"]["ignored"]["boilerplate"] == 50


def test_synthetic_submission_file_takes_the_columnar_path(tmp_path):
    import json

    from benchmark.submission.columnar import read_columns

    docs, _, objects = bench.synthesise(30, seed=2)
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")
    columns = read_columns(str(path), {d["doc_id"]: d["text"] for d in docs}, max_line_bytes=1 << 20,
                           max_quotes_per_doc=100)
    assert columns is not None and len(columns.doc_ids) == 30


def test_peak_is_the_largest_phase_with_what_earlier_phases_still_hold():
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    mb = 1_000_000

    def first():                     # 4 MB kept (handed on), 8 MB more for a moment
        kept = np.ones(4 * mb, dtype=np.uint8)
        np.ones(8 * mb, dtype=np.uint8).sum()
        return kept

    def second(kept):                # 2 MB more for a moment, while the 4 MB are still held: 6 MB
        np.ones(2 * mb, dtype=np.uint8).sum()
        return kept

    peak = bench._peak([first, second])
    assert 12 * mb <= peak < 12.5 * mb                   # the first phase's peak: 4 + 8 MB
    peak = bench._peak([lambda: np.ones(4 * mb, dtype=np.uint8), second])
    assert 6 * mb <= peak < 6.5 * mb

    def arrow():                     # 5 MB made by pyarrow (its pool, which tracemalloc does not see), kept;
        source = np.ones(5 * mb // 8)    # the 5 MB numpy source is freed at the end of the phase: 10 MB
        return pc.multiply(pa.array(source), 2)

    def then(kept):                  # 7 MB of numpy while pyarrow still holds its 5 MB: 12 MB
        np.ones(7 * mb, dtype=np.uint8).sum()
        return kept

    peak = bench._peak([arrow, then])
    assert 12 * mb <= peak < 12.5 * mb
