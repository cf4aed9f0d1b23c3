"""Recognizers that need code: validation (phone digit counts, NHS mod-11), cue words, or
the token stream (names after a field label, initials, address parts).

They follow Presidio's ``LocalRecognizer`` shape: ``analyze(text, entities, nlp_artifacts)``
returns ``RecognizerResult`` objects with an ``AnalysisExplanation``.
"""

from __future__ import annotations

import re as std_re
from collections.abc import Iterator
from typing import Any

import regex as re
from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from redactor.detect.lexicon import Lexicon

MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|"
    r"Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr)\.?"  # Welsh
)
DATE_RE = re.compile(
    r"\b(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
    r"|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS},?\s+\d{{4}}"
    rf"|{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}[-/ ]{MONTHS}[-/ ](?:\d{{4}}|\d{{2}})"
    r")(?!\d)",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")


class _Recognizer(LocalRecognizer):  # type: ignore[misc]
    """Common plumbing: one entity, an id used in explanations, results built one way."""

    def __init__(self, entity: str, rec_id: str, context: list[str] | None = None, **options: Any) -> None:
        self.options = options
        super().__init__(supported_entities=[entity], name=rec_id, context=context)
        self.entity = entity
        self.rec_id = rec_id

    def load(self) -> None:
        return None

    def result(self, start: int, end: int, score: float, pattern: str, why: str) -> RecognizerResult:
        explanation = AnalysisExplanation(
            recognizer=self.rec_id,
            original_score=score,
            pattern_name=pattern,
            textual_explanation=why,
        )
        return RecognizerResult(self.entity, start, end, score, analysis_explanation=explanation)


class UkPhoneRecognizer(_Recognizer):
    """UK numbers (0 or +44 then 9-10 digits in any grouping, optional extension) and other
    international numbers (+CC then 7-13 digits). Groups are taken while the digit count stays valid."""

    CANDIDATE = re.compile(
        r"(?<![\w+/])(?:(?:\+|00)\d{1,3}[ .-]?(?:\(0\)[ .-]?)?\d|\(0\d{2,5}\)|0\d)[\d().\- ]{6,18}\d(?![\w/])"
    )
    EXT = re.compile(r"\s*(?:ext\.?|extension|x)\s*\d{1,5}\b", re.IGNORECASE)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        for m in self.CANDIDATE.finditer(text):
            end = self._valid_end(m.group(0))
            if end is None:
                continue
            stop = m.start() + end
            ext = self.EXT.match(text, stop)
            if ext:
                stop = ext.end()
            results.append(self.result(m.start(), stop, 0.7, "uk_or_international_number", "phone digit count"))
        return results

    @staticmethod
    def _valid_end(candidate: str) -> int | None:
        """End offset of the longest prefix made of whole digit groups with a valid digit count:
        10-11 digits for a UK number from 0; 44 + 10 (or 11 with a written "(0)"); 8-15 otherwise.
        A leading "00" counts its two zeros."""
        zeros = 2 if candidate.startswith("00") else 0
        plus = candidate.startswith("+") or zeros
        rest = candidate[1:] if candidate.startswith("+") else candidate[zeros:]
        if not plus:
            low, high = 10, 12  # 12: a five-figure area code written with a drama-range 3+4 ("01484 496 0093")
        elif rest.startswith("44"):
            low, high = (12, 13) if "(0)" in candidate[:10] else (12, 12)
        else:
            low, high = 8, 15
        low, high = low + zeros, high + zeros
        best = None
        digits = 0
        for g in re.finditer(r"[\d()]+", candidate):
            digits += sum(ch.isdigit() for ch in g.group(0))
            if digits > high:
                break
            if digits >= low:
                best = g.end()
        if best is not None and candidate[:best].count("(") != candidate[:best].count(")"):
            return None
        return best


class NhsNumberRecognizer(_Recognizer):
    """Ten digits (3-3-4 or run together) that pass the NHS mod-11 check digit."""

    PATTERN = re.compile(r"(?<![\d/.)+-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d/-])")

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for m in self.PATTERN.finditer(text):
            digits = "".join(m.groups())
            if not self.checksum_ok(digits):
                continue
            before = text[max(0, m.start() - 40) : m.start()]
            if re.search(r"(?i)\bnhs\b", before):
                out.append(self.result(m.start(), m.end(), 0.85, "nhs_mod11", "NHS number after 'NHS', mod-11 valid"))
            elif not self.OTHER_CUES.search(before) and not self._police_number(text, m.start(), m.group(0)):
                out.append(self.result(m.start(), m.end(), 0.75, "nhs_mod11", "10 digits passing the NHS mod-11 check"))
        return out

    OTHER_CUES = re.compile(
        r"(?i)\b(?:occurrence|crime|incident|police|ref|reference|log|claim|account|tel|phone|"
        r"mob|mobile|passport|ho|brp|case)\b[^\n]{0,25}$"
    )

    POLICE_LINE = re.compile(
        r"(?i)\b(?:police|occurrence|crime|incident|constabulary|urn|cad|storm|niche|athena|arrest(?:ed)?|OIC|999)\b"
    )

    HEALTH_LINE = re.compile(r"(?i)\b(?:nhs|gp|health|hospital|patient)\b")

    def _police_number(self, text: str, start: int, digits: str) -> bool:
        """Ten digits run together on a line about the police, with no health word on it, are more
        likely a force occurrence number that happens to pass mod-11 ("Police: 2500151190")."""
        if not digits.isdigit():
            return False
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line = text[line_start : line_end if line_end != -1 else len(text)]
        return bool(self.POLICE_LINE.search(line)) and not self.HEALTH_LINE.search(line)

    @staticmethod
    def checksum_ok(digits: str) -> bool:
        if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
            return False
        total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        return check != 10 and check == int(digits[9])


class CuedIdentifierRecognizer(_Recognizer):
    """An identifier that follows a cue phrase: "Home Office ref: H2203911", "crime no. 01/2345/25",
    "Mosaic ID for the older child is 1102934". With ``keep_cue`` a short cue written as part of the
    number ("CRN X418872", "URN 43250112876") is taken into the span; with ``more`` the identifiers
    listed after the first one in the same shape are found too ("4418271 (Tyler); 4418272 (Mia)")."""

    TOKEN = r"([A-Z0-9][A-Z0-9/\-*]{1,24}(?:[ ][A-Z]{0,3}[0-9]{2,10}(?=[\s,.;)]|$)){0,3})"
    PHONE_SHAPE = re.compile(r"^(?:0(?:\d ?){9,10}|\+\d[\d ]{8,16})$")
    FILLER = r"(?:[ \t]+(?:for|of|on)[ \t]+[\w'’ ]{1,30}?[ \t]+(?:is|was))?"

    def __init__(self, entity: str, rec_id: str, context: list[str] | None = None, **options: Any) -> None:
        super().__init__(entity, rec_id, context, **options)
        cues = "|".join(f"(?:{c})" for c in options["cues"])
        self.pattern = re.compile(
            rf"((?:{cues}))\b{self.FILLER}[ \t]*(?:\([^)\n]{{0,40}}\))?[ \t:#=.,(\-–]*"
            rf"(?:(?:is|was|no\.?|number|num|ref|id)[ \t:#.]*)?(?-i:" + self.TOKEN + ")",
            re.IGNORECASE,
        )
        self.next = re.compile(r"[ \t]*(?:\([^)\n]{0,30}\))?[ \t]*(?:[,;/&]|and)[ \t]*(?-i:" + self.TOKEN + ")")
        skip = options.get("skip_after")
        self.skip = re.compile(rf"{skip}\W*(?:\w+\W+)?$", re.IGNORECASE) if skip else None
        keep = options.get("keep_cue")
        self.keep_cue = re.compile(rf"(?-i:{keep})") if keep else None
        self.more = bool(options.get("more", False))
        self.score = float(options.get("score", 0.85))

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for m in self.pattern.finditer(text):
            token = m.group(2).rstrip("/-")
            if not self._identifies(token):
                continue
            if self.skip and self.skip.search(text[max(0, m.start() - 20) : m.start()]):
                continue
            start = m.start(2)
            if self.keep_cue and self.keep_cue.fullmatch(m.group(1)) and text[m.end(1) : start] == " ":
                start = m.start(1)  # "CRN X418872": the cue is written as part of the number
            end = m.start(2) + len(token)
            out.append(self.result(start, end, self.score, "cued_identifier", "identifier after a cue phrase"))
            if self.more:
                out.extend(self._listed(text, m.start(2) + len(token), token))
        return out

    def _identifies(self, token: str) -> bool:
        """Enough digits to identify a record, and not a phone number written after the cue."""
        if re.fullmatch(r"\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?", token):
            return False  # a date written after the cue ("crime ref 14/05/2025" is when, not which)
        return sum(ch.isdigit() for ch in token) >= 3 and not self.PHONE_SHAPE.match(token)

    def _listed(self, text: str, end: int, first: str) -> list[RecognizerResult]:
        """Identifiers of the first one's shape listed after it: "4418271 (Tyler); 4418272"."""
        out = []
        while (n := self.next.match(text, end)) and _shape(n.group(1)) == _shape(first):
            out.append(self.result(n.start(1), n.end(1), self.score, "cued_identifier_list", "identifier in a list"))
            end = n.end(1)
        return out


def _shape(token: str) -> str:
    return re.sub(r"[A-Za-z]", "A", re.sub(r"\d", "9", token))


class ContextNumberRecognizer(_Recognizer):
    """A number whose shape alone says little ("2500143271", "529904418") on a line whose words say
    what it is: a cue ("police", "passport") earlier on the line, within ``window`` characters,
    and no ``veto`` (another identifier's label) just before it."""

    def __init__(self, entity: str, rec_id: str, context: list[str] | None = None, **options: Any) -> None:
        super().__init__(entity, rec_id, context, **options)
        self.token = re.compile(options["token"])
        self.cues = re.compile(options["cues"], re.IGNORECASE)
        veto = options.get("veto")
        self.veto = re.compile(veto, re.IGNORECASE) if veto else None
        self.window = int(options.get("window", 80))
        self.score = float(options.get("score", 0.75))

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for m in self.token.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            before = text[max(line_start, m.start() - self.window) : m.start()]
            if not self.cues.search(before) or (self.veto and self.veto.search(before)):
                continue
            out.append(self.result(m.start(), m.end(), self.score, "number_in_context", "number on a line naming it"))
        return out


class IdentifierShapeRecognizer(_Recognizer):
    """Any token shaped like a case number: letters, digits and separators with enough digits to
    identify a record ("KL-2025-00412", "25/0041-B", "HX/7781/A", "4400821937X"). Dates, times,
    money, years, phone numbers, postcodes and section numbers are not. A low score: a named
    recognizer (phone, NHS, Home Office reference) wins where both match."""

    TOKEN = re.compile(r"(?<![\w/.£$€-])(?=[A-Za-z0-9/\-*.]*\d)[A-Za-z0-9][A-Za-z0-9/\-*.]{4,24}(?<![.\-/])(?![\w/-])")
    NOT = re.compile(
        r"^(?:\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?|\d{4}[/.\-]\d{2}[/.\-]\d{2}|\d{1,2}:\d{2}|(?:19|20)\d{2}s?"
        r"|\d+(?:\.\d+)?(?:am|pm|k|m|kg|mg|ml|cm|mm|km|hrs?|mins?|yrs?|th|st|nd|rd)?|0\d{9,11}|\d{1,3}(?:,\d{3})+"
        r"|[A-Z]{1,2}\d{1,2}[A-Z]?|s\.?\d+[A-Za-z]?|v\d+(?:\.\d+)*|\d+(?:\.\d+){1,3}"
        r"|\d{1,2}[/.\-](?:19|20)\d{2}|(?:19|20)\d{2}[-/–](?:19|20)?\d{2}|\d{1,2}(?:am|pm)?-\d{1,2}(?:am|pm)"
        r"|(?:0|\+\d{1,3})(?:[\-.]?\d){9,12})$",
        re.IGNORECASE,
    )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for m in self.TOKEN.finditer(text):
            token = m.group(0)
            digits = sum(ch.isdigit() for ch in token)
            letters = sum(ch.isalpha() for ch in token)
            if self.NOT.match(token) or digits < 4 or (letters == 0 and digits < 6 and not re.search(r"[/\-*]", token)):
                continue
            if letters and token[:1].islower():
                continue  # "item5", "page12" style words
            out.append(self.result(m.start(), m.end(), 0.42, "identifier_shape", "token shaped like a case number"))
        return out


class DateOfBirthRecognizer(_Recognizer):
    """A date is a date of birth only when a birth cue ("DOB", "born", "date of birth") comes just
    before it (a few words such as "confirmed" may sit between), when it sits in a table column
    headed DOB, right after a name ("Chipo MOYO 09/07/1990", "Svetlana (V, 04/09/1983)"), or right
    after another date of birth ("2 Medi 1983 / 2 September 1983")."""

    def __init__(self, entity: str, rec_id: str, context: list[str] | None = None, **options: Any) -> None:
        super().__init__(entity, rec_id, context, **options)
        fillers = options.get("fillers", "is|was")
        self.cue = re.compile(
            options["cues"] + rf"(?:[ \t]+(?:\w+[ \t]+){{0,3}}(?:{fillers}))?[\s:\-–(|]*$", re.IGNORECASE
        )
        self.head = re.compile(options["cues"], re.IGNORECASE)
        far = options.get("far_cues")
        self.far_cue = re.compile(rf"(?:{far})\s*$", re.IGNORECASE) if far else None
        self.max_gap = int(options.get("max_gap", 8))
        self.lexicon: Lexicon | None = options.get("lexicon")

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        for m in DATE_RE.finditer(text):
            found = self._date_finding(text, m, out[-1].end if out else -1)
            if found is not None:
                out.append(found)
        out.extend(self._table_column(text))
        for m in YEAR_RE.finditer(text):
            before = text[max(0, m.start() - 12) : m.start()]
            if re.search(r"(?:\bborn\s+(?:in\s+)?|\bDOB:?\s*|\(b\.\s*)$", before, re.IGNORECASE):
                out.append(self.result(m.start(), m.end(), 0.6, "born_in_year", "year after 'born'"))
        return out

    def _date_finding(self, text: str, m: Any, prev_end: int) -> RecognizerResult | None:
        """The finding for one date, or None when nothing says it is a date of birth."""
        start, end = m.start(), m.end()
        cue_start = self._cued(text, start)
        if cue_start is not None:
            return self.result(cue_start, end, 0.85, "dob_cue", "date after a birth cue")
        if self.far_cue and self.far_cue.search(text[max(0, start - 90) : start]):
            return self.result(start, end, 0.8, "dob_far_cue", "date closing a sentence about a birth")
        if prev_end >= start - 4 and re.fullmatch(r"\s*(?:/|or|\()\s*", text[max(0, prev_end) : start]):
            return self.result(start, end, 0.8, "dob_repeated", "date written again after a date of birth")
        if self._after_name(text, start, m.group(0)):
            return self.result(start, end, 0.6, "date_after_name", "date right after a name")
        return None

    def _table_column(self, text: str) -> list[RecognizerResult]:
        """Dates in the columns of a "|" or tab table whose header cells say DOB / date of birth."""
        out = []
        columns: list[int] = []
        pos = 0
        for line in text.splitlines(keepends=True):
            if not line.strip():
                columns = []
            elif "|" in line or "\t" in line:
                cells = line.split("|" if "|" in line else "\t")
                heads = [i for i, c in enumerate(cells) if self.head.search(c) and len(c.strip()) < 25]
                if heads:
                    columns = heads
                else:
                    out.extend(self._column_dates(cells, columns, pos))
            pos += len(line)
        return out

    def _column_dates(self, cells: list[str], columns: list[int], pos: int) -> list[RecognizerResult]:
        out = []
        for column in columns:
            if column >= len(cells):
                continue
            cell_start = pos + sum(len(c) + 1 for c in cells[:column])
            for m in DATE_RE.finditer(cells[column]):
                out.append(
                    self.result(
                        cell_start + m.start(), cell_start + m.end(), 0.8, "dob_column", "date in a DOB column"
                    )
                )
        return out

    def _cued(self, text: str, start: int) -> int | None:
        """Where the finding starts when a birth cue precedes the date: a short cue ("DOB",
        "d.o.b.") is taken into the span, as many annotators write it; a long one is not."""
        window = text[max(0, start - 40) : start]
        found = self.cue.search(window)
        if not found or len(window) - found.end() > self.max_gap:
            return None
        cue = found.group(0).strip(" :-–(\t\n")
        if len(cue) <= 6 and re.fullmatch(r"(?i)d\.?o\.?b\.?", cue):
            return start - (len(window) - found.start())
        return start

    def _after_name(self, text: str, start: int, date: str) -> bool:
        """A date of a plausible birth year right after a name: in brackets, perhaps after a role
        ("Aisha Noor (12/12/1992)", "IVANOVA (V, 04/09/1983)"), after a comma ("Stacey Rowe,
        09/09/1999"), or, for years up to 2012, after a space ("Chipo MOYO 09/07/1990")."""
        before = text[max(0, start - 30) : start]
        name = re.search(r"(\p{Lu}[\p{L}'’-]+)(?:\s*\((?:[^()\n,]{1,15},\s*)?|,[ \t]*|([ \t]+))$", before)
        if name is None:
            return False
        year = _birth_year(date)
        if year is None or not 1920 <= year <= 2024:
            return False
        if name.group(2) is None:
            return True
        word = name.group(1)
        if re.search(r"\b\p{Ll}+[ \t]+$", before[: name.start(1)]):
            return False  # "incident Reading 04/05/2011": a place or a word in a sentence, not a name line
        lex = self.lexicon
        known = lex is not None and (word in lex.not_names or word.title() in lex.not_names or word in lex.acronyms)
        return year <= 2012 and not known


def _birth_year(date: str) -> int | None:
    year = re.search(r"(\d{4}|\d{2})$", date)
    if year is None:
        return None
    y = int(year.group(1))
    return y + (1900 if y > 30 else 2000) if y < 100 else y


class FieldPersonRecognizer(_Recognizer):
    """A name written after a field label ("Victim: Rosa Quispe", "Chair - DI Helen Marsh")."""

    def __init__(self, entity: str, rec_id: str, context: list[str] | None = None, **options: Any) -> None:
        super().__init__(entity, rec_id, context, **options)
        self.lexicon: Lexicon = options["lexicon"]
        self.field = re.compile(
            rf"(?:^|(?<=[\n|;(•*]\s*)|(?<=[.\-–]\s+)|(?<=[ \t]{{2}}))(?:{options['fields']})\s*(?:\d+\s*)?[:\-–]\s*",
            re.MULTILINE,
        )
        self.bare = re.compile(rf"\b(?:{options['unpunctuated']})[ \t]+") if options.get("unpunctuated") else None
        self.signoff = re.compile(rf"\b(?:{options['signoffs']})\s+") if options.get("signoffs") else None
        self.numbered = re.compile(options["numbered"]) if options.get("numbered") else None
        brackets = options.get("agency_brackets")
        self.brackets = re.compile(rf"\b{brackets}") if brackets else None
        self.relation = re.compile(rf"(?i:{options['relations']})[ \t]*,?[ \t]+") if options.get("relations") else None
        self.score = float(options.get("score", 0.8))

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if nlp_artifacts is None or nlp_artifacts.tokens is None:
            return []
        doc = nlp_artifacts.tokens
        out = []
        cues = [(self.field, "field_label", "name after a field label")]
        if self.bare is not None:
            cues.append((self.bare, "field_label", "name after a greeting or a role"))
        if self.signoff is not None:
            cues.append((self.signoff, "field_label", "name after a sign-off"))
        if self.relation is not None:
            cues.append((self.relation, "relation_word", "name after a relationship word"))
        if self.brackets is not None:
            cues.append((self.brackets, "field_label", "name in brackets after an agency"))
        if self.numbered is not None:
            cues.append((self.numbered, "field_label", "name heading a numbered item"))
        seen: set[tuple[int, int]] = set()
        for pattern, pid, why in cues:
            for m in pattern.finditer(text):
                for span in self._names_after(doc, m.end()):
                    if span not in seen:
                        seen.add(span)
                        out.append(self.result(span[0], span[1], self.score, pid, why))
        return out

    def _names_after(self, doc: Any, offset: int) -> list[tuple[int, int]]:
        """The names in a field's value: "Elif (9), Can (6)", "Helen Marsh (Police), Joe Bloggs"."""
        i = _first_token_at(doc, offset)
        skipped = 0
        while i < len(doc) and skipped < 3 and (doc[i].is_space or doc[i].text in {"RE", "Re", "FW", "Fwd", ":"}):
            i += 1
            skipped += 1
        names: list[tuple[int, int]] = []
        depth = 0
        while i < len(doc) and len(names) < 12:
            tok = doc[i]
            if "\n" in tok.text or (tok.text in {".", ";", "|"} and depth == 0):
                break
            if tok.text == "(":
                depth += 1
            elif tok.text == ")":
                depth = max(0, depth - 1)
            elif depth == 0 and self._is_name_token(tok.text, tok):
                j = i
                while j + 1 < len(doc) and "\n" not in doc[j].whitespace_:
                    if self._is_name_token(doc[j + 1].text, doc[j + 1]):
                        j += 1
                    elif doc[j + 1].text in PARTICLES and j + 2 < len(doc) and self._is_name_token(doc[j + 2].text):
                        j += 2  # "Ferreira da Silva", "van der Berg" (one particle at a time)
                    elif _joined_hyphen(doc, j + 1) and self._is_name_token(doc[j + 2].text, doc[j + 2]):
                        j += 2  # "Elena-Maria", "Pryce-Jones": spaCy splits at the hyphen
                    else:
                        break
                shouted = doc[i].text.isupper() and len(doc[i].text) > 1
                lone_caps = i == j and shouted and len(doc[i].text) <= 5 and not _shouted_line(doc.text, doc[i].idx)
                if not lone_caps and not (shouted and not _ends_shouted_name(doc, j)):
                    names.append((doc[i].idx, doc[j].idx + len(doc[j].text)))
                i = j
            elif depth == 0 and tok.text not in {",", "&", "and", "/", "-", "–", "v", "vs", "v."} and not names:
                if tok.text.rstrip(".") not in self.lexicon.titles:
                    break
            elif depth == 0 and tok.text not in {",", "&", "and", "/", "-", "–", "v", "vs", "v."}:
                break
            i += 1
        return names

    def _is_name_token(self, word: str, tok: Any = None) -> bool:
        """A word that can be (part of) a name here. With a token, a title-case word must also be
        tagged a proper noun (or sit in a spaCy PERSON entity): "Any", "Previous", "Training" are not."""
        if word.rstrip(".") in self.lexicon.titles:
            return False
        if _name_like(word, self.lexicon):
            if tok is None or not word[:1].isupper() or word.isupper() or not tok.pos_:
                return True  # no tagger (a blank pipeline): the word's shape decides
            return bool(tok.pos_ == "PROPN" or tok.ent_type_ == "PERSON" or tok.tag_ in {"NNP", "NNPS"})
        if len(word) <= 2 and word[:1].isupper() and word.endswith("."):
            return True  # an initial: "A. Brennan"
        return (
            word.isupper()
            and len(word) >= 3
            and word not in self.lexicon.acronyms
            and word.title() not in self.lexicon.not_names
            and word.isalpha()
        )


PARTICLES = {"da", "de", "dos", "das", "do", "van", "von", "der", "den", "al", "el", "bin", "binti", "ter", "la", "le"}


def _joined_hyphen(doc: Any, k: int) -> bool:
    """A hyphen with no space on either side, inside a word."""
    return k + 1 < len(doc) and doc[k].text in {"-", "‐"} and doc[k - 1].whitespace_ == "" and doc[k].whitespace_ == ""


def _ends_shouted_name(doc: Any, j: int) -> bool:
    """In text written in capitals, a run of capitals is a name only where punctuation, a bracket,
    "DOB" or the line's end follows it ("CHILD MILA (6)", "P - VIKTOR MOROZ DOB ...")."""
    if j + 1 >= len(doc) or "\n" in doc[j].whitespace_ or doc[j + 1].is_space or len(doc[j].whitespace_) > 1:
        return True
    nxt = doc[j + 1].text
    return nxt in {"(", ",", "/", ";", ".", "-", "–", ":", ")"} or nxt.upper().replace(".", "") == "DOB"


def _name_like(word: str, lexicon: Lexicon) -> bool:
    if word in lexicon.not_names or word.upper() in lexicon.acronyms and len(word) <= 3 and word.isupper():
        return False
    if re.fullmatch(r"\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}?\p{Ll}+)*", word):
        return True
    if re.fullmatch(r"(?:Mc|Mac|O'|O’|De|Da|Di|Le|La)\p{Lu}\p{Ll}+", word):
        return True
    return (
        bool(re.fullmatch(r"[A-Z]{2,3}|[A-Z]\.(?:[A-Z]\.){0,2}", word))
        and word.replace(".", "") not in lexicon.acronyms
    )


class InitialsRecognizer(_Recognizer):
    """Two or three capitals standing for a person ("AB", "J.T.") and not a known abbreviation.

    Skipped in shouted lines (mostly capitals), where every word would look like initials.
    """

    PATTERN = re.compile(r"(?<![\w.&/-])(?:[A-Z]{2,3}|[A-Z]\.[A-Z]\.(?:[A-Z]\.)?)(?![\w&/-])(?:'s)?")

    def __init__(self, entity: str, rec_id: str, context: list[str] | None = None, **options: Any) -> None:
        super().__init__(entity, rec_id, context, **options)
        self.lexicon: Lexicon = options["lexicon"]
        self.score = float(options.get("score", 0.55))

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for m in self.PATTERN.finditer(text):
            word = m.group(0).removesuffix("'s")
            if word.replace(".", "") in self.lexicon.acronyms or _shouted_line(text, m.start()):
                continue
            out.append(
                self.result(m.start(), m.start() + len(word), self.score, "initials", "capitals standing for a name")
            )
        return out


def _shouted_line(text: str, index: int) -> bool:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    line = text[start : end if end != -1 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) / len(letters) > 0.6


class Gated:
    """A pattern searched only on the lines where its ``gate`` occurs, with ``finditer``'s results.

    Valid for a pattern whose every match opens with a part that cannot cross a line break, contains
    a ``gate`` match, and is followed only by optional parts: then a match can start only on a line
    where the gate occurs, and whether one starts at a position does not depend on the text after
    that line. ``tests/test_recognizers.py`` checks it against plain ``finditer`` on every sample text.
    """

    def __init__(self, pattern: str, gate: Any) -> None:
        self.pattern = re.compile(pattern)
        self.gate = gate

    def finditer(self, text: str) -> Iterator[Any]:
        pos = 0
        for start, end in _gated_lines(text, self.gate):
            at = max(pos, start)
            while at < end and (m := self.pattern.search(text, at, end)) is not None:
                whole = self.pattern.match(text, m.start()) or m  # the same start, free to run past the line
                yield whole
                pos = at = whole.end()


def _gated_lines(text: str, gate: Any) -> Iterator[tuple[int, int]]:
    """(start, end) of each line holding a match of ``gate``, in order, each once."""
    last = -1
    for g in gate.finditer(text):
        if g.start() < last:
            continue
        start = text.rfind("\n", 0, g.start()) + 1
        end = text.find("\n", g.start())
        last = end = len(text) if end == -1 else end
        yield start, end


class UkAddressRecognizer(_Recognizer):
    """House number and street, flat and building, refuge or estate name, town and postcode,
    joined into one span; a bare street name ("not to attend Kiln Lane") on its own too.

    An address in an organisation's letterhead or signature (an office, not a home) is skipped
    unless the text around it says it is a refuge or someone's address."""

    POSTCODE = r"(?:GIR ?0AA|[A-PR-UWYZ](?:\d[\dA-HJKPSTUW]?|[A-HK-Y]\d[\dABEHMNPRV-Y]?) ?\d[ABD-HJLNP-UW-Z]{2})"
    WORD = r"(?:[A-Z][a-z'’\-]+(?:[A-Z][a-z]+)?|[A-Z]{2,}(?:['’][A-Z]+)?)\b(?![\d])"
    ORG = re.compile(
        r"(?i)\b(?:service|services|council|solicitors|llp|ltd|limited|team|partnership|trust|offices?|floor|"
        r"po box|police station|surgery|academy|civic|town hall|headquarters|hq|business|chambers|department|"
        r"directorate|programme|project|charity|registered|company|solutions|options|homes)\b"
    )
    HOME = re.compile(
        r"(?i)\b(?:refuge|safe house|placement|hostel|lives|living|address|resides|home|staying|moved|"
        r"dob|d\.o\.b|victim|perpetrator|tenant|tenancy|occupant|council tax|flat)\b"
    )
    AFTER_ORG = re.compile(
        r"[ \t]+(?i:ida|idva|service|services|solicitors|surgery|clinic|practice|juniors|primary|school|academy|"
        r"retail|health|medical|police|station|hospital|library|centre|office)\b"
    )
    BARE_TYPES = (
        "Road",
        "Street",
        "Lane",
        "Avenue",
        "Close",
        "Drive",
        "Crescent",
        "Gardens",
        "Grove",
        "Terrace",
        "Walk",
        "Mews",
        "Rise",
        "Parade",
        "Square",
        "Brae",
        "Wynd",
        "Estate",
    )

    def __init__(self, entity: str, rec_id: str, context: list[str] | None = None, **options: Any) -> None:
        super().__init__(entity, rec_id, context, **options)
        lex: Lexicon = options["lexicon"]
        self.not_town = lex.not_names
        self.patterns = self._patterns(lex)

    def _patterns(self, lex: Lexicon) -> list[tuple[str, Any]]:
        def either_case(words: Any) -> str:
            forms = {f for word in words for f in (word, word.upper())}
            return "|".join(sorted(forms, key=len, reverse=True))

        w, pc, sp = self.WORD, self.POSTCODE, r"[ \t]+"
        streets, buildings = either_case(lex.street_types), either_case(lex.building_types)
        flat = rf"(?:(?i:flat|apartment|apt\.?|unit|room|studio){sp}(?:\d+[A-Za-z]?|[A-Z])\b,?[ \t]*)"
        kind = r"(?i:refuge|hostel|safe\s+house)"
        use = r"(?:[ \t]+(?i:refuge|emergency\s+placement|placement|hostel))?"
        place = rf"(?:(?:{w}{sp}){{0,4}}(?:(?:{buildings})\b|{kind}){use},?[ \t]*)"
        number = rf"(?:\d{{1,3}}[A-Za-z]?(?:[-–]\d{{1,3}})?,?{sp})"
        street = rf"(?:(?:{w}|St\.?){sp}){{0,3}}(?:{streets})\b(?:{sp}(?:North|South|East|West|Upper|Lower))?"
        welsh_type = "Heol|Ffordd|Stryd|Lôn|Lon|Maes|Rhodfa|Cilgant|Teras|Llwyn|Clos|Parc"  # the type comes first
        welsh = rf"(?:(?:{welsh_type}){sp}(?:(?:y|yr|'r){sp})?{w}(?:{sp}{w})?)"
        house = rf"(?:(?:[Tt]he{sp})?{w}(?:{sp}{w}){{0,2}},[ \t]*)"
        town = rf"(?:,?\s*(?:{w})(?:[ \t]+(?:{w}|upon|on|under|in|le|by))*)"
        postcode = rf"(?:,?\s*{pc}\b)"
        bare = "|".join(self.BARE_TYPES)
        any_street = rf"(?:{street}|{welsh})"
        # The gate (see Gated) is what the pattern's single-line opening must contain; it runs on the
        # standard library's engine, several times faster than ``regex`` on long alternations. Not for
        # named_place_postcode or house_name_street: their required postcode may be on a later line.
        numbered_street = std_re.compile(rf"{number}{any_street}")
        return [
            (
                "street_address",
                Gated(rf"{flat}?{place}?{number}{any_street}(?:,{town}){{0,3}}{postcode}?", numbered_street),
            ),
            (
                "flat_building",
                re.compile(
                    rf"{flat}(?:{place}(?:{number}?{any_street})?|{number}?{any_street})"
                    rf"(?:,{town}){{0,3}}{postcode}?"
                ),
            ),
            ("named_place_postcode", re.compile(rf"{place}(?:{number}?{any_street})?(?:,{town}){{0,3}}{postcode}")),
            ("house_name_street", re.compile(rf"{house}{number}?{any_street}(?:,{town}){{0,3}}{postcode}")),
            ("number_name_postcode", re.compile(rf"{flat}?{number}(?:{w}{sp}){{0,2}}{w}(?:,{town}){{1,3}}{postcode}")),
            ("welsh_street", re.compile(rf"{welsh}")),
            ("bare_street", re.compile(rf"(?:(?:{w}){sp}){{1,3}}(?:{bare})\b(?:{sp}(?:North|South|East|West))?")),
            ("postcode", re.compile(rf"\b{pc}\b")),
        ]

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for pid, pat in self.patterns:
            for m in pat.finditer(text):
                end = self._trim(text, m.start(), m.end())
                if end <= m.start() or self._office(text, m.start(), end) or self.AFTER_ORG.match(text, end):
                    continue
                score = {"postcode": 0.5, "bare_street": 0.45}.get(pid, 0.75)
                out.append(self.result(m.start(), end, score, pid, "UK address shape"))
        return out

    def _office(self, text: str, start: int, end: int) -> bool:
        """An office in a letterhead or signature: an organisation word just before the address on its
        line (or on the line above, when the address starts its line) and no word saying it is a home."""
        line_start = text.rfind("\n", 0, start) + 1
        before = text[max(line_start, start - 60) : start]
        if not before.strip():
            prev_start = text.rfind("\n", 0, max(0, line_start - 1)) + 1
            before = text[prev_start:start]
        around = before + text[start:end]
        return bool(self.ORG.search(around)) and not self.HOME.search(around)

    def _trim(self, text: str, start: int, end: int) -> int:
        """Drop trailing town words that are really the next sentence's words."""
        piece = text[start:end]
        parts = re.split(r"(,\s*)", piece)
        while (
            len(parts) > 2
            and (not parts[-1].split() or parts[-1].split()[0] in self.not_town)
            and not re.search(self.POSTCODE, parts[-1])
        ):
            parts = parts[:-2]
        return start + len("".join(parts).rstrip(" ,"))


def _first_token_at(doc: Any, offset: int) -> int:
    """The index of the first token starting at or after character ``offset`` (binary search)."""
    lo, hi = 0, len(doc)
    while lo < hi:
        mid = (lo + hi) // 2
        if doc[mid].idx < offset:
            lo = mid + 1
        else:
            hi = mid
    return lo
