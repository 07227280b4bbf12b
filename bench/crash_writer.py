"""The writer of the kill -9 harness: `python bench/crash_writer.py DB VISIT_ID [--wait]`.

It saves one note at a time through `checklist.store.save_answers`, the path a visitor's
"Saved." goes through, and prints the counter only after the save returned. The parent
kills it at random moments and checks that every printed save is in the database.
With --wait it prints "ready" and waits for a line on stdin before writing, so the parent
can start writers ahead (importing the app takes about a second).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checklist.store.connection import connect  # noqa: E402
from checklist.core.save_protocol import Answer  # noqa: E402
from checklist.core.save_protocol import Version  # noqa: E402
from checklist.store import Edit  # noqa: E402
from checklist.store import save_answers  # noqa: E402

CRITERIA = ("play.space", "play.outdoor", "safety.fire", "safety.moves")


def criterion_for(counter: int) -> str:
    """The criterion a counter is saved on: the writer and the checker must agree."""
    return CRITERIA[counter % len(CRITERIA)]


def last_counter(db, visit_id: int) -> int:
    """Continue after the highest stored counter, so counters grow across restarts."""
    notes = [r["note"] for r in db.query("select note from answers where visit_id = ?", [visit_id])]
    return max((int(n) for n in notes if n and n.isdigit()), default=0)


def main(argv: list[str]) -> None:
    db = connect(argv[1])
    visit_id = int(argv[2])
    if "--wait" in argv[3:]:
        print("ready", flush=True)
        if not sys.stdin.readline():
            return  # the parent closed our stdin: not needed after all
    counter = last_counter(db, visit_id)
    while True:
        counter += 1
        cid = criterion_for(counter)
        # The one writer of this visit: it starts from what is stored, like a page just loaded.
        rows = list(db.query("select * from answers where visit_id = ? and criterion_id = ?", [visit_id, cid]))
        started = Version.of(rows[0] if rows else None)
        result = save_answers(db, visit_id, {cid: Edit(Answer(note=str(counter)), started)})
        assert cid in result.saved, result
        print(counter, cid, flush=True)


if __name__ == "__main__":
    main(sys.argv)
