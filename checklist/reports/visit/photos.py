"""Appendix: the photos of the visit, each under its criterion (domain order).

The images are the stored, cleaned JPEGs (`checklist.core.photos`): no metadata, at most
PHOTO_MAX_PX on the long side; here they are scaled to fit half the page. The monitor
report never has this section: a photo can identify a location.
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Image
from reportlab.platypus import KeepTogether
from reportlab.platypus import Spacer

from checklist.reports.frame import FRAME_WIDTH
from checklist.reports.styles import para
from checklist.reports.visit.context import VisitContext

MAX_WIDTH = FRAME_WIDTH * 0.75
MAX_HEIGHT = 100 * mm


def section(ctx: VisitContext) -> list:
    photos = ctx.report.photos
    if not photos:
        return []
    _ = ctx._
    story = [CondPageBreak(80 * mm), para(_("Appendix: photos"), "H1")]
    story.append(para(_("Photos of facilities taken during the visit, under the criterion they concern. They show no recognisable people."), "Small"))
    order = [line.criterion_id for d in ctx.report.score.domains for line in d.lines]
    for criterion_id in sorted(photos, key=lambda cid: (order.index(cid) if cid in order else len(order), cid)):
        criterion = ctx.criteria.criterion(criterion_id)
        title = f"{criterion.text.get(ctx.lang)} ({criterion_id})" if criterion is not None else criterion_id
        for n, photo in enumerate(photos[criterion_id], start=1):
            heading = para(title if n == 1 else f"{title} · {n}", "H2")
            story.append(KeepTogether([heading, _image(photo), Spacer(1, 4 * mm)]))
    return story


def _image(photo) -> Image:
    width, height = photo["width"], photo["height"]
    scale = min(MAX_WIDTH / width, MAX_HEIGHT / height)
    image = Image(BytesIO(photo["jpeg"]), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image
