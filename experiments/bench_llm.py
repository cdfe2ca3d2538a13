"""Batched vs one-at-a-time LLM calls, and the env's own overhead around them (tiny model, CPU).

    python experiments/bench_llm.py                          # 16 conversations, 3 user messages each
    python experiments/bench_llm.py --n 16 --turns 4 --out results/bench_llm

Everything runs offline on the tiny random chat model (:func:`persona_env.llm.build_tiny_chat_model`,
built in a temporary directory); its text is gibberish, but the shapes of the work are real.

Rows:

* **LLM user simulator** -- ``--n`` conversations through :class:`persona_env.llm_user.LLMUserSimulator`
  inside :class:`persona_env.text_dialogue.TextDialogue`: *batched* is one dialogue of batch
  ``--n`` (ONE backend call per turn for all conversations); *sequential* is ``--n`` dialogues of
  batch 1 stepped one after the other (``--n`` calls per turn). Each conversation gets the opening
  plus ``--turns - 1`` replies (``--turns`` user messages).
* **LLM judge** (if :mod:`persona_env.judges.llm_judge` is importable) -- the response judge on
  the batched run's turns: one ``score_texts`` call per turn for all conversations vs one per
  conversation (its retry round included, as in use).
* **Overhead** -- the share of step time spent *outside* ``backend.generate``: the text env
  (``PersonaDialog-v0``) with an LLM user and a fixed assistant action, the same with an LLM
  assistant (:class:`agents.llm_agent.LLMAssistantAgent`, if importable) choosing the action,
  and the batched dialogue of batch ``--n``. The backend is wrapped to time its calls.

Batched and one-at-a-time runs are interleaved ``--repeats`` times and the fastest run of each
counts (CPU timings on a shared machine are noisy). On this tiny model a step's cost is mostly
the prompt's prefill (about 1,200 tokens of rules, persona card and dialogue with its small
tokenizer), so the batched speed-up shrinks as prompts grow; real models pay per generated token
far more, which batching amortises.

Targets: batched >= 4x faster than one at a time; env overhead < 5% of step time. Prints a table
and writes ``bench_llm.json`` under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's agents/ package

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402

import persona_env  # noqa: E402,F401
from persona_env.envs.factory import build_parts  # noqa: E402
from persona_env.llm import TransformersBackend, build_tiny_chat_model  # noqa: E402
from persona_env.llm_user import LLMUserSimulator  # noqa: E402
from persona_env.text_dialogue import TextDialogue  # noqa: E402

REPLIES = (
    "How about a quick vegetable pasta tonight? It takes about twenty minutes.",
    "You could try a short walk by the river and a cup of tea afterwards.",
    "A board game evening with a friend could be fun. What games do you like?",
    "Maybe a cheap picnic in the park this weekend, if the weather holds.",
)


def action(b: int, t: int) -> dict[str, str]:
    return {"profile": "- Occupation: nurse\n- Interests: hiking",
            "reply": REPLIES[(b + t) % len(REPLIES)]}


class TimedBackend:
    """Wraps a ChatBackend and times its ``generate`` calls."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name = inner, getattr(inner, "name", "backend")
        self.reset_counters()

    def reset_counters(self) -> None:
        self.calls, self.chats, self.seconds = 0, 0, 0.0

    def generate(self, chats, **kwargs):
        t0 = time.perf_counter()
        out = self.inner.generate(chats, **kwargs)
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        self.chats += len(chats)
        return out


# ------------------------------------------------------------------ user simulator
def run_dialogues(sim: LLMUserSimulator, timed: TimedBackend, n: int, turns: int, batched: bool,
                  seed: int) -> tuple[dict[str, Any], list[TextDialogue]]:
    """``n`` conversations, ``turns`` user messages each: one dialogue of batch n, or n of batch 1."""
    if batched:
        parts = build_parts(batch_size=n)
        dialogues = [TextDialogue(parts.core, parts.matcher, user_simulator=sim)]
    else:
        dialogues = []
        for _ in range(n):
            parts = build_parts(batch_size=1)
            dialogues.append(TextDialogue(parts.core, parts.matcher, user_simulator=sim))
    rngs = [np.random.default_rng(seed + i) for i in range(len(dialogues))]
    timed.reset_counters()
    t0 = time.perf_counter()
    for d, rng in zip(dialogues, rngs):
        d.reset(rng)
    for t in range(turns - 1):
        for k, (d, rng) in enumerate(zip(dialogues, rngs)):
            if d.core.done.any():  # a user left: keep the work comparable, stop that dialogue
                continue
            d.step(rng, [action(k * d.core.B + b, t) for b in range(d.core.B)])
    wall = time.perf_counter() - t0
    messages = sum(sum(m["role"] == "user" for m in tr.messages) for d in dialogues for tr in d.transcripts)
    return {"mode": "batched" if batched else "sequential", "conversations": n, "user_messages": messages,
            "backend_calls": timed.calls, "wall_s": wall, "generate_s": timed.seconds,
            "per_message_ms": 1000 * wall / max(messages, 1)}, dialogues


# ------------------------------------------------------------------ judge
def judge_rows(timed: TimedBackend, dialogues: list[TextDialogue], n_turns: int,
               repeats: int = 1) -> list[dict[str, Any]] | str:
    try:
        from persona_env.judges.llm_judge import LLMResponseJudge
    except Exception as exc:  # noqa: BLE001 - someone else's module, possibly mid-edit
        return f"skipped: persona_env.judges.llm_judge not importable ({type(exc).__name__}: {exc})"
    (d,) = dialogues
    # (reply, persona card, dialogue before the reply, the user message it answers) per turn
    per_turn: list[list[tuple[str, str, str, str]]] = []
    for t in range(n_turns):
        items = []
        for b, tr in enumerate(d.transcripts):
            msgs = tr.messages
            idx = [i for i, m in enumerate(msgs) if m["role"] == "assistant"]
            if t >= len(idx):
                continue
            i = idx[t]
            before = "\n".join(f"{m['role'].capitalize()}: {m['content']}" for m in msgs[:i - 1])
            card = d.core.timelines[b].truth_at(t + 1).card()
            items.append((msgs[i]["content"], card, before, msgs[i - 1]["content"]))
        if items:
            per_turn.append(items)
    try:
        judge = LLMResponseJudge(timed, scale="aloe")
        best: dict[str, dict[str, Any]] = {}
        for _ in range(repeats):  # interleaved; the fastest repeat of each mode counts
            for mode in ("batched", "sequential"):
                timed.reset_counters()
                t0 = time.perf_counter()
                for items in per_turn:
                    groups = [items] if mode == "batched" else [[it] for it in items]
                    for g in groups:
                        judge.score_texts([x[0] for x in g], [x[1] for x in g], [x[2] for x in g],
                                          [x[3] for x in g])
                wall = time.perf_counter() - t0
                n_items = sum(len(items) for items in per_turn)
                row = {"mode": mode, "verdicts": n_items, "backend_calls": timed.calls, "wall_s": wall,
                       "generate_s": timed.seconds, "per_verdict_ms": 1000 * wall / max(n_items, 1),
                       "repeats": repeats}
                if mode not in best or wall < best[mode]["wall_s"]:
                    best[mode] = row
        return [best["batched"], best["sequential"]]
    except Exception as exc:  # noqa: BLE001
        return f"skipped: LLMResponseJudge failed ({type(exc).__name__}: {exc})"


# ------------------------------------------------------------------ overhead
def overhead_env(timed: TimedBackend, steps: int, assistant: Any | None, seed: int,
                 max_new_tokens: int) -> dict[str, Any]:
    """The text env with an LLM user (and an LLM assistant, if given): time outside generate."""
    env = gym.make("PersonaDialog-v0", user_simulator=LLMUserSimulator(timed, max_new_tokens=max_new_tokens))
    obs, _ = env.reset(seed=seed)
    timed.reset_counters()
    env_time, agent_time, n = 0.0, 0.0, 0
    gen_env = 0.0
    while n < steps:
        t0 = time.perf_counter()
        act = assistant.act(obs) if assistant is not None else action(0, n)
        t1 = time.perf_counter()
        g0 = timed.seconds
        obs, _, terminated, truncated, _ = env.step(act)
        t2 = time.perf_counter()
        gen_env += timed.seconds - g0
        agent_time += t1 - t0
        env_time += t2 - t1
        n += 1
        if terminated or truncated:
            g0 = timed.seconds
            t1 = time.perf_counter()
            obs, _ = env.reset()
            env_time += time.perf_counter() - t1
            gen_env += timed.seconds - g0
    total = env_time + agent_time
    outside = total - timed.seconds
    return {"setup": "PersonaDialog-v0, LLM user" + (" + LLM assistant" if assistant is not None else
                                                      ", fixed action"),
            "steps": n, "step_ms": 1000 * total / n, "generate_ms": 1000 * timed.seconds / n,
            "env_outside_generate_ms": 1000 * (env_time - gen_env) / n,
            "outside_generate_share": outside / total,
            "env_outside_generate_share": (env_time - gen_env) / total}


def overhead_batched(row: dict[str, Any]) -> dict[str, Any]:
    wall, gen = row["wall_s"], row["generate_s"]
    steps = row["backend_calls"]
    return {"setup": f"TextDialogue batch {row['conversations']}, LLM user, fixed actions",
            "steps": steps, "step_ms": 1000 * wall / steps, "generate_ms": 1000 * gen / steps,
            "env_outside_generate_ms": 1000 * (wall - gen) / steps,
            "outside_generate_share": (wall - gen) / wall, "env_outside_generate_share": (wall - gen) / wall}


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=16, help="conversations")
    parser.add_argument("--turns", type=int, default=3, help="user messages per conversation")
    parser.add_argument("--max-new-tokens", type=int, default=96, help="the LLM user's budget per message")
    parser.add_argument("--overhead-steps", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3,
                        help="interleaved repeats of each batched/sequential run; the fastest counts")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="results/bench_llm")
    args = parser.parse_args(argv)

    import torch
    import transformers

    transformers.logging.set_verbosity_error()  # the tiny model's short context limits are moot here
    if args.threads:
        torch.set_num_threads(args.threads)
    say = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731

    with tempfile.TemporaryDirectory() as tmp:
        path = build_tiny_chat_model(Path(tmp) / "tiny")
        inner = TransformersBackend(path, device="cpu", dtype="float32", max_batch_size=max(16, args.n))
        timed = TimedBackend(inner)
        sim = LLMUserSimulator(timed, max_new_tokens=args.max_new_tokens)
        run_dialogues(sim, timed, 2, 2, True, args.seed)  # warm-up

        say("LLM user: batched and one conversation at a time ...")
        batched = sequential = dialogues = None
        for rep in range(args.repeats):  # interleaved; the fastest repeat of each mode counts
            b_row, b_dialogues = run_dialogues(sim, timed, args.n, args.turns, True, args.seed)
            if batched is None or b_row["wall_s"] < batched["wall_s"]:
                batched, dialogues = b_row, b_dialogues
            say(f"LLM user: one conversation at a time (repeat {rep + 1}/{args.repeats}) ...")
            s_row, _ = run_dialogues(sim, timed, args.n, args.turns, False, args.seed)
            if sequential is None or s_row["wall_s"] < sequential["wall_s"]:
                sequential = s_row
        batched["repeats"] = sequential["repeats"] = args.repeats
        user_speedup = sequential["per_message_ms"] / batched["per_message_ms"]

        say("LLM judge: batched and one at a time ...")
        judge = judge_rows(timed, dialogues, args.turns - 1, args.repeats)
        judge_speedup = (judge[1]["per_verdict_ms"] / judge[0]["per_verdict_ms"]
                         if isinstance(judge, list) else None)

        say("overhead ...")
        overhead = [overhead_env(timed, args.overhead_steps, None, args.seed, args.max_new_tokens)]
        assistant_note = ""
        try:
            from agents.llm_agent import LLMAssistantAgent

            agent = LLMAssistantAgent(timed, max_new_tokens=args.max_new_tokens, seed=args.seed)
            overhead.append(overhead_env(timed, args.overhead_steps, agent, args.seed, args.max_new_tokens))
        except ImportError as exc:
            assistant_note = f"LLM assistant skipped: agents.llm_agent not importable ({exc})"
        except Exception as exc:  # noqa: BLE001 - someone else's module, possibly mid-edit
            assistant_note = f"LLM assistant skipped: {type(exc).__name__}: {exc}"
        overhead.append(overhead_batched(batched))

    result = {
        "config": {"n": args.n, "turns": args.turns, "max_new_tokens": args.max_new_tokens,
                   "model": "tiny random Llama (2 layers, hidden 32), CPU float32",
                   "torch_threads": torch.get_num_threads(), "python": platform.python_version(),
                   "machine": platform.machine(), "cpus": os.cpu_count()},
        "user_simulator": {"batched": batched, "sequential": sequential, "speedup": user_speedup,
                           "target_speedup": 4.0},
        "judge": ({"batched": judge[0], "sequential": judge[1], "speedup": judge_speedup}
                  if isinstance(judge, list) else {"note": judge}),
        "overhead": {"rows": overhead, "target_share": 0.05, "note": assistant_note},
    }
    print_tables(result)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_llm.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out / 'bench_llm.json'}")
    return result


def print_tables(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 120))
    cfg = result["config"]
    t = Table(title=f"Batched vs one at a time ({cfg['n']} conversations, tiny model, CPU)")
    for col in ("component", "mode", "items", "backend calls", "wall s", "generate s", "ms / item", "speed-up"):
        t.add_column(col)
    us = result["user_simulator"]
    for key in ("batched", "sequential"):
        r = us[key]
        t.add_row("LLM user", key, str(r["user_messages"]), str(r["backend_calls"]), f"{r['wall_s']:.2f}",
                  f"{r['generate_s']:.2f}", f"{r['per_message_ms']:.1f}",
                  f"{us['speedup']:.1f}x" if key == "batched" else "1.0x")
    j = result["judge"]
    if "note" in j:
        t.add_row("LLM judge", "-", "-", "-", "-", "-", "-", j["note"])
    else:
        for key in ("batched", "sequential"):
            r = j[key]
            t.add_row("LLM judge", key, str(r["verdicts"]), str(r["backend_calls"]), f"{r['wall_s']:.2f}",
                      f"{r['generate_s']:.2f}", f"{r['per_verdict_ms']:.1f}",
                      f"{j['speedup']:.1f}x" if key == "batched" else "1.0x")
    console.print(t)
    o = Table(title="Time outside backend.generate (target < 5% of step time)")
    for col in ("setup", "steps", "step ms", "generate ms", "env outside generate ms",
                "outside generate share", "env-only share"):
        o.add_column(col)
    for r in result["overhead"]["rows"]:
        o.add_row(r["setup"], str(r["steps"]), f"{r['step_ms']:.1f}", f"{r['generate_ms']:.1f}",
                  f"{r['env_outside_generate_ms']:.2f}", f"{100 * r['outside_generate_share']:.2f}%",
                  f"{100 * r['env_outside_generate_share']:.2f}%")
    console.print(o)
    if result["overhead"]["note"]:
        console.print(result["overhead"]["note"])


if __name__ == "__main__":
    main()
