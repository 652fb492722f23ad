"""`kremlin-reactions autograder codabench --competition -o bundle.zip`: a Codabench competition bundle (YAML
version 2) that the "upload a competition bundle" page accepts as it is.

Layout (every nested zip has its files at its own root; paths in competition.yaml are relative to the zip root):

    competition.yaml              version 2: title, pages, one task and one phase per split, leaderboards
    logo.png                      a real PNG, drawn here with zlib + struct
    pages/*.md                    overview, evaluation, submission, data, terms (all generated from the data)
    scoring_program.zip           metadata.yaml + score.py + lib/ (the scorer's source, no gold), config.json
    reference_data_<split>.zip    the gold: the dataset folder, plus scoring.json naming the split that task scores
    starting_kit_<split>.zip      README.md, predict.py, texts_<split>.jsonl (texts only), sample_submission.zip
    docker/                       Dockerfile + requirements.txt of the scoring image named in docker_image
    README.md                     for the organiser: build and push the image, upload, test locally

Why this shape (the Codabench source, codalab/codabench, is what decides; tests/test_competition.py cites it):
- one task per split with its own reference data, one phase per task, phases back to back and never overlapping
  (the unpacker rejects overlapping or open-ended non-final phases); every phase shares leaderboards[0];
- the scores.json keys are the leaderboard column keys (`CODABENCH_COLUMNS`, from the metric registry);
- the gold is only in reference data (never shown to participants), not in the scoring program, so making the
  programs public (make_programs_available) leaks nothing;
- `docker_image` names an image with the dependencies installed (docker/Dockerfile, built and pushed once by the
  organiser): a worker pulls it once and keeps it, so no submission installs anything (config.json turns
  score.py's pip fallback off unless --allow-pip).
"""
from __future__ import annotations

import datetime as dt
import json
import struct
import zlib
from pathlib import Path

from benchmark.errors import InputError
from benchmark.grading import starting_kit
from benchmark.grading.bundles import (
    DEFAULT_PHASE_DAYS,
    _data_files,
    _package_files,
    _requirements,
    write_zip,
    zip_bytes,
)
from benchmark.grading.codabench import CODABENCH_COLUMNS, METADATA_YAML, SCORE_PY

EXECUTION_TIME_LIMIT = 600          # seconds: the default queue's cap (MAX_EXECUTION_TIME_LIMIT)
MAX_SUBMISSIONS = 100
MAX_SUBMISSIONS_PER_DAY = 10
TASK_FILE = "scoring.json"          # in each reference data zip: the split its task scores
PREDICTIONS = "predictions.jsonl"
BASE_IMAGE = "codalab/codalab-legacy:py312"     # Codabench's own Python 3.12 image (the current official examples')


def default_docker_image() -> str:
    """The scoring image docker/Dockerfile builds, under the project's Docker Hub name; pass --docker-image to use
    one pushed under your own name."""
    from benchmark import __version__

    return f"kremlinreactions/scorer:{__version__}"


# ---------------------------------------------------------------------------------------------------------- logo
def logo_png(size: int = 128) -> bytes:
    """A square PNG: two white quotation marks on dark blue (RGB, 8 bits), made with zlib and struct only."""
    background, ink = (22, 48, 92), (250, 250, 250)

    def inked(x: int, y: int) -> bool:
        for cx in (0.36 * size, 0.64 * size):          # each mark: a round head and a tail down to the left
            cy, r = 0.40 * size, 0.11 * size
            if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
                return True
            if cy <= y <= cy + 2.2 * r and cx - r + (y - cy) * 0.5 <= x <= cx + r * 0.35 + (y - cy) * 0.05 \
                    and x <= cx + r - (y - cy) * 0.6:
                return True
        return False

    rows = b"".join(b"\x00" + b"".join(bytes(ink if inked(x, y) else background) for x in range(size))
                    for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


# ---------------------------------------------------------------------------------------------------- contents
def phase_dates(start: dt.date, n: int, days: int) -> list[tuple[str, str]]:
    """(start, end) of n back-to-back phases of `days` days from `start`, as quoted-safe UTC strings
    "YYYY-MM-DD HH:MM:SS"; each phase ends one second before the next begins."""
    out = []
    for i in range(n):
        first = dt.datetime.combine(start + dt.timedelta(days=i * days), dt.time())
        last = first + dt.timedelta(days=days) - dt.timedelta(seconds=1)
        out.append((first.strftime("%Y-%m-%d %H:%M:%S"), last.strftime("%Y-%m-%d %H:%M:%S")))
    return out


def leaderboard_columns() -> list[dict]:
    """One column per scores.json key, overall first (the ranking column, primary_index 0)."""
    from benchmark.scoring.metrics import METRICS

    keys = sorted(CODABENCH_COLUMNS, key=lambda k: (k != "overall", list(CODABENCH_COLUMNS).index(k)))
    return [{"title": METRICS[CODABENCH_COLUMNS[key]].title, "key": key, "index": i, "sorting": "desc",
             "precision": 4} for i, key in enumerate(keys)]


def split_documents(data_dir: Path, split: str) -> list[dict]:
    from benchmark.dataset import read_rows

    return read_rows("documents", split, data_dir)


def texts_jsonl(documents: list[dict]) -> bytes:
    """The phase's article texts for participants: doc_id and text only (no metadata, no gold)."""
    return "".join(json.dumps({"doc_id": d["doc_id"], "text": d["text"]}, ensure_ascii=False) + "\n"
                   for d in documents).encode("utf-8")


def starting_kit_zip(split: str, documents: list[dict]) -> bytes:
    sample = "".join(starting_kit.predictions_lines(documents)).encode("utf-8")
    readme = (
        f"# Starting kit: the {split} phase\n\n"
        f"- `texts_{split}.jsonl`: the {len(documents)} article(s) of this phase, one `{{\"doc_id\", \"text\"}}` "
        "object per line (texts only: the gold stays on the server).\n"
        "- `predict.py`: writes predictions for them (standard library only): "
        f"`python3 predict.py texts_{split}.jsonl -o {PREDICTIONS}`, or with your own extractor class "
        f"`python3 predict.py texts_{split}.jsonl -o {PREDICTIONS} --extractor my_module:MyExtractor`.\n"
        f"- `sample_submission.zip`: what predict.py's naive extractor writes, zipped: `{PREDICTIONS}` alone at the "
        "zip's root. Upload it to see the scoring run end to end.\n\n"
        "Offsets are Python string indices (code points) into `text` exactly as given, end-exclusive. The format of "
        "a predictions line is on the competition's Submission page. Never put a file named `metadata` in your zip.\n")
    return zip_bytes({"README.md": readme.encode("utf-8"), "predict.py": Path(starting_kit.__file__).read_bytes(),
                      f"texts_{split}.jsonl": texts_jsonl(documents),
                      "sample_submission.zip": zip_bytes({PREDICTIONS: sample})}, frozenset({"predict.py"}))


def pages(title: str, phases: list[dict], track: str, n_boot: int, fingerprint: str,
          strict: bool = False) -> dict[str, str]:
    """The Markdown pages: overview, evaluation, submission, data, terms."""
    from benchmark import DATA_VERSION
    from benchmark.scoring.metrics import METRICS

    text_rule = ("A text that is not in the article, or fits several places equally well, makes the submission "
                 "fail (this competition scores strictly).\n"
                 if strict else
                 "A text not quite verbatim is aligned (quote marks, case, spacing, an ellipsis, small edits); one not "
                 "found in the article counts as a wrong (spurious) quote, and one that fits several places equally "
                 "well takes the first, each with a warning in the log.\n")
    phase_lines = "".join(f"- **{p['name']}** ({p['start']} to {p['end']} UTC): {p['n']} article(s) of the "
                          f"`{p['split']}` split\n" for p in phases)
    columns = "".join(f"| `{c['key']}` | {METRICS[CODABENCH_COLUMNS[c['key']]].description} |\n"
                      for c in leaderboard_columns())
    return {
        "overview.md": (
            f"# {title}\n\n"
            "Extract **who said what, with what stance, when and where** from real news articles about Russia's "
            "reaction to Donald Trump: every quotation with its exact character span, its speaker and its stance "
            "toward one fixed target (\"Trump's presidency will improve Russia-US relations or benefit Russia\"), "
            "and each article's publication date and outlet.\n\n"
            f"Phases (one per data split, back to back):\n\n{phase_lines}\n"
            "Download the phase's starting kit for its article texts, a sample extractor and a sample submission. "
            "Scores are computed by the kremlin-reactions scorer, the same code as `kremlin-reactions score`.\n"),
        "evaluation.md": (
            "# Evaluation\n\n"
            f"Track {track} (A = direct and partial quotes, B = indirect speech, all = both). A predicted quote "
            "matches a gold quote when they overlap by at least half of the gold span (one-to-one). Boilerplate "
            "regions and optional gold units are neither rewarded nor penalised. Every number is computed over the "
            "phase's articles; with so few articles, read each as descriptive, not as a confidence statement.\n\n"
            "| leaderboard column | what it measures |\n|---|---|\n" + columns + "\n"
            "Ranking is by `overall`. A task you do not attempt (a key absent from every line, e.g. no `outlet`) "
            "counts 0. `results.json` in the scoring output has everything, with bootstrap intervals over "
            f"documents ({n_boot} resamples) and the scorer's signature.\n\n"
            f"Gold: data version {DATA_VERSION}, fingerprint `{fingerprint}`.\n"),
        "submission.md": (
            "# Submission format\n\n"
            f"Upload a zip holding one JSON Lines file (e.g. `{PREDICTIONS}`), one object per article:\n\n"
            "```json\n"
            '{"doc_id": "...", "outlet": "The Outlet", "published": "2024-11-06",\n'
            ' "quotes": [{"start": 646, "end": 779, "speaker": "Dmitry Peskov", "stance": "against", '
            '"type": "direct"},\n'
            '            {"text": "exact words of the quote", "speaker": "a Kremlin source"}]}\n'
            "```\n\n"
            "- `doc_id` is required; every other key is optional. An absent key means the task was not attempted; "
            "`null` means attempted, nothing predicted.\n"
            "- A quote is located by code-point offsets `start`/`end` into the text as given in the starting kit, "
            "or by its `text` (`\"occurrence\": N` when it occurs several times). "
            f"{text_rule}"
            "- `stance` is one of `favor`, `against`, `neutral`, `none`; `type` one of `direct`, `partial`, "
            "`indirect`; `published` is `YYYY-MM-DD`.\n"
            "- A malformed file gets no score: the submission fails and its log lists every problem as "
            "`FILE:LINE: field: problem`.\n"
            "- Do not put a file named `metadata` in the zip (Codabench would treat the zip as a program).\n"),
        "data.md": (
            "# Data\n\n"
            "The articles are real English news texts, unedited (widgets, captions, HTML entities and line breaks "
            "included: offsets index the raw text). Each phase's starting kit holds its texts; the gold annotations "
            "(quote spans, speakers, stance, dates, outlets) stay on the server.\n\n" + phase_lines + "\n"
            "The public articles and their gold are the kremlin-reactions dataset (annotation guidelines, datasheet "
            "and baselines in its repository). An organiser may add articles of their own in a split that is not "
            "public (`kremlin-reactions add-article ... --split private`).\n"),
        "terms.md": (
            "# Terms\n\n"
            "- The article texts are copyrighted by their publishers and are provided for research and teaching on "
            "quotation attribution only: do not redistribute them.\n"
            "- The annotations are CC BY 4.0; the kremlin-reactions code is MIT.\n"
            "- Submit predictions made by your own system; do not try to obtain the gold.\n"),
    }


def competition_yaml(title: str, tasks: list[dict], phases: list[dict], docker_image: str) -> str:
    import yaml

    doc = {
        "version": 2,
        "title": title,
        "description": "Quotes, speakers, stance, dates and outlets in news about Russia and Trump "
                       "(results submissions: one predictions JSONL per phase).",
        "image": "logo.png",
        "terms": "pages/terms.md",
        "docker_image": docker_image,
        "registration_auto_approve": True,
        "enable_detailed_results": False,
        "make_programs_available": False,
        "make_input_data_available": False,
        "competition_type": "competition",
        "pages": [{"title": name, "file": f"pages/{file}"} for name, file in
                  (("Overview", "overview.md"), ("Evaluation", "evaluation.md"),
                   ("Submission format", "submission.md"), ("Data", "data.md"))],
        "tasks": tasks,
        "solutions": [],
        "phases": [{k: v for k, v in p.items() if k not in ("split", "n")} for p in phases],
        "leaderboards": [{"title": "Results", "key": "main", "submission_rule": "Force_Last", "primary_index": 0,
                          "columns": leaderboard_columns()}],
    }
    header = ("# Codabench competition bundle (YAML version 2), generated by\n"
              "# `kremlin-reactions autograder codabench --competition`; regenerate it rather than editing it.\n"
              "# docker_image must exist on Docker Hub before the first submission: see README.md (docker/).\n")
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def dockerfile(docker_image: str) -> str:
    return (
        "# The scoring image of the kremlin-reactions Codabench competition: the scorer's dependencies, installed\n"
        "# once when the image is built. A Codabench worker pulls it by name and keeps its layers, so no submission\n"
        "# installs anything. The scorer's code comes with the scoring program (lib/), not with the image.\n"
        f"#   docker build -t {docker_image} . && docker push {docker_image}\n"
        f"FROM {BASE_IMAGE}\n"
        "COPY requirements.txt /tmp/kremlin-reactions-requirements.txt\n"
        "RUN python3 -m pip install --no-cache-dir -r /tmp/kremlin-reactions-requirements.txt \\\n"
        "    && rm /tmp/kremlin-reactions-requirements.txt \\\n"
        "    && python3 -c \"import numpy, scipy, pyarrow, sklearn, jsonschema\"\n")


def organiser_readme(docker_image: str, phases: list[dict], allow_pip: bool) -> str:
    return (
        "# kremlin-reactions Codabench competition bundle\n\n"
        "Built by `kremlin-reactions autograder codabench --competition`. Phases:\n\n"
        + "".join(f"- {p['name']}: split `{p['split']}`, {p['n']} article(s), {p['start']} to {p['end']} UTC\n"
                  for p in phases)
        + "\n## Before uploading: the scoring image\n\n"
        f"`competition.yaml` runs the scoring program in `{docker_image}`. Build and push it once (from the "
        "`docker/` folder of this zip; needs Docker and a Docker Hub account that owns the name):\n\n"
        f"```bash\ncd docker && docker build -t {docker_image} . && docker push {docker_image}\n```\n\n"
        "To use a name of your own, rebuild the bundle with `--docker-image YOURNAME/IMAGE:TAG`. "
        + ("score.py may pip-install missing dependencies for each submission (--allow-pip).\n"
           if allow_pip else
           "score.py never installs anything (config.json: pip_fallback false): a missing dependency fails the "
           "submission with a message saying so.\n")
        + "\n## Upload\n\nCodabench > Benchmarks/Competitions > Upload: choose this zip as it is.\n\n"
        "## Test the scoring program locally\n\n"
        "Unzip `scoring_program.zip` into `DIR/program`, a `reference_data_<split>.zip` into `DIR/input/ref` and a "
        "submission zip into `DIR/input/res`, then run\n"
        "`CODABENCH_ROOT=DIR python3 DIR/program/score.py /app/input /app/output` (with the requirements installed) "
        "and read `DIR/output/scores.json`.\n")


# ---------------------------------------------------------------------------------------------------- the bundle
def build_competition(output: str | Path, *, splits: list[str], track: str = "A", data_dir: str | Path | None = None,
                      n_boot: int = 1000, strict: bool = False, docker_image: str | None = None,
                      allow_pip: bool = False, start: dt.date | None = None, phase_days: int = DEFAULT_PHASE_DAYS,
                      title: str | None = None) -> Path:
    """Write the competition bundle; return its path. One phase (and task) per split, in the order given."""
    from benchmark import DATA_DIR
    from benchmark.dataset import check_split, data_fingerprint

    data = Path(data_dir if data_dir is not None else DATA_DIR).resolve()
    if not splits:
        raise InputError("--split: name at least one split (one phase each)")
    if len(set(splits)) != len(splits):
        raise InputError(f"--split: a split is named twice: {','.join(splits)}")
    if "all" in splits:     # a phase per split: "all" would score one phase on every other phase's articles too
        raise InputError("--split: name the splits one by one (e.g. test,private); 'all' is no phase of its own")
    for split in splits:
        check_split(split, data)
    docker_image = docker_image or default_docker_image()
    if len(docker_image) > 128 or not docker_image.strip() or any(c.isspace() for c in docker_image):
        raise InputError(f"--docker-image: {docker_image!r} is not an image name (no spaces, at most 128 characters)")
    if not 1 <= phase_days <= 3660:
        raise InputError(f"--phase-days: 1 to 3660 (ten years), got {phase_days}")
    title = title or ("kremlin-reactions: who said what, with what stance (" + ", ".join(splits) + ")")
    if len(title) > 256:
        raise InputError(f"--title: at most 256 characters, got {len(title)}")
    start = start or dt.datetime.now(dt.timezone.utc).date()
    try:
        start + dt.timedelta(days=len(splits) * phase_days)
    except OverflowError:
        raise InputError(f"--start: {start.isoformat()}: the last phase would end after the year 9999") from None
    fingerprint = data_fingerprint(data)
    gold = {rel[len("data/"):]: content for rel, content in _data_files(data, "all").items()}

    entries: dict[str, bytes] = {}
    tasks, phases = [], []
    for i, (split, (first, last)) in enumerate(zip(splits, phase_dates(start, len(splits), phase_days))):
        documents = split_documents(data, split)
        tasks.append({"index": i, "name": f"{split} split", "description":
                      f"Score predictions against the gold of the {split} split ({len(documents)} article(s)).",
                      "scoring_program": "scoring_program.zip", "reference_data": f"reference_data_{split}.zip"})
        phases.append({"index": i, "name": f"Phase {i + 1}: {split}", "description":
                       f"Predict the {len(documents)} article(s) of the {split} split (texts in the starting kit).",
                       "start": first, "end": last, "max_submissions": MAX_SUBMISSIONS,
                       "max_submissions_per_day": MAX_SUBMISSIONS_PER_DAY,
                       "execution_time_limit": EXECUTION_TIME_LIMIT, "starting_kit": f"starting_kit_{split}.zip",
                       "tasks": [i], "split": split, "n": len(documents)})
        entries[f"reference_data_{split}.zip"] = zip_bytes(
            {**gold, TASK_FILE: (json.dumps({"split": split}) + "\n").encode()})
        entries[f"starting_kit_{split}.zip"] = starting_kit_zip(split, documents)

    requirements = "".join(r + "\n" for r in _requirements()).encode()
    config = {"split": splits[0], "track": track, "n_boot": n_boot, "strict": strict,
              "data_fingerprint": fingerprint, "pip_fallback": allow_pip}
    program = {"metadata.yaml": METADATA_YAML.encode(), "score.py": SCORE_PY.encode(), "requirements.txt": requirements,
               "config.json": (json.dumps(config, indent=2, sort_keys=True) + "\n").encode(),
               **{f"lib/{k}": v for k, v in _package_files().items()}}
    entries["scoring_program.zip"] = zip_bytes(program, frozenset({"score.py"}))
    entries["competition.yaml"] = competition_yaml(title, tasks, phases, docker_image).encode("utf-8")
    entries["logo.png"] = logo_png()
    entries.update({f"pages/{name}": text.encode("utf-8")
                    for name, text in pages(title, phases, track, n_boot, fingerprint, strict).items()})
    entries["docker/Dockerfile"] = dockerfile(docker_image).encode()
    entries["docker/requirements.txt"] = requirements
    entries["README.md"] = organiser_readme(docker_image, phases, allow_pip).encode("utf-8")

    output = Path(output)
    write_zip(output, entries)
    return output
