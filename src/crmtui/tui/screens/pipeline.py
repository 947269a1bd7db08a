"""The deal board: a column per open stage, cards you move with the keyboard, column totals."""

from functools import partial
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.reports.figures import amount_text
from crmtui.tui.dbwork import run_db
from crmtui.tui.formatting import age, short_number
from crmtui.tui.widgets.footer import KeysFooter

PER_COLUMN = 50
MORE_AHEAD = 10  # cards left below the cursor when the column's next page is asked for


class PipelineScreen(Screen):
    BINDINGS = [
        Binding("left", "column(-1)", "◀", show=False, id="column_left"),
        Binding("right", "column(1)", "▶", show=False, id="column_right"),
        Binding("right_square_bracket,greater_than_sign", "move(1)", "Next stage", key_display="]", id="next_stage"),
        Binding("left_square_bracket,less_than_sign", "move(-1)", "Prev stage", key_display="[", id="previous_stage"),
        Binding("w", "won", "Won", id="won"),
        Binding("x", "lost", "Lost", id="lost"),
        Binding("s", "switch_pipeline", "Pipeline", id="switch_pipeline"),
        Binding("n", "new_deal", "New deal", id="new_deal"),
        Binding("h", "history", "History", id="deal_history"),
        # not in the footer, which has no room left: in help and the command palette
        Binding("D,delete", "delete", "Delete", id="delete_deal", show=False),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.pipeline: str | None = None
        self.pipelines: list[str] = []
        self.stage_ids: list[int] = []
        self.follow: int | None = None
        self.cards: dict[str, dict[str, Any]] = {}  # deal id -> card, of every card loaded
        self.loaded: dict[int, list[dict[str, Any]]] = {}  # stage id -> its cards, in order
        self.counts: dict[int, int] = {}
        self.paging: set[int] = set()  # stages whose next page is being read
        # stage id -> the card followed there, shown below "… N more" until the pages reach it
        self.tails: dict[int, dict[str, Any]] = {}
        self.generation = 0
        self.read_after_writes = -1  # app.writes_saved when last read; -1: never read

    def compose(self) -> ComposeResult:
        yield Static("", id="board-title", classes="status")
        yield Horizontal(id="board")
        yield KeysFooter()

    def on_screen_resume(self) -> None:
        """Read on first showing, and again if the app saved anything since (a deal added on a
        contact's page was missing from the board)."""
        if self.read_after_writes != self.app.writes_saved:
            self.refresh_data()

    def refresh_data(self) -> None:
        """Read the board again, as deep into each column as you had scrolled."""
        self.read_after_writes = self.app.writes_saved
        pipeline = self.pipeline
        depth = {stage_id: len(cards) for stage_id, cards in self.loaded.items()}
        follow = self.follow if self.follow is not None else self.selected_deal()

        def read(session) -> dict[str, Any]:
            from crmtui.core.board import deal_card, pipeline_board, stage_cards

            board = pipeline_board(session, pipeline, per_column=PER_COLUMN)
            for column in board["columns"]:
                cards = column["cards"]
                wanted = depth.get(column["stage_id"], 0) - len(cards)
                if wanted > 0 and len(cards) == PER_COLUMN:
                    after = (cards[-1]["stage_entered_at"], cards[-1]["id"])
                    cards += stage_cards(session, column["stage_id"], after=after, limit=wanted)
            shown = {card["id"] for column in board["columns"] for card in column["cards"]}
            # a deal just moved is the newest in its stage, the last of a column of any length
            board["tail"] = deal_card(session, follow) if follow not in (None, *shown) else None
            return board

        run_db(self, read, self._show, group="board", exclusive=True)

    async def _show(self, board: dict[str, Any]) -> None:
        follow = self.follow if self.follow is not None else self.selected_deal()
        focused_column = self._focused_column()
        self.generation += 1  # pages read for the board before this one no longer apply
        self.paging.clear()
        self.cards = {}
        self.loaded = {}
        tail = board["tail"]
        self.tails = {tail["stage_id"]: tail} if tail else {}
        self.pipeline = board["pipeline"]
        self.pipelines = board["pipelines"]
        others = (
            f"  ·  s: switch ({len(self.pipelines)} pipelines)" if len(self.pipelines) > 1 else ""
        )
        self.query_one("#board-title", Static).update(f"[b]{escape(board['pipeline'])}[/b]{others}")
        area = self.query_one("#board", Horizontal)
        stage_ids = [c["stage_id"] for c in board["columns"]]
        if stage_ids != self.stage_ids:
            await area.remove_children()
            columns = []
            for column in board["columns"]:
                columns.append(
                    Vertical(
                        Static("", classes="column-head"),
                        OptionList(id=f"stage-{column['stage_id']}", classes="cards"),
                        classes="column",
                    )
                )
            await area.mount_all(columns)
            self.stage_ids = stage_ids
        for column, box in zip(board["columns"], area.query(".column"), strict=True):
            totals = "\n".join(
                f"{t['currency']} {short_number(t['sum'])}[dim]/{short_number(t['weighted'])}[/dim]"
                for t in column["totals"]
            )
            head = f"[b]{escape(column['stage'])}[/b] {column['probability']}%\n{column['count']:,} deals"
            box.query_one(".column-head", Static).update(f"{head}\n{totals}" if totals else head)
            cards = box.query_one(OptionList)
            cards.clear_options()
            self.loaded[column["stage_id"]] = []
            self.counts[column["stage_id"]] = column["count"]
            self._add_cards(cards, column["stage_id"], column["cards"])
        self.follow = None
        self._select(follow, focused_column)

    def _add_cards(self, cards: OptionList, stage_id: int, new: list[dict[str, Any]]) -> None:
        """Append cards to a column, with a "… N more" line while the stage has more, and below
        it the card followed there (see `tails`) until the pages reach it."""
        now = self.app.now()
        loaded = self.loaded[stage_id]
        tail = self.tails.get(stage_id)
        highlighted = cards.highlighted
        highlighted_id = None if highlighted is None else cards.get_option_at_index(highlighted).id
        # the old "… N more" line, and the tail below it, come off and go back after the new cards
        while cards.option_count and (
            cards.get_option_at_index(cards.option_count - 1).id in (None, tail and str(tail["id"]))
        ):
            cards.remove_option_at_index(cards.option_count - 1)
        first_new = cards.option_count
        if tail is not None and (
            any(card["id"] == tail["id"] for card in new)
            or self.counts[stage_id] <= len(loaded) + len(new) + 1
        ):  # reached in order, or nothing left between it and the cards loaded
            del self.tails[stage_id]
            new = new if any(card["id"] == tail["id"] for card in new) else [*new, tail]
            tail = None
        options: list[Option | None] = []
        for card in new:
            options += [self._card_option(card, now), None]
        loaded += new
        more = self.counts[stage_id] - len(loaded) - (tail is not None)
        if more > 0:
            # not disabled: a held-down key would skip it and wrap round to the top
            options.append(Option(f"… {more:,} more"))
        if tail is not None:
            options += [None, self._card_option(tail, now)]
        cards.add_options(options)
        if highlighted_id is None and highlighted is not None and highlighted >= first_new:
            cards.highlighted = first_new  # was on "… N more": now on the first card it brought
        elif (
            highlighted_id is not None
            and highlighted_id != cards.get_option_at_index(cards.highlighted or 0).id
        ):
            cards.highlighted = cards.get_option_index(highlighted_id)

    def _card_option(self, card: dict[str, Any], now) -> Option:
        prompt = Text(card["title"], style="bold")
        if card["company"]:
            prompt.append(f"\n{card['company']}")
        prompt.append(f"\n{amount_text(card['amount'], card['currency'])}  ", style="")
        prompt.append(age(card["stage_entered_at"], now), style="dim")
        self.cards[str(card["id"])] = card
        return Option(prompt, id=str(card["id"]))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        cards = event.option_list
        if not cards.id or not cards.id.startswith("stage-"):
            return
        stage_id = int(cards.id.removeprefix("stage-"))
        loaded = self.loaded.get(stage_id)
        more_line = cards.option_count - 1 - (stage_id in self.tails)  # never from the tail
        if (
            loaded is None
            or stage_id in self.paging
            or len(loaded) + (stage_id in self.tails) >= self.counts[stage_id]
            or not more_line - MORE_AHEAD < event.option_index <= more_line
        ):
            return
        self.paging.add(stage_id)
        after = (loaded[-1]["stage_entered_at"], loaded[-1]["id"])

        def read(session) -> list[dict[str, Any]]:
            from crmtui.core.board import stage_cards

            return stage_cards(session, stage_id, after=after, limit=PER_COLUMN)

        run_db(
            self,
            read,
            partial(self._more_cards, self.generation, cards, stage_id),
            group=f"cards-{stage_id}",
            on_error=partial(self._paging_failed, stage_id),
        )

    def _more_cards(
        self, generation: int, cards: OptionList, stage_id: int, new: list[dict[str, Any]]
    ) -> None:
        if generation != self.generation:
            return  # the board was read again meanwhile, as deep as this column went
        self.paging.discard(stage_id)
        if not new:  # fewer deals than counted: another process moved some
            self.counts[stage_id] = len(self.loaded[stage_id]) + (stage_id in self.tails)
        self._add_cards(cards, stage_id, new)

    def _paging_failed(self, stage_id: int, message: str) -> None:
        self.paging.discard(stage_id)
        self.notify(message, severity="error", title="crm")

    def on_descendant_focus(self, event) -> None:
        for box in self.query(".column"):
            box.set_class(event.widget.parent is box, "-current")

    def _focused_column(self) -> int:
        lists = list(self.query(".cards"))
        for index, widget in enumerate(lists):
            if widget is self.focused:
                return index
        return 0

    def _select(self, deal_id: int | None, fallback_column: int) -> None:
        lists = list(self.query(OptionList))
        if not lists:
            return
        if deal_id is not None:
            for widget in lists:
                try:
                    index = widget.get_option_index(str(deal_id))
                except Exception:  # noqa: BLE001 - not in this column
                    continue
                widget.highlighted = index
                self.set_focus(widget)
                return
        target = lists[min(fallback_column, len(lists) - 1)]
        self.set_focus(target)
        if target.option_count and target.highlighted is None:
            target.highlighted = 0

    def selected_deal(self) -> int | None:
        for widget in self.query(OptionList):
            if widget is self.focused and widget.highlighted is not None:
                option = widget.get_option_at_index(widget.highlighted)
                return int(option.id) if option.id else None
        return None

    def action_column(self, step: int) -> None:
        lists = list(self.query(OptionList))
        if not lists:
            return
        index = max(0, min(len(lists) - 1, self._focused_column() + step))
        target = lists[index]
        self.set_focus(target)  # at once: focus() would wait behind the keys typed next
        if target.option_count and target.highlighted is None:
            target.highlighted = 0

    def _write(self, work, deal_id: int, saved: str = "") -> None:
        """Save, then read the board again; `saved` is said once the write is in, not before."""

        def done(_result) -> None:
            if saved:
                self.notify(saved, timeout=2)
            self.refresh_data()

        self.follow = deal_id
        run_db(self, work, done, write=True, group="board-write")

    def action_move(self, step: int) -> None:
        deal_id = self.selected_deal()
        if deal_id is None:
            return

        def move(session) -> str:
            from crmtui.core.board import neighbour_stage
            from crmtui.core.deals import get_deal, move_deal
            from crmtui.core.errors import Invalid

            deal = get_deal(session, deal_id)
            stage = neighbour_stage(session, deal, step)
            if stage is None:
                where = "last" if step > 0 else "first"
                raise Invalid(f"{deal.title} is already in the {where} open stage")
            return move_deal(session, deal, stage.id).name

        self._write(move, deal_id)

    def action_history(self) -> None:
        from crmtui.tui.screens.history import HistoryScreen

        deal_id = self.selected_deal()
        card = self.cards.get(str(deal_id))
        if deal_id is not None:
            self.app.push_screen(
                HistoryScreen("deal", deal_id, card["title"] if card else f"deal {deal_id}"),
                self._history_closed,
            )

    def _history_closed(self, undone: bool | None) -> None:
        if undone:
            self.refresh_data()

    def action_won(self) -> None:
        deal_id = self.selected_deal()
        if deal_id is None:
            return

        def win(session) -> str:
            from crmtui.core.deals import get_deal, win_deal

            return win_deal(session, get_deal(session, deal_id)).name

        self._write(win, deal_id, "Marked won")

    def action_lost(self) -> None:
        from crmtui.tui.screens.forms import LostReasonScreen

        deal_id = self.selected_deal()
        if deal_id is None:
            return

        def chosen(reason: str | None) -> None:
            if reason is None:
                return

            def lose(session) -> str:
                from crmtui.core.deals import get_deal, lose_deal

                return lose_deal(session, get_deal(session, deal_id), reason or None).name

            self._write(lose, deal_id, "Marked lost")

        self.app.push_screen(LostReasonScreen(), chosen)

    def action_delete(self) -> None:
        from crmtui.tui.screens.delete import ask_to_delete

        deal_id = self.selected_deal()
        if deal_id is not None:
            ask_to_delete(self, "deal", deal_id, partial(self._deleted, self._next_card(deal_id)))

    def _next_card(self, deal_id: int) -> int | None:
        """The card below this one in its column, or above it if it is the last."""
        for widget in self.query(OptionList):
            if widget is self.focused:
                ids = [widget.get_option_at_index(i).id for i in range(widget.option_count)]
                cards = [int(i) for i in ids if i]
                place = cards.index(deal_id)
                return (cards[place + 1 : place + 2] or cards[place - 1 : place] or [None])[0]
        return None

    def _deleted(self, next_card: int | None) -> None:
        self.follow = next_card
        self.refresh_data()

    def record_restored(self, entity: str, record_id: int) -> None:
        """A deleted deal back (its history's undo): the board read again, the cursor on it."""
        if entity == "deal":
            self.follow = record_id
        self.refresh_data()

    def action_switch_pipeline(self) -> None:
        if len(self.pipelines) < 2:
            self.notify("There is only one pipeline", timeout=2)
            return
        index = self.pipelines.index(self.pipeline) if self.pipeline in self.pipelines else -1
        self.pipeline = self.pipelines[(index + 1) % len(self.pipelines)]
        self.stage_ids = []
        self.refresh_data()

    def action_new_deal(self) -> None:
        from crmtui.tui.screens.forms import DealFormScreen

        self.app.push_screen(DealFormScreen(), lambda r: r is not None and self.refresh_data())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:  # the "… N more" line
            return
        card = self.cards.get(event.option.id)
        if card is not None and card["contact_id"]:
            self.app.open_contact(card["contact_id"])
        else:
            self.notify("This deal has no contact", timeout=2)
