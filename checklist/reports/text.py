"""User text as Paragraph markup: escaping, script fonts and right-to-left layout.

Why this module exists (see shared/reliability.md §2):

- `Paragraph` parses a markup dialect (`<font>`, `<img src>`, `<a href>`), so user text
  must be escaped before it gets there. `markup()` escapes first and only then adds the
  tags we trust (`<br/>` and `<font name=...>` for Arabic and Ethiopic runs);
  `styles.para()` is the only place in the package that builds a `Paragraph` from it.
- Right-to-left text (Arabic, Hebrew) is laid out with the Unicode bidirectional
  algorithm (python-bidi), per line: a paragraph that holds right-to-left text is
  broken into lines in logical (typed) order first, and only then is each line put in
  visual order (`BidiParagraph`). So an Arabic sentence that wraps keeps its words in
  reading order, and punctuation, digits and brackets land where the algorithm says.
  The base direction of each paragraph is that of its first strong letter (rule P2).
- Arabic runs are handed to ReportLab in logical order in the Arabic font; harfbuzz
  shapes them (see `fonts.py` for the two patches that needs).
- Bidi override controls (U+202D, U+202E) are read as embeddings (U+202A, U+202B): a
  pasted U+202E can then not show text backwards ("Trojan source" style spoofing), and
  every word stays readable. All bidi controls are invisible and are left out of the PDF.

`pdftotext` applies its own bidi per line and gives right-to-left words back in logical
order; on a line that mixes directions it may order the parts differently from the
page, and it wraps right-to-left text in U+202B/U+202C marks.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from xml.sax.saxutils import escape

from bidi import get_base_level
from bidi import get_display
from bidi.mirror import MIRRORED
from reportlab.lib.fonts import ps2tt
from reportlab.lib.fonts import tt2ps
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText

from checklist.reports.fonts import ARABIC
from checklist.reports.fonts import ETHIOPIC
from checklist.reports.fonts import ETHIOPIC_CHARS
from checklist.reports.fonts import setup_reportlab
from checklist.reports.fonts import shaped_width

# Drawn in the Arabic font (and shaped): Arabic letters and marks. Arabic-Indic digits
# and Arabic punctuation are drawn by DejaVu, left to right as the bidi algorithm put
# them, because harfbuzz would draw a run of them right to left.
_ARABIC_FONT_CHAR = re.compile(
    "[\u0610-\u061a\u0620-\u065f\u066e-\u06d3\u06d5-\u06ef\u06fa-\u06ff"
    "\u0750-\u077f\u0870-\u089f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe]"
)
_ETHIOPIC_CHAR = re.compile(f"[{ETHIOPIC_CHARS}]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# Paragraph-level bidi: text with any of these classes goes through `BidiParagraph`.
_BIDI_CLASSES = {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_OVERRIDES_AS_EMBEDDINGS = str.maketrans({"\u202d": "\u202a", "\u202e": "\u202b"})


@functools.cache
def _marks() -> re.Pattern:
    """Every combining mark (Mn, Me) as one character class: most text has none, and one
    regex search says so far faster than a look-up per character. Made on first use."""
    ranges, start = [], None
    for code in range(0x110000):
        mark = unicodedata.category(chr(code)) in ("Mn", "Me")
        if mark and start is None:
            start = code
        elif not mark and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    return re.compile(f"[{''.join(ranges)}]")



def clean(text) -> str:
    """User text as plain text: newlines unified, tabs as spaces, C0 controls dropped."""
    source = "" if text is None else str(text)
    for newline in ("\r\n", "\r", "\u2028", "\u2029", "\x85"):
        source = source.replace(newline, "\n")
    return _dotted_circles(_CONTROL.sub("", source.replace("\t", " ")))


def _dotted_circles(text: str) -> str:
    """A combining mark with no letter before it gets a dotted circle (U+25CC) to sit on.

    That is how Unicode says to show such a mark (TUS 2.11); drawn bare at the start of
    a line it overlaps the next letter, and pdftotext then moves that letter elsewhere.
    """
    if not _marks().search(text):
        return text
    out, previous = [], ""
    for char in text:
        if _is_mark(char) and (not previous or previous.isspace()):
            out.append("\u25cc")
        out.append(char)
        if not _BIDI_CONTROLS.match(char):
            previous = char
    return "".join(out)


def _fonts(style: ParagraphStyle) -> tuple[str, str, str]:
    """Base, Arabic and Ethiopic font names in the weight and slant of `style`."""
    _, bold, italic = ps2tt(style.fontName)
    return style.fontName, tt2ps(ARABIC.lower(), bold, italic), tt2ps(ETHIOPIC.lower(), bold, italic)


def _segments(text: str, style: ParagraphStyle) -> list[list[str]]:
    """`text` cut into [font name, text] runs; a combining mark stays with its base if that font has it."""
    base, arabic, ethiopic = _fonts(style)
    if not (_ARABIC_FONT_CHAR.search(text) or _ETHIOPIC_CHAR.search(text) or _marks().search(text)):
        return [[base, text]] if text else []  # no other script and no mark: one run in the base font
    runs: list[list[str]] = []
    for char in text:
        font = base
        if _ARABIC_FONT_CHAR.match(char) and _covers(arabic, char):
            font = arabic
        elif _ETHIOPIC_CHAR.match(char) and _covers(ethiopic, char):
            font = ethiopic
        elif _is_mark(char) and runs and _covers(runs[-1][0], char):
            font = runs[-1][0]
        if runs and runs[-1][0] == font:
            runs[-1][1] += char
        else:
            runs.append([font, char])
    return runs


def _covers(font_name: str, char: str) -> bool:
    return ord(char) in pdfmetrics.getFont(font_name).face.charToGlyph


def _tagged(text: str, style: ParagraphStyle, visual: bool = False) -> str:
    """Escaped markup for one line of plain text, script runs in their fonts.

    With `visual`, the text is a line in visual order: its Arabic runs are turned back
    into logical order, because harfbuzz shapes them from that and draws them right to left.
    """
    base, arabic, _ = _fonts(style)
    out = []
    for font, run in _segments(text, style):
        if visual and font == arabic:
            run = _reverse_clusters(run)
        out.append(escape(run) if font == base else f'<font name="{font}">{escape(run)}</font>')
    return "".join(out)


def markup(text, style: ParagraphStyle) -> str:
    """Escaped Paragraph source for untrusted text, in logical order: escape, newlines, script fonts."""
    setup_reportlab()
    source = _BIDI_CONTROLS.sub("", clean(text))
    return "<br/>".join(_tagged(line, style) for line in source.split("\n"))


def needs_bidi(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in _BIDI_CLASSES for char in text) or bool(_BIDI_CONTROLS.search(text))


class BidiParagraph(Paragraph):
    """A Paragraph with right-to-left text: lines broken in logical order, then laid out visually.

    Line breaking needs the width, so the visual markup (one `<br/>`-separated line per
    line) is made in `wrap`. Paragraphs made by `split` (a page break inside the
    paragraph) get already laid-out fragments and behave as plain Paragraphs.
    """

    def __init__(self, text, style=None, bulletText=None, frags=None, caseSensitive=1, encoding="utf8", source=None):
        self._source = source
        self._laid_out_for = None
        super().__init__(text, style, bulletText, frags, caseSensitive, encoding)

    def wrap(self, availWidth, availHeight):
        if self._source is not None and availWidth != self._laid_out_for:
            style = self.style
            first = availWidth - style.leftIndent - style.firstLineIndent - style.rightIndent
            later = availWidth - style.leftIndent - style.rightIndent
            lines = visual_lines(self._source, style, first, later)
            self._setup("<br/>".join(lines), style, self.bulletText, None, cleanBlockQuotedText)
            self._laid_out_for = availWidth
        return super().wrap(availWidth, availHeight)


def visual_lines(source: str, style: ParagraphStyle, first: float, later: float) -> list[str]:
    """Markup per line: each paragraph of `source` broken in logical order, then each line reordered.

    python-bidi resolves the embedding level of every character over the whole
    paragraph (rules P2 to I2 of UAX #9, base direction from the first strong letter);
    the reordering of each line (L2), marks kept after their letter (L3) and mirrored
    brackets (L4) are done here, because python-bidi's `get_display` only reorders a
    whole paragraph as one line and mirrors nothing.
    """
    setup_reportlab()
    lines: list[str] = []
    for paragraph in source.split("\n"):
        text = paragraph.translate(_OVERRIDES_AS_EMBEDDINGS)
        levels = _levels(text)
        for start, end in _break_lines(text, style, first if not lines else later, later):
            lines.append(_tagged(_visual(text, levels, start, end), style, visual=True))
    return lines


def _levels(text: str) -> list[int]:
    """The resolved bidi level of each character of one paragraph, from python-bidi.

    `get_display(debug=True)` documents that it returns the calculated levels; they
    come as the debug form of the Rust `BidiInfo`, one level per UTF-8 byte.
    """
    if not text:
        return []
    base_dir = "R" if get_base_level(text) == 1 else "L"
    info = get_display(text, base_dir=base_dir, debug=True)
    block = re.search(r"levels: \[(.*?)\]", info, re.S)
    per_byte = [int(n) for n in re.findall(r"Level\(\s*(\d+)", block.group(1))] if block else []
    levels, offset = [], 0
    for char in text:
        levels.append(per_byte[offset] if offset < len(per_byte) else -1)
        offset += len(char.encode("utf-8"))
    if offset != len(per_byte):
        raise RuntimeError("python-bidi gave no level per character; check its debug output format")
    return levels


def _visual(text: str, levels: list[int], start: int, end: int) -> str:
    """`text[start:end]` in visual order (rules L2 to L4), bidi controls left out."""
    # Bidi controls take part in the reordering (an isolate's initiator separates its
    # content from the text around it) and are left out afterwards: they are invisible.
    clusters: list[list] = []  # [level, letter with its marks]
    for i in range(start, end):
        char = text[i]
        if clusters and _is_mark(char) and not _BIDI_CONTROLS.match(clusters[-1][1]):
            clusters[-1][1] += char
        else:
            clusters.append([levels[i], char])
    if not clusters:
        return ""
    order = list(range(len(clusters)))
    highest, lowest_odd = max(c[0] for c in clusters), min(c[0] for c in clusters) | 1
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if clusters[order[i]][0] < level:
                i += 1
                continue
            j = i
            while j < len(order) and clusters[order[j]][0] >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
    out = []
    for i in order:
        level, chars = clusters[i]
        if level % 2 and unicodedata.mirrored(chars[0]):
            chars = MIRRORED.get(chars[0], chars[0]) + chars[1:]
        out.append(chars)
    return _BIDI_CONTROLS.sub("", "".join(out)).strip(" ")


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


def _reverse_clusters(run: str) -> str:
    """A right-to-left run from visual back to logical order, each letter keeping its marks after it."""
    clusters: list[str] = []
    for char in run:
        if clusters and _is_mark(char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return "".join(reversed(clusters))


def _break_lines(text: str, style: ParagraphStyle, first: float, later: float) -> list[tuple[int, int]]:
    """(start, end) of each line of `text`, greedy, words cut only when one is wider than a line."""
    # ReportLab puts the space of the font of the word before it between two words: take the widest.
    space = max(stringWidth(" ", font, style.fontSize) for font in _fonts(style))
    lines: list[tuple[int, int]] = []
    start = end = None
    used = 0.0
    for match in re.finditer(r"[^ ]+", text):
        limit = (first if not lines else later) - 0.01
        width = _width(match.group(), style)
        if start is not None and used + space + width <= limit:
            end, used = match.end(), used + space + width
            continue
        if start is not None:
            lines.append((start, end))
            limit = later - 0.01
        start, end, used = match.start(), match.end(), width
        while used > limit and end - start > 1:
            cut = _cut(text, start, end, style, limit)
            lines.append((start, cut))
            start, used, limit = cut, _width(text[cut:end], style), later - 0.01
    if start is not None or not lines:
        lines.append((start or 0, end or 0))
    return lines


def _cut(text: str, start: int, end: int, style: ParagraphStyle, limit: float) -> int:
    """Where to cut an over-long word: after the most clusters (letter plus marks) that fit, at least one."""
    cut = start + 1
    for i in range(start + 1, end):
        if _is_mark(text[i]) or _BIDI_CONTROLS.match(text[i]):
            continue
        if _width(text[start:i], style) > limit:
            break
        cut = i
    while cut < end and (_is_mark(text[cut]) or _BIDI_CONTROLS.match(text[cut])):
        cut += 1
    return cut


def _width(word: str, style: ParagraphStyle) -> float:
    _, arabic, _ = _fonts(style)
    word = _BIDI_CONTROLS.sub("", word)
    return sum(
        shaped_width(run, font, style.fontSize) if font == arabic else stringWidth(run, font, style.fontSize)
        for font, run in _segments(word, style)
    )


