"""Fonts, styles and the one escaping helper for the PDF reports.

Why this module exists (see shared/reliability.md §2):

- ReportLab's built-in fonts silently drop everything outside Latin-1 (Ł, Arabic,
  Tigrinya), so the TTFs in `checklist/fonts/` are registered, as families so that
  `<b>`/`<i>` work. DejaVu Sans also covers Hebrew.
- `Paragraph` parses a markup dialect (`<font>`, `<img src>`, `<a href>`), so user text
  must be escaped before it gets there. `para()` is the only place in the package
  that builds a `Paragraph`; it escapes first and only then adds the tags we trust
  (`<br/>` and `<font name=...>` for Arabic and Ethiopic runs).
- Right-to-left text (Arabic, Hebrew) is laid out with the Unicode bidirectional
  algorithm (python-bidi), per line: a paragraph that holds right-to-left text is
  broken into lines in logical (typed) order first, and only then is each line put in
  visual order (`_BidiParagraph`). So an Arabic sentence that wraps keeps its words in
  reading order, and punctuation, digits and brackets land where the algorithm says.
  The base direction of each paragraph is that of its first strong letter (rule P2).
- Arabic also needs shaping (joined letter forms): each Arabic run is handed to
  ReportLab in logical order in the Arabic font, and harfbuzz shapes it and draws it
  right to left. Two small ReportLab patches, installed by `setup_reportlab()`, are
  still needed for that, bidi or not: `_shape_by_font` (shape only the Arabic runs of
  a word, each with its own font) and `_to_unicode_cmap` (make shaped glyphs extract
  as the letters typed).
- Bidi override controls (U+202D, U+202E) are read as embeddings (U+202A, U+202B): a
  pasted U+202E can then not show text backwards ("Trojan source" style spoofing), and
  every word stays readable. All bidi controls are invisible and are left out of the PDF.

`pdftotext` applies its own bidi per line and gives right-to-left words back in logical
order; on a line that mixes directions it may order the parts differently from the
page, and it wraps right-to-left text in U+202B/U+202C marks.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

import uharfbuzz
from bidi import get_base_level
from bidi import get_display
from bidi.mirror import MIRRORED

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.abag import ABag
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.fonts import ps2tt
from reportlab.lib.fonts import tt2ps
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.styles import StyleSheet1
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph
from reportlab.platypus import TableStyle
from reportlab.platypus import paragraph as _paragraph_module
from reportlab.platypus.paragraph import cleanBlockQuotedText

# Markup must never fetch anything. Note that a *local path* in `<img src>` is read
# whatever these say (measured with 5.1.0), so escaping in `para()` is the real defence;
# these settings only close the URL route as well.
rl_config.trustedHosts = None
rl_config.trustedSchemes = []

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
BASE = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
OBLIQUE = "DejaVuSans-Oblique"
ARABIC = "NotoNaskhArabic"
ETHIOPIC = "NotoSansEthiopic"

_FONT_FILES = {
    BASE: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    OBLIQUE: "DejaVuSans-Oblique.ttf",
    ARABIC: "NotoNaskhArabic-Regular.ttf",
    ARABIC + "-Bold": "NotoNaskhArabic-Bold.ttf",
    ETHIOPIC: "NotoSansEthiopic-Regular.ttf",
    ETHIOPIC + "-Bold": "NotoSansEthiopic-Bold.ttf",
}
# family -> (normal, bold, italic, bold italic); no script has a bold oblique, and
# only DejaVu has an oblique.
_FAMILIES = {
    BASE: (BASE, BOLD, OBLIQUE, BOLD),
    ARABIC: (ARABIC, ARABIC + "-Bold", ARABIC, ARABIC + "-Bold"),
    ETHIOPIC: (ETHIOPIC, ETHIOPIC + "-Bold", ETHIOPIC, ETHIOPIC + "-Bold"),
}

NAVY = colors.HexColor("#1F3A5F")
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#5F6B7A")
RULE = colors.HexColor("#C8CED6")
LIGHT = colors.HexColor("#F2F4F7")
DRAFT_RED = colors.HexColor("#C62828")
STATUS_COLOURS = {
    "green": colors.HexColor("#2E7D32"),
    "amber": colors.HexColor("#E08E00"),
    "red": colors.HexColor("#C62828"),
    "none": colors.HexColor("#9E9E9E"),
}
STATUS_TINTS = {
    "green": colors.HexColor("#E8F5E9"),
    "amber": colors.HexColor("#FFF3DC"),
    "red": colors.HexColor("#FDECEA"),
    "none": colors.HexColor("#EFEFEF"),
}

_ARABIC_CHARS = "\u0600-\u06ff\u0750-\u077f\u0870-\u089f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe"
_ETHIOPIC_CHARS = "\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f"
_HAS_ARABIC = re.compile(f"[{_ARABIC_CHARS}]")
# Drawn in the Arabic font (and shaped): Arabic letters and marks. Arabic-Indic digits
# and Arabic punctuation are drawn by DejaVu, left to right as the bidi algorithm put
# them, because harfbuzz would draw a run of them right to left.
_ARABIC_FONT_CHAR = re.compile(
    "[\u0610-\u061a\u0620-\u065f\u066e-\u06d3\u06d5-\u06ef\u06fa-\u06ff"
    "\u0750-\u077f\u0870-\u089f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe]"
)
_ETHIOPIC_CHAR = re.compile(f"[{_ETHIOPIC_CHARS}]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# Paragraph-level bidi: text with any of these classes goes through `_BidiParagraph`.
_BIDI_CLASSES = {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_OVERRIDES_AS_EMBEDDINGS = str.maketrans({"\u202d": "\u202a", "\u202e": "\u202b"})

_registered = False
_FONTS_BY_FACE: dict[str, TTFont] = {}
_original_cmap = ttfonts.makeToUnicodeCMap
_original_shape = _paragraph_module.shapeFragWord
_SHAPED_FONTS = {ARABIC, ARABIC + "-Bold"}
_FEATURES = {"kern": True, "liga": True}
_PRIVATE_TEXT: dict[tuple[str, int], str] = {}  # (font name, private-use code) -> the letters of that glyph


def setup_reportlab() -> None:
    """Register the TTF families and install the two ReportLab patches, once per process.

    Called by the report builders and `create_app`, and by `para()` as a guard.
    """
    global _registered
    if _registered:
        return
    for name, filename in _FONT_FILES.items():
        font = TTFont(name, str(FONT_DIR / filename))
        pdfmetrics.registerFont(font)
        _FONTS_BY_FACE[font.face.name.decode("latin-1")] = font
    for family, (normal, bold, italic, bold_italic) in _FAMILIES.items():
        registerFontFamily(family, normal=normal, bold=bold, italic=italic, boldItalic=bold_italic)
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    _paragraph_module.shapeFragWord = _shape_by_font
    _registered = True


# -- text extraction for shaped glyphs -------------------------------------------


def _to_unicode_cmap(fontname: str, subset) -> str:
    """ToUnicode CMap that maps shaped Arabic glyphs back to the letters typed.

    After harfbuzz shaping, ReportLab writes the glyph's own code point into the
    ToUnicode map: a presentation form (U+FE91 for an initial beh) or, for glyphs
    with no code point such as the lam-alef pieces, a private-use code (U+E000...),
    so `pdftotext` gave presentation forms and private-use characters instead of the
    letters. Here presentation forms map to their NFKC letters, and private-use codes
    map to the letters spelled by the glyph's name (`uniFEDF.rlig`, `uniFEDF_uniFEE0`).
    A glyph that stands for several Arabic letters gets them in visual (reversed)
    order, because extractors (poppler, pdf.js) reverse the whole RTL run, including
    the letters of one glyph.
    """
    font = _FONTS_BY_FACE.get(fontname.partition("+")[2])
    if font is None:
        return _original_cmap(fontname, subset)
    entries = [f"<{i:02X}> <{_glyph_text(font, cp).encode('utf-16-be').hex().upper()}>" for i, cp in enumerate(subset)]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


def _glyph_text(font: TTFont, cp: int) -> str:
    text = None
    if 0xE000 <= cp < 0xF900:
        text = _PRIVATE_TEXT.get((font.fontName, cp))
        gid = font.face.charToGlyph.get(cp)
        if text is None and gid is not None:
            text = _text_from_glyph_name(font.hbFont().glyph_to_string(gid))
    elif 0xFB00 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFE:
        text = chr(cp)
    if not text:
        return chr(cp)
    text = unicodedata.normalize("NFKC", text)
    return text[::-1] if len(text) > 1 and _HAS_ARABIC.match(text) else text


def _remember_private_glyphs(run, shaped) -> None:
    """Note which letters each private-use (unnamed) glyph of a shaped run stands for.

    Some glyphs have no name to decode, such as Noto Naskh's final alef with hamza
    after lam (`_1029` in `نلأث`); harfbuzz's cluster of the glyph says which typed
    letters it came from.
    """
    text = "".join(str(t) for _, t in run)
    glyphs = [
        (frag.fontName, char, data.cluster)
        for frag, shaped_text in shaped[1:]
        for char, data in zip(shaped_text, shaped_text.__shapeData__)
    ]
    clusters = sorted({cluster for _, _, cluster in glyphs}) + [len(text)]
    for font_name, char, cluster in glyphs:
        if 0xE000 <= ord(char) < 0xF900:
            end = clusters[clusters.index(cluster) + 1]
            _PRIVATE_TEXT.setdefault((font_name, ord(char)), text[cluster:end])


def _text_from_glyph_name(name: str) -> str | None:
    """Decode an Adobe-Glyph-List style name (`uniFEDF_uniFEE0.liga`); None if not such a name."""
    out = []
    for part in name.split(".")[0].split("_"):
        match = re.fullmatch(r"uni((?:[0-9A-F]{4})+)", part)
        if match:
            hexes = match.group(1)
            out.extend(chr(int(hexes[i : i + 4], 16)) for i in range(0, len(hexes), 4))
            continue
        match = re.fullmatch(r"u([0-9A-F]{4,6})", part)
        if not match:
            return None
        out.append(chr(int(match.group(1), 16)))
    return "".join(out) or None


def _shape_by_font(word, *args, **kwargs):
    """Shape only the Arabic runs of a word, each with its own font.

    ReportLab shapes a whole word with the font of its first fragment, so in a word
    such as `(مرحبا)` or `مرحبا!` the characters in the other font came out as wrong
    glyphs (a Hebrew point instead of `!`). Latin, Hebrew and Ethiopic need no shaping
    (and `_BidiParagraph` has already put them in visual order), so only Arabic runs
    are shaped, without discretionary ligatures. A word is shaped once: a Paragraph
    that is wrapped again (tables wrap their cells twice) hands back shaped words,
    which harfbuzz must not get again.
    """
    if isinstance(word, ttfonts.ShapedFragWord):
        return word
    runs = _font_runs(word)
    if runs is None:
        return _original_shape(word, *args, **kwargs)
    if not any(run[0][0].fontName in _SHAPED_FONTS for run in runs):
        return word
    kwargs.setdefault("features", _FEATURES)
    width, pieces, changed = 0.0, [], False
    for run in runs:
        part = [sum(stringWidth(text, frag.fontName, frag.fontSize) for frag, text in run)] + run
        if run[0][0].fontName in _SHAPED_FONTS and not any(isinstance(text, ttfonts.ShapedStr) for _, text in run):
            part = _original_shape([part[0]] + [(frag, str(text)) for frag, text in run], *args, **kwargs)
            if isinstance(part, ttfonts.ShapedFragWord):
                changed = True
                _remember_private_glyphs(run, part)
        width += part[0]
        pieces.extend(part[1:])
    if not changed:
        return word
    return ttfonts.makeShapedFragWord(word)([width] + pieces)


def _font_runs(word):
    runs = []
    for frag, text in word[1:]:
        if hasattr(frag, "cbDefn"):
            return None
        if runs and runs[-1][0][0].fontName == frag.fontName:
            runs[-1].append((frag, text))
        else:
            runs.append([(frag, text)])
    return runs


def _shaped_width(text: str, font_name: str, size: float) -> float:
    """The width ReportLab will give `text` once `_shape_by_font` has shaped it."""
    word = [stringWidth(text, font_name, size), (ABag(fontName=font_name, fontSize=size), text)]
    return _original_shape(word, features=_FEATURES)[0]


# -- escaping and bidi ------------------------------------------------------------


def _clean(text) -> str:
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
    source = _BIDI_CONTROLS.sub("", _clean(text))
    return "<br/>".join(_tagged(line, style) for line in source.split("\n"))


def _needs_bidi(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in _BIDI_CLASSES for char in text) or bool(_BIDI_CONTROLS.search(text))


class _BidiParagraph(Paragraph):
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
        _shaped_width(run, font, style.fontSize) if font == arabic else stringWidth(run, font, style.fontSize)
        for font, run in _segments(word, style)
    )


def para(text, style: str | ParagraphStyle = "Body") -> Paragraph:
    """THE way to put any string into the PDF: escaped, so it can never be markup."""
    setup_reportlab()
    if isinstance(style, str):
        style = STYLES[style]
    source = _clean(text)
    if _HAS_ARABIC.search(source):
        style = _shaped(style)
    if _needs_bidi(source):
        return _BidiParagraph(markup(source, style), style, source=source)
    return Paragraph(markup(source, style), style)


def cell(text, style: str | ParagraphStyle = "Cell") -> Paragraph:
    """A short string for a table cell; a Paragraph (through `para`) so it wraps."""
    return para("–" if text is None or text == "" else text, style)


_SHAPED: dict[int, ParagraphStyle] = {}


def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    """The style with harfbuzz shaping on; only paragraphs with Arabic pay for it."""
    shaped = _SHAPED.get(id(style))
    if shaped is None:
        shaped = _SHAPED[id(style)] = ParagraphStyle(style.name + "+shaping", parent=style, shaping=1)
    return shaped


def font_for(text: str, bold: bool = False) -> str:
    """The registered font that covers a (trusted) label, for charts and canvas text."""
    family = ARABIC if _HAS_ARABIC.search(text) else ETHIOPIC if re.search(f"[{_ETHIOPIC_CHARS}]", text) else BASE
    return _FAMILIES[family][1 if bold else 0]


def draw_outlined(canvas, text: str, font_name: str, size: float) -> None:
    """Fill `text` as glyph outlines centred on the origin: visible but not extractable.

    Used for the diagonal draft watermark, so that `pdftotext` (and copy-paste) of a
    line is never interleaved with stray watermark letters.
    """
    face = pdfmetrics.getFont(font_name).hbFace
    font = uharfbuzz.Font(face)
    buf = uharfbuzz.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    uharfbuzz.shape(font, buf, {})
    scale = size / face.upem
    advance = sum(pos.x_advance for pos in buf.glyph_positions)
    path = canvas.beginPath()
    x = -advance / 2
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
        font.draw_glyph_with_pen(info.codepoint, _PathPen(path, scale, x + pos.x_offset, pos.y_offset - size * 0.35 / scale))
        x += pos.x_advance
    canvas.drawPath(path, stroke=0, fill=1)


class _PathPen:
    """A fontTools-style pen that writes into a ReportLab path, in points."""

    def __init__(self, path, scale: float, dx: float, dy: float):
        self.path, self.scale, self.dx, self.dy = path, scale, dx, dy
        self.current = (0.0, 0.0)

    def _pt(self, p):
        return ((p[0] + self.dx) * self.scale, (p[1] + self.dy) * self.scale)

    def moveTo(self, p):
        self.current = self._pt(p)
        self.path.moveTo(*self.current)

    def lineTo(self, p):
        self.current = self._pt(p)
        self.path.lineTo(*self.current)

    def curveTo(self, c1, c2, p):
        self.current = self._pt(p)
        self.path.curveTo(*self._pt(c1), *self._pt(c2), *self.current)

    def qCurveTo(self, c, p):
        (x0, y0), (cx, cy), (x, y) = self.current, self._pt(c), self._pt(p)
        self.path.curveTo(x0 + 2 / 3 * (cx - x0), y0 + 2 / 3 * (cy - y0), x + 2 / 3 * (cx - x), y + 2 / 3 * (cy - y), x, y)
        self.current = (x, y)

    def closePath(self):
        self.path.close()


# -- styles -----------------------------------------------------------------------


def _stylesheet() -> StyleSheet1:
    sheet = StyleSheet1()

    def add(name, **kw):
        kw.setdefault("fontName", BASE)
        kw.setdefault("textColor", INK)
        sheet.add(ParagraphStyle(name, **kw))

    add("Body", fontSize=9, leading=12.5, spaceAfter=4)
    add("Small", fontSize=7.5, leading=10, textColor=MUTED)
    add("Title", fontName=BOLD, fontSize=20, leading=25, textColor=NAVY, spaceAfter=2)
    add("Subtitle", fontName=BOLD, fontSize=13, leading=17, spaceAfter=2)
    add("Kicker", fontSize=8, leading=11, textColor=MUTED)
    add("H1", fontName=BOLD, fontSize=13.5, leading=17, textColor=NAVY, spaceBefore=12, spaceAfter=6)
    add("H2", fontName=BOLD, fontSize=10.5, leading=14, textColor=NAVY, spaceBefore=8, spaceAfter=3)
    add("Cell", fontSize=8.5, leading=11)
    add("CellBold", fontName=BOLD, fontSize=8.5, leading=11)
    add("CellMuted", fontSize=8, leading=10.5, textColor=MUTED)
    add("AnchorLine", fontSize=8, leading=10.5, textColor=MUTED, leftIndent=8, spaceAfter=4)
    add("CellItalic", fontName=OBLIQUE, fontSize=8.5, leading=11, textColor=MUTED)
    add("CellHead", fontName=BOLD, fontSize=8, leading=10.5, textColor=colors.white)
    add("CellRight", fontSize=8.5, leading=11, alignment=TA_RIGHT)
    add("CellCentre", fontSize=8.5, leading=11, alignment=TA_CENTER)
    add("Label", fontSize=7.5, leading=10, textColor=MUTED)
    add("Value", fontSize=9, leading=12)
    add("BigValue", fontName=BOLD, fontSize=15, leading=19)
    add("Badge", fontName=BOLD, fontSize=9, leading=12, textColor=colors.white, alignment=TA_CENTER)
    add("Quote", fontSize=9, leading=12.5)
    add("Flag", fontName=BOLD, fontSize=9, leading=12, textColor=STATUS_COLOURS["red"])
    add("Draft", fontName=BOLD, fontSize=9, leading=12, textColor=colors.white)
    add("Header", fontSize=7.5, leading=9.5, textColor=MUTED)
    for status, colour in STATUS_COLOURS.items():
        add("Trend-" + status, fontName=BOLD, fontSize=8.5, leading=11, textColor=colour)
    return sheet


def table_style(*extra, header: bool = True) -> TableStyle:
    """The house table look: navy header row, light rules, top-aligned cells."""
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), NAVY), ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY)]
    return TableStyle(commands + list(extra))


STYLES = _stylesheet()
