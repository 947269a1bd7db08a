"""A second (and third) process for the concurrency test: N edits of one deal and N logged calls.

Run as `python concurrent_editor.py URL USER N`; prints {"applied": a, "conflicts": c} as JSON.
Each edit reads the deal in one session and saves in another with the version it read, as an
editor on screen would, so the other process can slip in between and make it stale.
"""

import json
import sys
from decimal import Decimal

from crmtui.core.db import Database
from crmtui.core.deals import get_deal, update_deal
from crmtui.core.errors import Conflict
from crmtui.core.interactions import log_interaction
from crmtui.core.schemas import DealInput, InteractionInput


def main(url: str, user: str, count: int) -> dict[str, int]:
    db = Database(url)
    applied = conflicts = 0
    for number in range(count):
        with db.session() as session:
            deal = get_deal(session, 1)
            version, units = deal.version, deal.amount_units
        new_amount = str((Decimal(units) + 10_000) / 10_000)
        try:
            with db.transaction(username=user) as session:
                update_deal(session, get_deal(session, 1), DealInput(amount=new_amount), version)
            applied += 1
        except Conflict:
            conflicts += 1
        with db.transaction(username=user) as session:
            log_interaction(
                session, InteractionInput(contact="1", kind="call", subject=f"{user} {number}")
            )
    db.dispose()
    return {"applied": applied, "conflicts": conflicts}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
