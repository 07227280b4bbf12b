"""Fonts, styles and the one escaping helper for the PDF reports.

Why this module exists (see shared/reliability.md §2):

- ReportLab's built-in fonts silently drop everything outside Latin-1 (Ł, Arabic,
  Tigrinya), so the TTFs in `checklist/fonts/` are registered once per process, as
  families so that `<b>`/`<i>` work.
- `Paragraph` parses a markup dialect (`<font>`, `<img src>`, `<a href>`), so user text
  must be escaped before it gets there. `para()` is the only place in the package
  that builds a `Paragraph`; it escapes first and only then adds the tags we trust
  (`<br/>` and `<font name=...>` for Arabic and Ethiopic runs).
- Arabic needs shaping (joined letter forms) and right-to-left order. ReportLab shapes
  with uharfbuzz but its bidi needs `rlbidi`, which is not on PyPI. So `para()` puts
  the words of each Arabic run in visual (reversed) order itself, and paragraphs with
  Arabic get `shaping=1`. Two small patches to ReportLab (installed by
  `register_fonts()`) make that text extractable and correct; see
  `_to_unicode_cmap` and `_shape_by_font`.

Known limits of the Arabic handling, all documented here on purpose:
- The run is reordered before line breaking, so an Arabic run that wraps over two
  lines shows its last words on the first line. Short runs (names, a sentence in a
  note) are fine.
- Arabic-Indic digits inside a run are drawn right-to-left by harfbuzz.
- `pdftotext` applies its own bidi per line. For a line that holds only Arabic (plus
  spaces), it gives back the text exactly as typed; on a line that mixes Latin and
  Arabic it may reorder the parts, and it wraps RTL text in U+202B/U+202C marks.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

import uharfbuzz

from reportlab import rl_config
from reportlab.lib import colors
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
_ARABIC_WORD = f"[{_ARABIC_CHARS}]+"
# An Arabic run: Arabic words with spaces, Western digits or common punctuation between
# them. Under the Unicode bidi rules such a run is one right-to-left stretch inside our
# left-to-right paragraphs: its parts are shown in reverse order, brackets mirrored.
_ARABIC_RUN = re.compile(rf"{_ARABIC_WORD}(?:[ 0-9.,:;!?()\[\]«»\"'/\-–]+{_ARABIC_WORD})*")
_ARABIC_TOKEN = re.compile(rf"{_ARABIC_WORD}|[0-9]+|.")
_MIRROR = str.maketrans("()[]«»", ")(][»«")
_HAS_ARABIC = re.compile(f"[{_ARABIC_CHARS}]")
_ETHIOPIC_RUN = re.compile(rf"[{_ETHIOPIC_CHARS}]+(?: +[{_ETHIOPIC_CHARS}]+)*")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")

_registered = False
_FONTS_BY_FACE: dict[str, TTFont] = {}
_original_cmap = ttfonts.makeToUnicodeCMap
_original_shape = _paragraph_module.shapeFragWord
_SHAPED_FONTS = {ARABIC, ARABIC + "-Bold"}
_FEATURES = {"kern": True, "liga": True}


def register_fonts() -> None:
    """Register the TTF families and the two ReportLab patches, once per process."""
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
        gid = font.face.charToGlyph.get(cp)
        if gid is not None:
            text = _text_from_glyph_name(font.hbFont().glyph_to_string(gid))
    elif 0xFB00 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFE:
        text = chr(cp)
    if not text:
        return chr(cp)
    text = unicodedata.normalize("NFKC", text)
    return text[::-1] if len(text) > 1 and _HAS_ARABIC.match(text) else text


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
    """Shape only the Arabic parts of a word, each with its own font.

    ReportLab shapes a whole word with the font of its first fragment, so in a word
    such as `(مرحبا)` or `مرحبا!` the characters in the other font came out as wrong
    glyphs (a Hebrew point instead of `!`). Latin and Ethiopic need no shaping, and
    shaping them would switch on DejaVu's discretionary ligatures ("st"), so only
    Arabic runs are shaped, without discretionary ligatures.
    """
    runs = _font_runs(word)
    if runs is None:
        return _original_shape(word, *args, **kwargs)
    if not any(run[0][0].fontName in _SHAPED_FONTS for run in runs):
        return word
    kwargs.setdefault("features", _FEATURES)
    if len(runs) == 1:
        return _original_shape(word, *args, **kwargs)
    width, pieces, changed = 0.0, [], False
    for run in runs:
        part = [sum(stringWidth(text, frag.fontName, frag.fontSize) for frag, text in run)] + run
        if run[0][0].fontName in _SHAPED_FONTS:
            part = _original_shape(part, *args, **kwargs)
            changed = changed or isinstance(part, ttfonts.ShapedFragWord)
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


# -- escaping ---------------------------------------------------------------------


def markup(text, style: ParagraphStyle) -> str:
    """Escaped Paragraph source for untrusted text: escape, newlines, then script fonts."""
    source = "" if text is None else str(text)
    source = source.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    source = escape(_CONTROL.sub("", source)).replace("\n", "<br/>")
    _, bold, italic = ps2tt(style.fontName)
    arabic = tt2ps(ARABIC.lower(), bold, italic)
    ethiopic = tt2ps(ETHIOPIC.lower(), bold, italic)
    source = _ARABIC_RUN.sub(lambda m: _visual_arabic(m.group(0), arabic), source)
    return _ETHIOPIC_RUN.sub(lambda m: f'<font name="{ethiopic}">{m.group(0)}</font>', source)


def _visual_arabic(run: str, font: str) -> str:
    """Words of an Arabic run in visual order, each word in the Arabic font."""
    tokens = _ARABIC_TOKEN.findall(run)[::-1]
    return "".join(f'<font name="{font}">{t}</font>' if _HAS_ARABIC.match(t) else t.translate(_MIRROR) for t in tokens)


def para(text, style: str | ParagraphStyle = "Body") -> Paragraph:
    """THE way to put any string into the PDF: escaped, so it can never be markup."""
    if isinstance(style, str):
        style = STYLES[style]
    source = markup(text, style)
    if text is not None and _HAS_ARABIC.search(str(text)):
        style = _shaped(style)
    return Paragraph(source, style)


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


register_fonts()
STYLES = _stylesheet()
