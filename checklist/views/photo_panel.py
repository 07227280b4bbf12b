"""What the checklist and visit pages show of photos: each criterion's photos and the
outcome of the last upload, next to the criterion it concerns. Gathered by the view (no
template queries); shared by the visits and photos blueprints."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from flask import session

from checklist import store
from checklist.views.database import get_db

NOTICE_KEY = "photo_notice"
THUMB_PX = 160


@dataclass
class PhotoPanel:
    visit_id: int
    by_criterion: dict[str, list[dict]] = field(default_factory=dict)
    notice: dict | None = None  # {"criterion": id, "kind": "error" | "success", "text": str}

    def of(self, criterion_id: str) -> list[dict]:
        return self.by_criterion.get(criterion_id, [])

    def notice_for(self, criterion_id: str) -> dict | None:
        return self.notice if self.notice and self.notice.get("criterion") == criterion_id else None


def thumb_size(photo: dict, box: int = THUMB_PX) -> tuple[int, int]:
    """Width and height of a thumbnail that fits a box, in the photo's proportions."""
    w, h = photo["width"], photo["height"]
    if w >= h:
        return box, max(1, round(box * h / w))
    return max(1, round(box * w / h)), box


def photo_panel(visit_id: int, with_notice: bool = False) -> PhotoPanel:
    notice = session.pop(NOTICE_KEY, None) if with_notice else None
    return PhotoPanel(visit_id=visit_id, by_criterion=store.visit_photos(get_db(), visit_id), notice=notice)


def set_notice(criterion_id: str, kind: str, text: str) -> None:
    """What the upload or deletion did, shown once at the criterion on the next checklist page."""
    session[NOTICE_KEY] = {"criterion": criterion_id, "kind": kind, "text": text}
