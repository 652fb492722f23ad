"""The data folder is verified against the build's `files.sha256` whenever the scorer reads it: a missing, edited,
stray or corrupt data file is exit status 2 naming the file, so a signature's data fingerprint never describes
data other than the data scored against."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from report_inputs import gold_submission, write_jsonl

import benchmark
from benchmark import dataset
from benchmark.cli import main
from benchmark.codabench import main as codabench_main
from benchmark.corpus.build import build, check
from benchmark.errors import InputError

FIXTURE = Path(__file__).parent / "fixtures" / "dataset_annotations"


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of the packaged data folder."""
    folder = tmp_path / "data"
    shutil.copytree(benchmark.DATA_DIR, folder)
    return folder


def manifest_line(folder: Path, rel: str) -> int:
    lines = (folder / "files.sha256").read_text(encoding="ascii").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.endswith(f"  {rel}"))


def score_exit(folder: Path, tmp_path: Path, capsys) -> tuple[int, str]:
    path = write_jsonl(tmp_path / "sub.jsonl", gold_submission())
    capsys.readouterr()
    code = main(["score", str(path), "--data", str(folder), "--bootstrap", "0", "--json", str(tmp_path / "r.json")])
    captured = capsys.readouterr()
    if code:
        assert captured.out == "" and not (tmp_path / "r.json").exists() and "Traceback" not in captured.err
    return code, captured.err


def test_the_build_writes_a_sha256sum_manifest_of_every_other_file(tmp_path):
    out = tmp_path / "data"
    report = build(FIXTURE, out)
    lines = (out / "files.sha256").read_text(encoding="ascii").splitlines()
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != "files.sha256")
    assert [line.split("  ")[1] for line in lines] == files
    for line in lines:
        digest, rel = line.split("  ")
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest == report.files[rel]
    if shutil.which("sha256sum"):                 # the format of the standard tool: it checks the folder itself
        assert subprocess.run(["sha256sum", "--check", "--quiet", "files.sha256"], cwd=out).returncode == 0
    assert dataset.read_manifest(out)["quotes/test.parquet"][0] == report.files["quotes/test.parquet"]


def test_the_packaged_folder_verifies(data, tmp_path, capsys):
    assert score_exit(data, tmp_path, capsys)[0] == 0
    signature = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["signature"]
    assert f"data:{benchmark.data_fingerprint()[:8]}" in signature


def test_a_deleted_data_file_is_named_not_scored_silently(data, tmp_path, capsys):
    line = manifest_line(data, "quotes/test.parquet")
    (data / "quotes" / "test.parquet").unlink()
    code, err = score_exit(data, tmp_path, capsys)
    assert code == 2
    assert err == (f"{data / 'files.sha256'}:{line}: quotes/test.parquet: missing: the build wrote it and the folder "
                   "no longer has it; restore it, or rebuild the folder with `kremlin-reactions build`\n")


def test_an_edited_parquet_is_refused_even_when_it_still_reads(data, tmp_path, capsys):
    path = data / "quotes" / "test.parquet"
    table = pq.read_table(path)
    stance = table.schema.get_field_index("stance")
    flipped = pa.array(["favor"] * table.num_rows, table.schema.field("stance").type)
    pq.write_table(table.set_column(stance, "stance", flipped), path)        # a valid parquet, other numbers
    code, err = score_exit(data, tmp_path, capsys)
    assert code == 2
    line = manifest_line(data, "quotes/test.parquet")
    assert err.startswith(f"{data / 'files.sha256'}:{line}: quotes/test.parquet: edited: its sha256 is ")
    assert "the build wrote" in err and "rebuild the folder" in err


def test_a_corrupt_parquet_is_an_input_error_not_a_traceback(data, tmp_path, capsys):
    path = data / "documents" / "test.parquet"
    path.write_bytes(path.read_bytes()[:200])                  # truncated; the manifest made to agree with it
    manifest = data / "files.sha256"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest.write_text("".join(f"{digest}  documents/test.parquet\n" if line.endswith("  documents/test.parquet")
                                else line + "\n" for line in manifest.read_text().splitlines()), encoding="ascii")
    code, err = score_exit(data, tmp_path, capsys)
    assert code == 2 and err.startswith(f"{path}: file: not a readable parquet file: ")


def test_a_stray_split_file_is_refused_because_it_would_be_read(data, tmp_path, capsys):
    shutil.copy(data / "quotes" / "test.parquet", data / "quotes" / "extra.parquet")
    code, err = score_exit(data, tmp_path, capsys)
    assert code == 2
    assert err.startswith(f"{data / 'quotes' / 'extra.parquet'}: file: not written by the build (not in files.sha256)")


def test_a_missing_or_malformed_manifest_is_refused(data, tmp_path, capsys):
    manifest = data / "files.sha256"
    text = manifest.read_text(encoding="ascii")
    manifest.write_text(text.replace("  README.md", " README.md"), encoding="ascii")
    code, err = score_exit(data, tmp_path, capsys)
    assert code == 2 and err.startswith(f"{manifest}:1: line: expected '<sha256>  <file>' once per file")
    manifest.unlink()
    code, err = score_exit(data, tmp_path, capsys)
    assert code == 2 and err.startswith(f"{manifest}: file: missing: nothing records what the build wrote")


def test_every_reader_of_the_scorer_verifies(data, tmp_path, capsys):
    (data / "gold_fingerprint.txt").write_text("0" * 64 + "\n", encoding="ascii")     # a forged fingerprint
    with pytest.raises(InputError, match="gold_fingerprint.txt: edited"):
        benchmark.data_fingerprint(data)
    with pytest.raises(InputError, match="gold_fingerprint.txt: edited"):
        benchmark.score(gold_submission(), data_dir=data, n_boot=0)
    res = tmp_path / "input" / "res"
    res.mkdir(parents=True)
    write_jsonl(res / "p.jsonl", gold_submission())
    shutil.copytree(data, tmp_path / "input" / "ref")
    assert codabench_main([str(tmp_path / "input"), str(tmp_path / "out"), "--bootstrap", "0"]) == 2
    assert "gold_fingerprint.txt: edited" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    # the documents alone are still readable (an extractor reads only them): only what is read is checked
    assert len(dataset.read_rows("documents", "test", data)) == 3


def test_an_interrupted_build_is_never_scored(tmp_path, monkeypatch, capsys):
    """The manifest is written last: a build cut off after some data files leaves a folder the scorer refuses."""
    import benchmark.corpus.build as build_module

    out = tmp_path / "data"
    build(FIXTURE, out)
    real = build_module.write_atomic

    def cut_off(files):
        files = list(files)
        real(files[:3])                                    # some files replaced, then the machine stops
        raise KeyboardInterrupt
    monkeypatch.setattr(build_module, "write_atomic", cut_off)
    gold = tmp_path / "edited"
    shutil.copytree(FIXTURE, gold)
    path = next((gold / "gold").glob("*.json"))
    record = json.loads(path.read_text(encoding="utf-8"))
    record["metadata"]["headline"] = "An edited headline"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build(gold, out)
    with pytest.raises(InputError, match="edited"):
        dataset.read_rows("documents", None, out)


def test_build_check_stays_green_and_names_a_stale_manifest(tmp_path):
    out = tmp_path / "data"
    build(FIXTURE, out)
    assert check(FIXTURE, out) == []
    manifest = out / "files.sha256"
    manifest.write_text(manifest.read_text().replace("README.md", "README.txt"), encoding="ascii")
    assert check(FIXTURE, out) == [f"{manifest}: differs from a fresh build of the annotations "
                                   "(run `kremlin-reactions build`)"]
