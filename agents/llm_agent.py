"""An LLM playing the assistant: RLPA's output format, with RLPA's prompting baselines.

:class:`LLMAssistantAgent` turns the text env's observation into a chat -- a system prompt asking
for RLPA's format (:data:`SYSTEM_PROMPT`) followed by the conversation, its ``User: ...`` /
``Assistant: ...`` lines split into ``user``/``assistant`` messages -- and asks any
:class:`~persona_env.llm.ChatBackend` for::

    <profile>
    - trait
    ...
    </profile>

    <response>
    ...
    </response>

Prompting (``prompting=``):

``"plain"``
    the system prompt and the conversation.
``"reminder"``
    RLPA's *Reminder* baseline: the newest user message is followed by :data:`REMINDER_TEXT`, a
    reminder to infer the user's implicit preferences from the conversation and use them before
    answering.
``"self_critic"``
    a second call per turn (RLPA's *Self-Critic* baseline): the model critiques its first draft
    against the conversation and writes a revised answer in the same format
    (:data:`CRITIC_PROMPT`). The revision is used when it is well-formed, else the draft when that
    is, else the revision's raw text.

The model's text is parsed with :func:`persona_env.actions.parse_assistant_action`; a well-formed
answer becomes ``{"profile": ..., "reply": ...}``, a malformed one is passed on as the **raw
string**, so the environment applies its format penalty and notes (never an exception).
:meth:`LLMAssistantAgent.act_batch` answers many conversations with one batched backend call
(two for ``"self_critic"``: drafts, then critiques).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from persona_env.actions import parse_assistant_action

__all__ = ["CRITIC_PROMPT", "LLMAssistantAgent", "PROMPTINGS", "REMINDER_TEXT", "SYSTEM_PROMPT",
           "dialogue_to_messages"]

PROMPTINGS = ("plain", "reminder", "self_critic")

#: System prompt: RLPA's format, one inferred trait per line.
SYSTEM_PROMPT = """\
You are a friendly, helpful assistant chatting with a user. The user has a personal profile \
(for example age, occupation, location, family, interests, likes and dislikes, diet, budget) and \
preferences about how you reply (length, formality, emoji, humour, directness). They rarely state \
these outright; they reveal them gradually and implicitly.
At every turn, first write what you have inferred about the user so far, then your reply to the \
user's latest message, exactly in this format:

<profile>
- Slot: value
- Slot: value
</profile>

<response>
your reply to the user
</response>

List one inferred trait per line (for example "- Occupation: nurse", "- Interests: hiking, \
jazz"), only what the conversation supports; leave the profile empty if nothing is known yet. \
Write nothing outside the two blocks."""

#: RLPA's Reminder baseline, appended to the newest user message.
REMINDER_TEXT = (
    "[Reminder: before answering, infer the user's implicit preferences and personal details from "
    "everything they have said so far, including how they reacted to your earlier replies; update "
    "the profile, and make sure your response uses them -- its content, length, tone and style "
    "should suit this particular user.]"
)

#: The self-critic's second call (``{conversation}``, ``{draft}``).
CRITIC_PROMPT = """\
Here is a conversation between a user and an assistant:

{conversation}

The assistant drafted this answer to the user's latest message:

{draft}

Critique the draft: does the profile list only traits the conversation supports, and does it \
miss any the user revealed or implied? Does the response answer the latest message and suit this \
user's preferences (content, length, tone, style)? Then write an improved answer in exactly the \
same format:

<profile>
- Slot: value
</profile>

<response>
the improved reply
</response>"""

_EMPTY_DIALOGUE = "(The user has not said anything yet.)"


def dialogue_to_messages(dialogue: str) -> list[dict[str, str]]:
    """Split the env's dialogue text into ``user``/``assistant`` messages.

    Lines starting ``User: `` or ``Assistant: `` open a message; any other line (a truncation
    marker ``[...]``, a wrapped line) continues the previous message, or is dropped before the
    first one. Consecutive messages of one role are merged, and messages before the first user
    message are dropped (chat templates expect the user to speak first).
    """
    messages: list[dict[str, str]] = []
    for line in str(dialogue).split("\n"):
        if line.startswith("User:"):
            messages.append({"role": "user", "content": line[len("User:"):].strip()})
        elif line.startswith("Assistant:"):
            messages.append({"role": "assistant", "content": line[len("Assistant:"):].strip()})
        elif messages and line.strip():
            messages[-1]["content"] = (messages[-1]["content"] + "\n" + line.strip()).strip()
    while messages and messages[0]["role"] != "user":
        messages.pop(0)
    merged: list[dict[str, str]] = []
    for m in messages:
        if merged and merged[-1]["role"] == m["role"]:
            merged[-1]["content"] = (merged[-1]["content"] + "\n" + m["content"]).strip()
        else:
            merged.append(dict(m))
    return merged


def _transcript(messages: Sequence[Mapping[str, str]]) -> str:
    return "\n".join(f"{'User' if m['role'] == 'user' else 'Assistant'}: {m['content']}" for m in messages)


class LLMAssistantAgent:
    """An LLM assistant in RLPA's format (see the module docstring).

    Args:
        backend: any :class:`~persona_env.llm.ChatBackend`.
        prompting: ``"plain"``, ``"reminder"`` or ``"self_critic"``.
        max_new_tokens, temperature: generation settings of every call.
        seed: base seed; call ``k`` since the last :meth:`reset` uses ``seed + k`` (None: none).
        system_prompt: replaces :data:`SYSTEM_PROMPT`.

    After each :meth:`act`, ``last_outputs`` holds the model's texts (``"draft"`` and, for
    self-critic, ``"revision"``) and which one was used (``"used"``).
    """

    def __init__(self, backend: Any, prompting: str = "plain", max_new_tokens: int = 256,
                 temperature: float = 0.0, seed: int | None = None,
                 system_prompt: str | None = None) -> None:
        if not callable(getattr(backend, "generate", None)):
            raise TypeError(f"backend must implement ChatBackend.generate(chats, ...), got "
                            f"{type(backend).__name__}")
        if prompting not in PROMPTINGS:
            raise ValueError(f"unknown prompting {prompting!r}; expected one of {list(PROMPTINGS)}")
        if int(max_new_tokens) < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
        self.backend = backend
        self.prompting = prompting
        self.max_new_tokens = int(max_new_tokens)
        self.temperature = float(temperature)
        self.system_prompt = SYSTEM_PROMPT if system_prompt is None else str(system_prompt)
        self.name = f"llm-{prompting}"
        self.seed = seed
        self.reset(seed)

    def __repr__(self) -> str:
        return (f"LLMAssistantAgent({getattr(self.backend, 'name', self.backend)!r}, "
                f"prompting={self.prompting!r})")

    # ------------------------------------------------------------------ protocol
    def reset(self, seed: int | None = None) -> None:
        """Forget per-episode state; a given ``seed`` replaces the base seed."""
        if seed is not None:
            self.seed = int(seed)
        self._calls = 0
        self.last_outputs: list[dict[str, str]] = []

    def act(self, observation: Mapping[str, Any]) -> dict[str, str] | str:
        """``{"profile", "reply"}`` for a well-formed answer, else the model's raw text."""
        return self.act_batch([observation])[0]

    def act_batch(self, observations: Sequence[Mapping[str, Any]]) -> list[dict[str, str] | str]:
        """Actions for many conversations: one batched backend call (two for self-critic)."""
        if isinstance(observations, Mapping):
            raise TypeError("act_batch takes a sequence of observations; use act() for one")
        if not observations:
            return []
        chats = [self.build_chat(obs) for obs in observations]
        drafts = self._generate(chats)
        outputs: list[dict[str, str]] = [{"draft": d, "used": "draft"} for d in drafts]
        finals = list(drafts)
        if self.prompting == "self_critic":
            critic_chats = [self.build_critic_chat(obs, d) for obs, d in zip(observations, drafts)]
            revisions = self._generate(critic_chats)
            for k, (draft, revision) in enumerate(zip(drafts, revisions)):
                outputs[k]["revision"] = revision
                if parse_assistant_action(revision).format_ok:
                    finals[k], outputs[k]["used"] = revision, "revision"
                elif parse_assistant_action(draft).format_ok:
                    finals[k], outputs[k]["used"] = draft, "draft"
                else:
                    finals[k], outputs[k]["used"] = revision, "revision"
        self.last_outputs = outputs
        return [self.to_action(text) for text in finals]

    # ------------------------------------------------------------------ prompts
    def messages(self, observation: Mapping[str, Any]) -> list[dict[str, str]]:
        """The conversation of ``observation`` as chat messages (with the reminder, if any)."""
        messages = dialogue_to_messages(str(observation["dialogue"]))
        if not messages:
            messages = [{"role": "user", "content": _EMPTY_DIALOGUE}]
        if self.prompting == "reminder":
            last = max(i for i, m in enumerate(messages) if m["role"] == "user")
            messages[last] = {"role": "user", "content": messages[last]["content"] + "\n\n" + REMINDER_TEXT}
        return messages

    def build_chat(self, observation: Mapping[str, Any]) -> list[dict[str, str]]:
        """System prompt + conversation for one observation."""
        return [{"role": "system", "content": self.system_prompt}] + self.messages(observation)

    def build_critic_chat(self, observation: Mapping[str, Any], draft: str) -> list[dict[str, str]]:
        """The self-critic's critique-and-revise chat for one draft."""
        conversation = _transcript(dialogue_to_messages(str(observation["dialogue"]))) or _EMPTY_DIALOGUE
        content = CRITIC_PROMPT.format(conversation=conversation, draft=draft.strip() or "(empty)")
        return [{"role": "system", "content": self.system_prompt}, {"role": "user", "content": content}]

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def to_action(text: str) -> dict[str, str] | str:
        """Parsed ``{"profile", "reply"}`` if well-formed, else the raw text (format penalty)."""
        parsed = parse_assistant_action(text)
        if parsed.format_ok:
            return {"profile": parsed.profile, "reply": parsed.reply}
        return text

    def _generate(self, chats: list[list[dict[str, str]]]) -> list[str]:
        seed = None if self.seed is None else self.seed + self._calls
        self._calls += 1
        outputs = self.backend.generate(chats, max_new_tokens=self.max_new_tokens,
                                        temperature=self.temperature, seed=seed)
        if not isinstance(outputs, (list, tuple)) or len(outputs) != len(chats):
            got = len(outputs) if isinstance(outputs, (list, tuple)) else type(outputs).__name__
            raise RuntimeError(f"backend {getattr(self.backend, 'name', self.backend)!r} returned "
                               f"{got} completions for {len(chats)} chats")
        return [str(o) for o in outputs]
