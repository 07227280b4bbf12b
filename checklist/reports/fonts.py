"""Fonts, and the one ReportLab set-up: `setup_reportlab()`.

Why this module exists (see shared/reliability.md §2):

- ReportLab's built-in fonts silently drop everything outside Latin-1 (Ł, Arabic,
  Tigrinya), so the TTFs in `checklist/fonts/` are registered, as families so that
  `<b>`/`<i>` work. DejaVu Sans also covers Hebrew.
- Arabic needs shaping (joined letter forms): each Arabic run is handed to ReportLab in
  logical order in the Arabic font, and harfbuzz shapes it and draws it right to left.
  Two small ReportLab patches, installed by `setup_reportlab()`, are still needed for
  that, bidi or not: `_shape_by_font` (shape only the Arabic runs of a word, each with
  its own font) and `_to_unicode_cmap` (make shaped glyphs extract as the letters typed).
- Markup must never fetch anything: `setup_reportlab()` also closes ReportLab's URL route.

Importing this module (or any of `checklist.reports`) changes nothing in ReportLab:
`create_app` calls `setup_reportlab()` once, and the report builders and `para()` call it
again as a guard, which costs a flag check after the first time.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from pathlib import Path

import uharfbuzz
from reportlab import rl_config
from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph as _paragraph_module

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


ARABIC_CHARS = "\u0600-\u06ff\u0750-\u077f\u0870-\u089f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe"
ETHIOPIC_CHARS = "\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f"
HAS_ARABIC = re.compile(f"[{ARABIC_CHARS}]")

_registered = False
_setup_lock = threading.Lock()
_FONTS_BY_FACE: dict[str, TTFont] = {}
_original_cmap = ttfonts.makeToUnicodeCMap
_original_shape = _paragraph_module.shapeFragWord
_SHAPED_FONTS = {ARABIC, ARABIC + "-Bold"}
_FEATURES = {"kern": True, "liga": True}
# (font name, private-use code) -> the letters of that glyph. Not a cache: a record the
# ToUnicode map needs when the PDF is saved, so nothing may be dropped from it. It is
# bounded by the fonts: one entry at most per unnamed glyph of the two Arabic faces.
_PRIVATE_TEXT: dict[tuple[str, int], str] = {}


def setup_reportlab() -> None:
    """Register the TTF families, close the URL route of markup and install the two
    ReportLab patches, once per process (idempotent, thread-safe).

    Called by `create_app`; the report builders, `para()` and the CLI call it as a guard.
    """
    global _registered
    if _registered:
        return
    with _setup_lock:
        if _registered:
            return
        # Markup must never fetch anything. Note that a *local path* in `<img src>` is read
        # whatever these say (measured with 5.1.0), so escaping in `para()` is the real defence;
        # these settings only close the URL route as well.
        rl_config.trustedHosts = None
        rl_config.trustedSchemes = []
        for name, filename in _FONT_FILES.items():
            font = TTFont(name, str(FONT_DIR / filename))
            pdfmetrics.registerFont(font)
            _FONTS_BY_FACE[font.face.name.decode("latin-1")] = font
        for family, (normal, bold, italic, bold_italic) in _FAMILIES.items():
            registerFontFamily(family, normal=normal, bold=bold, italic=italic, boldItalic=bold_italic)
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        _paragraph_module.shapeFragWord = _shape_by_font
        _registered = True


def font_for(text: str, bold: bool = False) -> str:
    """The registered font that covers a (trusted) label, for charts and canvas text."""
    family = ARABIC if HAS_ARABIC.search(text) else ETHIOPIC if re.search(f"[{ETHIOPIC_CHARS}]", text) else BASE
    return _FAMILIES[family][1 if bold else 0]


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
    return text[::-1] if len(text) > 1 and HAS_ARABIC.match(text) else text


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


def shaped_width(text: str, font_name: str, size: float) -> float:
    """The width ReportLab will give `text` once `_shape_by_font` has shaped it."""
    word = [stringWidth(text, font_name, size), (ABag(fontName=font_name, fontSize=size), text)]
    return _original_shape(word, features=_FEATURES)[0]


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

