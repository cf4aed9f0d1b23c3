"""Fictional Marac minutes packs for the benchmark, assembled from ``sample_docs/dev.jsonl``.

A pack is the meeting header of one dev minutes document, then case sections taken from all dev
minutes (renumbered ``CASE 1``, ``CASE 2``, ... so the pack reads like one set of minutes), some of
them followed by a letter on file from the dev letters, then a trailer (AOB, next meeting). Everything
is drawn with a seeded ``random.Random``, so the same sizes and seed give the same bytes. Generated
files are cached under ``benchmarks/data/`` (named by size and seed).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redactor.structure import find_structure

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "sample_docs" / "dev.jsonl"
DATA = Path(__file__).resolve().parent / "data"
LETTER_SHARE = 0.15  # how often a case section is followed by a letter on file
TRAILER = "\nAOB\nNone raised.\n\nDate of next meeting: 9 December 2026, 10:00 (Teams).\n"

# The heading word and id a dev section starts with ("Case 13", "CASE 1 -", "MRC-0412", "C25-119 |", "4.").
_LEAD = re.compile(
    r"^\s*(?:#+\s*|\*\*)?(?:\d+\.\s*)?"
    r"(?:(?:agenda\s+)?(?:case|item|referral|discussion)\b\.?\s*(?:no\.?\s*)?[\w/-]*(?:\s+of\s+\d+)?"
    r"|marac\s+ref:?\s*[\w/-]+|[A-Z]{1,6}\d{0,4}(?:[/-]\d{1,7}){1,3}|#?\d{1,3}[.)-])"
    r"\s*(?:\*\*)?\s*[-:|–]?\s*",
    re.IGNORECASE,
)


def words(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True)
class Pool:
    """The raw material: meeting headers, case sections and letters from the dev split."""

    headers: tuple[str, ...]
    sections: tuple[str, ...]
    letters: tuple[str, ...]


def load_pool(path: Path = DEV) -> Pool:
    headers: list[str] = []
    sections: list[str] = []
    letters: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        text = doc["text"]
        if doc.get("doc_type") == "letter":
            letters.append(text.strip())
        elif doc.get("doc_type") == "minutes":
            structure = find_structure(text, "minutes")
            if structure.cases:
                headers.append(text[structure.header[0] : structure.header[1]].rstrip())
                sections.extend(_body(text[c.start : c.end]) for c in structure.cases)
    return Pool(tuple(h for h in headers if h), tuple(s for s in sections if s), tuple(letters))


def _body(section: str) -> str:
    """A section without its own case id: the rest of its heading line (names, DOBs) and its lines."""
    first, _, rest = section.strip("\n").partition("\n")
    if "|" in first and first.lstrip().startswith("|"):
        first = " ".join(c.strip() for c in first.strip().strip("|").split("|"))
    title = _LEAD.sub("", first, count=1).strip(" -|")
    return f"{title}\n{rest.rstrip()}".strip("\n")


def make_pack(pool: Pool, target_words: int, rng: random.Random) -> str:
    """One minutes pack of about ``target_words`` words: at least one case, and no case that would
    take it further past the target than it is short of it."""
    parts = [rng.choice(pool.headers), ""]
    count, case = words(parts[0]) + words(TRAILER), 0
    while True:
        section = _case(pool, case + 1, rng)
        if case and count + words(section) / 2 > target_words:
            break
        parts.append(section)
        count, case = count + words(section), case + 1
    return "\n".join(parts).rstrip() + "\n" + TRAILER


def _case(pool: Pool, number: int, rng: random.Random) -> str:
    title, _, rest = rng.choice(pool.sections).partition("\n")
    heading = f"CASE {number} - {title}" if title else f"CASE {number}"
    text = f"{heading}\n{rest}".rstrip() + "\n"
    if rng.random() < LETTER_SHARE:
        text += f"Letter on file (case {number}):\n{rng.choice(pool.letters)}\n"
    return text


def pack_file(size: int, seed: int = 7, pool: Pool | None = None) -> Path:
    """The cached pack of about ``size`` words (generated on first use)."""
    path = DATA / f"pack-{size}-s{seed}.txt"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        text = make_pack(pool or load_pool(), size, random.Random(f"pack-{size}-{seed}"))
        path.write_text(text, encoding="utf-8")
    return path


def corpus_file(docs: int, total_words: int, seed: int = 7, pool: Pool | None = None) -> Path:
    """The cached batch corpus: ``docs`` packs of mixed sizes, about ``total_words`` words in all."""
    path = DATA / f"corpus-{docs}x-{total_words}-s{seed}.jsonl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        rng = random.Random(f"corpus-{docs}-{total_words}-{seed}")
        texts = make_corpus(pool or load_pool(), docs, total_words, rng)
        lines = (json.dumps({"id": f"doc-{i:04d}", "text": t}, ensure_ascii=False) for i, t in enumerate(texts))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_corpus(pool: Pool, docs: int, total_words: int, rng: random.Random) -> list[str]:
    mean = total_words / docs
    sizes = [rng.randint(int(mean * 0.3), int(mean * 1.5)) for _ in range(docs)]
    scale = total_words / sum(sizes)
    return [make_pack(pool, max(50, int(s * scale)), rng) for s in sizes]


def corpus_words(path: Path) -> tuple[int, int]:
    """(documents, words) of a JSON Lines corpus."""
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return len(texts), sum(words(t) for t in texts)


def generate(sizes: Sequence[int], docs: int, total_words: int, seed: int = 7) -> tuple[list[Path], Path]:
    pool = load_pool()
    return [pack_file(s, seed, pool) for s in sizes], corpus_file(docs, total_words, seed, pool)
