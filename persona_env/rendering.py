"""Renders a conversation turn: hidden persona beside the agent's guess, the exchange, the rewards."""

from __future__ import annotations

import io
from typing import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from persona_env.schema import PersonaSchema
from persona_env.timeline import PersonaTimeline

_SHOWN_TERMS = ("profile_f1", "profile_precision", "profile_recall", "response_score", "response_gated",
                "format_penalty")


def render_turn(timeline: PersonaTimeline | None, records: Sequence, pending_user: str,
                schema: PersonaSchema, *, scenario: str, ended: bool, color: bool, width: int = 110) -> str:
    """The latest turn as text: persona vs guess table, the exchange, reward terms, notes."""
    console = Console(file=io.StringIO(), width=width, force_terminal=color,
                      color_system="standard" if color else None, highlight=False)
    if timeline is None:
        console.print("PersonaDialog: call reset() first")
        return console.file.getvalue()
    turn = len(records)
    truth = timeline.truth_at(max(turn, 1))
    head = f"PersonaDialog [{scenario}]  turn {turn}/{timeline.max_turns}  persona {truth.persona_id}"
    if ended:
        head += "  (episode over)"
    console.rule(Text(head))
    guessed: dict[str, list[str]] = {}
    if records:
        for slot, value in records[-1].guessed_items:
            guessed.setdefault(slot, []).append(value)
    table = Table(show_header=True, header_style="bold", expand=False, pad_edge=False)
    table.add_column("slot")
    table.add_column("hidden persona")
    table.add_column("agent's guess")
    for slot in schema.slots:
        true_vals = truth.values[slot.name]
        guess = guessed.get(slot.name, [])
        cell = Text()
        for i, g in enumerate(guess):
            if i:
                cell.append(", ")
            cell.append(g + (" +" if g in true_vals else " x"), style="green" if g in true_vals else "red")
        table.add_row(slot.label, ", ".join(true_vals), cell if guess else Text("-", style="dim"))
    console.print(table)
    changes = [e for e in timeline.events if e.turn <= max(turn, 1)]
    for e in changes:
        what = f"swap to {e.persona_id}" if e.kind == "swap" else \
            f"drift {e.slot}: {', '.join(e.old)} -> {', '.join(e.new)} ({'announced' if e.announced else 'silent'})"
        console.print(f"[truth change at turn {e.turn}] {what}", style="yellow", markup=False)
    if records:
        rec = records[-1]
        console.print(Text("User: ", style="bold cyan") + Text(rec.user_message))
        console.print(Text("Assistant profile: ", style="bold magenta") + Text(_short(rec.profile, 300)))
        console.print(Text("Assistant: ", style="bold magenta") + Text(_short(rec.reply, 600)))
        terms = "  ".join(f"{k}={rec.terms[k]:.2f}" for k in _SHOWN_TERMS if k in rec.terms)
        criteria = "  ".join(f"{k[9:]}={v:.2f}" for k, v in rec.terms.items()
                             if k.startswith("response_") and k not in _SHOWN_TERMS)
        console.print(Text("rewards: ", style="bold") + Text(terms))
        console.print(Text("judge:   ", style="bold") + Text(criteria))
        if rec.notes:
            console.print(Text("notes:   ", style="bold red") + Text("; ".join(rec.notes)))
    if pending_user and not ended:
        console.print(Text("User: ", style="bold cyan") + Text(pending_user))
    elif pending_user and records and records[-1].reaction == "quit":
        console.print(Text("User (leaves): ", style="bold red") + Text(pending_user))
    return console.file.getvalue()


def _short(text: str, limit: int) -> str:
    text = text.replace("\n", " / ")
    return text if len(text) <= limit else text[: limit - 3] + "..."
