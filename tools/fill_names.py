"""Annotation consistency: mark every other mention of an annotated PERSON name in the same document.

AUTHORING.md asks annotators to mark every mention; hand annotation misses repeats. For each
document this finds whole-word occurrences of annotated PERSON strings (and of the words of
multi-word names) that no entity covers yet, and rewrites the markup with them marked.
Run: ``python tools/fill_names.py sample_docs/src/dev_*.txt`` (prints what it added).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import annotate  # noqa: E402

SKIP = {"Mr", "Mrs", "Ms", "Miss", "Dr", "DC", "DS", "DI", "PC", "DCI", "Mum", "Dad", "The", "And", "Victim",
        "Perpetrator", "Police", "Housing", "Health", "IDVA", "Marac", "MARAC", "Case", "Action", "Child",
        "May", "June", "April", "August", "Will", "Faith", "Hope", "Grace", "Joy", "Rose", "Sky", "Summer",
        "Court", "Road", "Street", "Lane", "House", "Park", "Green", "Hill", "Brook", "Wood", "Field"}


def names_of(text: str, spans: list[dict]) -> set[str]:
    names = set()
    for s in spans:
        if s["label"] != "PERSON":
            continue
        piece = text[s["start"] : s["end"]]
        names.add(piece)
        words = re.findall(r"[A-Z][a-zA-Z'’-]{2,}", piece)
        if len(words) > 1:
            names.update(w for w in words if w not in SKIP)
    return {n for n in names if n not in SKIP and len(n) >= 2}


def missing(text: str, spans: list[dict]) -> list[tuple[int, int]]:
    names = names_of(text, spans)
    if not names:
        return []
    ents = [(s["start"], s["end"]) for s in spans if s["label"] not in {"IMMIGRATION", "OUT_OF_SCOPE"}]
    pat = re.compile(r"(?<![\w'’-])(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w-])")
    out = []
    for m in pat.finditer(text):
        if not any(a < m.end() and m.start() < b for a, b in ents):
            out.append((m.start(), m.end()))
            ents.append((m.start(), m.end()))
    return out


def render(text: str, spans: list[dict]) -> str:
    """Markup for text and spans (inverse of annotate.parse_markup)."""
    rank = {"OUT_OF_SCOPE": 0, "IMMIGRATION": 1}
    events: list[tuple[int, int, str]] = []
    for s in spans:
        lab = s["label"]
        if lab == "OUT_OF_SCOPE":
            op, cl = "<<OUT:", ">>"
        elif lab == "IMMIGRATION":
            op, cl = "{{" + f"{s['category']}/{s['subject']}:", "}}"
        else:
            op, cl = f"[[{lab}{'+refuge' if s.get('refuge') else ''}:", "]]"
        r = rank.get(lab, 2)
        events.append((s["start"], 1, r, op))  # type: ignore[arg-type]
        events.append((s["end"], 0, -r, cl))  # type: ignore[arg-type]
    events.sort(key=lambda e: (e[0], e[1], e[2]))  # type: ignore[misc]
    out, pos = [], 0
    for off, _kind, _r, tok in events:  # type: ignore[misc]
        out.append(text[pos:off])
        out.append(tok)
        pos = off
    out.append(text[pos:])
    return "".join(out)


def fix_file(path: Path) -> int:
    raw = path.read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^(=== .*)$", raw)
    added = 0
    out = [blocks[0]]
    for i in range(1, len(blocks), 2):
        header, body = blocks[i], blocks[i + 1]
        text, spans = annotate.parse_markup(body, path.name)
        extra = missing(text, spans)
        added += len(extra)
        spans += [{"start": a, "end": b, "label": "PERSON"} for a, b in extra]
        out += [header, render(text, spans)]
    new = "".join(out)
    if added:
        path.write_text(new, encoding="utf-8")
    return added


if __name__ == "__main__":
    for f in sys.argv[1:]:
        print(f, fix_file(Path(f)))
