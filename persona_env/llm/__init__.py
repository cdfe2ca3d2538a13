"""LLM backends for the simulated user, the assistant and the judges.

One small, batched interface, :class:`ChatBackend`::

    backend.generate(chats, max_new_tokens=128, temperature=0.0, seed=None) -> list[str]

(``chats``: a list of chats, each a list of ``{"role", "content"}`` messages; one completion
per chat comes back, in order), with two implementations:

* :class:`TransformersBackend` -- a local Hugging Face model (hub id or local directory),
  chat template, left-padded batched ``generate``;
* :class:`OpenAICompatibleBackend` -- any OpenAI-compatible server (vLLM, llama.cpp, TGI, or
  :mod:`persona_env.llm.server`), concurrent requests, retries with backoff.

:func:`make_backend` builds either from a spec (``{"kind": "transformers", "model": ...}`` /
``{"kind": "openai", "base_url": ..., "model": ...}``); :func:`build_tiny_chat_model` writes a
tiny offline test model. ``torch``/``transformers``/``openai`` are imported only when a backend
is built (``pip install persona-env[llm]``).
"""

from persona_env.llm.backends import (
    BACKEND_KINDS,
    ChatBackend,
    LLMBackendError,
    OpenAICompatibleBackend,
    TransformersBackend,
    make_backend,
    validate_chats,
)
from persona_env.llm.tiny import build_tiny_chat_model

__all__ = [
    "BACKEND_KINDS",
    "ChatBackend",
    "LLMBackendError",
    "OpenAICompatibleBackend",
    "TransformersBackend",
    "build_tiny_chat_model",
    "make_backend",
    "validate_chats",
]
