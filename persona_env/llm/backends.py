"""Chat backends: one small, batched interface over local ``transformers`` models and
OpenAI-compatible HTTP servers (vLLM, llama.cpp, TGI, :mod:`persona_env.llm.server`, ...).

Every backend has a ``name`` and ``generate(chats, *, max_new_tokens, temperature, seed)``: a
list of chats (each a list of ``{"role": ..., "content": ...}`` messages) in, one completion
string per chat out, in the same order. ``temperature == 0`` means greedy decoding.

Heavy dependencies (``torch``, ``transformers``, ``openai``) are imported lazily, when a backend
is constructed, so importing this module costs nothing.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "BACKEND_KINDS",
    "ChatBackend",
    "LLMBackendError",
    "OpenAICompatibleBackend",
    "TransformersBackend",
    "make_backend",
    "validate_chats",
]

Chat = Sequence[Mapping[str, str]]


class LLMBackendError(RuntimeError):
    """A backend could not load its model or produce completions.

    ``url`` (HTTP backends) and ``attempts`` (how many times the failing request was tried)
    are set where they apply.
    """

    def __init__(self, message: str, *, url: str | None = None, attempts: int | None = None):
        super().__init__(message)
        self.url = url
        self.attempts = attempts


@runtime_checkable
class ChatBackend(Protocol):
    """What the environment's LLM users, assistants and judges need from a language model."""

    name: str

    def generate(
        self,
        chats: Sequence[Sequence[dict[str, str]]],
        *,
        max_new_tokens: int = 128,
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> list[str]:
        """One completion per chat, in order; greedy when ``temperature == 0``."""
        ...


def validate_chats(chats: Sequence[Chat]) -> list[list[dict[str, str]]]:
    """Check the chats' shape and return plain ``{"role", "content"}`` dict copies.

    Raises ``TypeError``/``ValueError`` naming the offending chat and message.
    """
    if isinstance(chats, (str, bytes, Mapping)):
        raise TypeError("chats must be a sequence of chats (each a sequence of messages), "
                        f"got {type(chats).__name__}")
    out: list[list[dict[str, str]]] = []
    for i, chat in enumerate(chats):
        if isinstance(chat, (str, bytes, Mapping)):
            raise TypeError(f"chat {i} must be a sequence of messages, got {type(chat).__name__} "
                            "(pass a list of chats, not a single chat)")
        if len(chat) == 0:
            raise ValueError(f"chat {i} has no messages")
        messages = []
        for j, message in enumerate(chat):
            if not isinstance(message, Mapping) or "role" not in message or "content" not in message:
                raise ValueError(f"chat {i}, message {j}: expected a mapping with 'role' and "
                                 f"'content', got {message!r}")
            role, content = message["role"], message["content"]
            if not isinstance(role, str) or not isinstance(content, str):
                raise TypeError(f"chat {i}, message {j}: 'role' and 'content' must be strings")
            messages.append({"role": role, "content": content})
        out.append(messages)
    return out


def _check_generation_args(max_new_tokens: int, temperature: float) -> None:
    if int(max_new_tokens) < 1:
        raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
    if not (temperature >= 0.0) or math.isinf(temperature):
        raise ValueError(f"temperature must be a finite number >= 0, got {temperature}")


# ---------------------------------------------------------------------------------------------
# Local transformers models
# ---------------------------------------------------------------------------------------------

_DTYPES = ("auto", "float32", "float16", "bfloat16", "float64")


def _resolve_dtype(dtype: Any):
    """``None``/"auto" pass through; names and torch dtypes become torch dtypes."""
    import torch

    if dtype is None or dtype == "auto" or isinstance(dtype, torch.dtype):
        return dtype
    names = {"float32": torch.float32, "fp32": torch.float32, "float": torch.float32,
             "float16": torch.float16, "fp16": torch.float16, "half": torch.float16,
             "bfloat16": torch.bfloat16, "bf16": torch.bfloat16, "float64": torch.float64}
    key = str(dtype).lower().removeprefix("torch.")
    if key not in names:
        raise ValueError(f"unknown dtype {dtype!r}; expected one of {_DTYPES} or a torch.dtype")
    return names[key]


def _resolve_device(device: Any):
    import torch

    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def _load_error_hint(model: str) -> str:
    try:
        from huggingface_hub import constants as hub_constants

        offline = bool(getattr(hub_constants, "HF_HUB_OFFLINE", False))
    except Exception:  # pragma: no cover
        offline = bool(os.environ.get("HF_HUB_OFFLINE"))
    local = Path(model).expanduser()
    looks_local = model.startswith((".", "/", "~", "\\")) or local.exists()
    if looks_local and not local.exists():
        return "no such file or directory"
    if offline and not local.is_dir():
        return ("HF_HUB_OFFLINE is set and it is not a local directory nor in the local cache: "
                "set a local path or unset HF_HUB_OFFLINE")
    return "expected a local directory with config.json and tokenizer files, or a hub id"


class TransformersBackend:
    """A local Hugging Face causal LM with a chat template, generating in batches.

    ``model`` is a hub id or a local directory (the same code path: ``from_pretrained``).
    Prompts are built with the tokenizer's chat template (``add_generation_prompt=True``),
    left-padded, and generated in chunks of ``max_batch_size``. Greedy when
    ``temperature == 0``; otherwise sampling, reproducible for a given ``seed`` (the global
    torch RNG state is restored afterwards). Only the new tokens are decoded (special tokens
    skipped, surrounding whitespace stripped).
    """

    def __init__(
        self,
        model: str | os.PathLike,
        device: Any = "cpu",
        dtype: Any = "float32",
        max_batch_size: int = 16,
        trust_remote_code: bool = False,
        name: str | None = None,
    ):
        import torch  # noqa: F401  (fail here, clearly, when torch is missing)
        import transformers
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if int(max_batch_size) < 1:
            raise ValueError(f"max_batch_size must be >= 1, got {max_batch_size}")
        self.model_id = os.fspath(model)
        self.device = _resolve_device(device)
        self.max_batch_size = int(max_batch_size)
        self.name = name or f"transformers:{self.model_id}"
        torch_dtype = _resolve_dtype(dtype)

        load_kwargs: dict[str, Any] = {"trust_remote_code": trust_remote_code}
        if torch_dtype is not None:
            major = int(transformers.__version__.split(".")[0])
            minor = int(transformers.__version__.split(".")[1])
            key = "dtype" if (major, minor) >= (4, 56) else "torch_dtype"
            load_kwargs[key] = torch_dtype
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(
                self.model_id, trust_remote_code=trust_remote_code)
            self.model = AutoModelForCausalLM.from_pretrained(self.model_id, **load_kwargs)
        except Exception as exc:  # OSError, ValueError, EnvironmentError, hub errors, ...
            raise LLMBackendError(
                f"could not load model {self.model_id!r}: {type(exc).__name__}: "
                f"{_first_line(exc)} ({_load_error_hint(self.model_id)})") from exc
        self.model.to(self.device)
        self.model.eval()

        tok = self.tokenizer
        tok.padding_side = "left"
        if tok.pad_token_id is None:
            if tok.eos_token is None:
                raise LLMBackendError(f"model {self.model_id!r}: the tokenizer has neither a pad "
                                      "nor an eos token; cannot pad batches")
            tok.pad_token = tok.eos_token
        self._has_template = bool(getattr(tok, "chat_template", None))
        self._lock = threading.Lock()  # generate() may be called from several threads (server)

    def __repr__(self) -> str:
        return (f"TransformersBackend({self.model_id!r}, device={str(self.device)!r}, "
                f"max_batch_size={self.max_batch_size})")

    def render(self, chat: Chat) -> str:
        """The prompt text for one chat (chat template with the generation prompt)."""
        messages = validate_chats([chat])[0]
        if self._has_template:
            text = self.tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, tokenize=False)
            if not isinstance(text, str):  # very old/new versions may hand back a list
                text = text[0] if isinstance(text, list) else str(text)
            return text
        warnings.warn(f"model {self.model_id!r} has no chat template; using a plain "
                      "'role: content' prompt", RuntimeWarning, stacklevel=3)
        lines = [f"{m['role']}: {m['content']}" for m in messages]
        return "\n".join(lines) + "\nassistant:"

    def generate(
        self,
        chats: Sequence[Sequence[dict[str, str]]],
        *,
        max_new_tokens: int = 128,
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> list[str]:
        import torch  # noqa: F401  (fail here, clearly, when torch is missing)

        _check_generation_args(max_new_tokens, temperature)
        chats = validate_chats(chats)
        if not chats:
            return []
        prompts = [self.render(chat) for chat in chats]
        greedy = temperature == 0.0
        out: list[str] = []
        with self._lock:
            devices = [self.device] if self.device.type == "cuda" else []
            with torch.random.fork_rng(devices=devices, enabled=seed is not None):
                if seed is not None:
                    torch.manual_seed(int(seed))
                for start in range(0, len(prompts), self.max_batch_size):
                    chunk = prompts[start:start + self.max_batch_size]
                    out.extend(self._generate_chunk(chunk, int(max_new_tokens), greedy, temperature))
        return out

    def _generate_chunk(self, prompts: list[str], max_new_tokens: int, greedy: bool,
                        temperature: float) -> list[str]:
        import torch  # noqa: F401  (fail here, clearly, when torch is missing)

        tok = self.tokenizer
        # the chat template already wrote any BOS it wants: add no special tokens again
        enc = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        enc = {k: v.to(self.device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
        gen_kwargs: dict[str, Any] = {
            "max_new_tokens": max_new_tokens,
            "pad_token_id": tok.pad_token_id,
            "do_sample": not greedy,
        }
        if greedy:  # neutralise sampling defaults from the model's generation_config
            gen_kwargs.update(temperature=None, top_p=None, top_k=None)
        else:
            gen_kwargs.update(temperature=float(temperature), top_p=1.0, top_k=0)
        with torch.inference_mode():
            output = self.model.generate(**enc, **gen_kwargs)
        new_tokens = output[:, enc["input_ids"].shape[1]:]
        texts = tok.batch_decode(new_tokens, skip_special_tokens=True)
        return [t.strip() for t in texts]


def _first_line(exc: BaseException, limit: int = 300) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else ""
    return line if len(line) <= limit else line[:limit] + "..."


# ---------------------------------------------------------------------------------------------
# OpenAI-compatible HTTP servers
# ---------------------------------------------------------------------------------------------


class OpenAICompatibleBackend:
    """Chat completions from an OpenAI-compatible server (``POST {base_url}/chat/completions``).

    A batch's chats are sent concurrently (``concurrency`` threads) and answers come back in
    order. Each request is tried up to ``max_retries`` times in all (the first try included)
    on connection errors, timeouts, 429 and 5xx answers, sleeping ``backoff * 2**k`` seconds
    between tries; other 4xx answers fail at once. Each try is bounded by ``timeout`` seconds,
    so a call returns or raises :class:`LLMBackendError` within about
    ``max_retries * timeout + backoff * (2**max_retries - 1)`` seconds.
    ``seed`` is forwarded (servers may ignore it).
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "EMPTY",
        timeout: float = 30.0,
        max_retries: int = 3,
        concurrency: int = 8,
        backoff: float = 0.5,
        name: str | None = None,
    ):
        import openai

        if timeout is None or not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        if int(max_retries) < 1:
            raise ValueError(f"max_retries (attempts per request) must be >= 1, got {max_retries}")
        if int(concurrency) < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}")
        if backoff < 0:
            raise ValueError(f"backoff must be >= 0, got {backoff}")
        self.base_url = str(base_url).rstrip("/")
        self.model = model
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.concurrency = int(concurrency)
        self.backoff = float(backoff)
        self.name = name or f"openai:{model}@{self.base_url}"
        self._openai = openai
        self.client = openai.OpenAI(base_url=self.base_url, api_key=api_key or "EMPTY",
                                    timeout=self.timeout, max_retries=0)

    def __repr__(self) -> str:
        return f"OpenAICompatibleBackend({self.base_url!r}, model={self.model!r})"

    def close(self) -> None:
        self.client.close()

    def generate(
        self,
        chats: Sequence[Sequence[dict[str, str]]],
        *,
        max_new_tokens: int = 128,
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> list[str]:
        _check_generation_args(max_new_tokens, temperature)
        chats = validate_chats(chats)
        if not chats:
            return []
        kwargs = {"max_tokens": int(max_new_tokens), "temperature": float(temperature)}
        if seed is not None:
            kwargs["seed"] = int(seed)
        if len(chats) == 1:
            return [self._complete(chats[0], kwargs)]
        # hard bound on the whole call, on top of the per-try timeout of the HTTP client
        budget = self.max_retries * (self.timeout + 1.0) + self.backoff * (2 ** self.max_retries)
        pool = ThreadPoolExecutor(max_workers=min(self.concurrency, len(chats)),
                                  thread_name_prefix="openai-backend")
        try:
            futures = [pool.submit(self._complete, chat, kwargs) for chat in chats]
            deadline = time.monotonic() + budget
            results = []
            for future in futures:
                try:
                    results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
                except FutureTimeoutError:
                    raise LLMBackendError(
                        f"no answer from {self.base_url} within {budget:.1f} s",
                        url=self.base_url) from None
            return results
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    # -- one request -----------------------------------------------------------------------

    def _complete(self, messages: list[dict[str, str]], kwargs: dict[str, Any]) -> str:
        openai = self._openai
        last: BaseException | None = None
        for attempt in range(1, self.max_retries + 1):
            try:
                raw = self.client.chat.completions.with_raw_response.create(
                    model=self.model, messages=messages, **kwargs)
            except (openai.APITimeoutError, openai.APIConnectionError) as exc:
                # (APITimeoutError is a subclass of APIConnectionError)
                last = exc
            except openai.APIStatusError as exc:
                status = exc.status_code
                if status == 429 or status >= 500:
                    last = exc
                else:
                    raise LLMBackendError(
                        f"{self.base_url} refused the request: HTTP {status}: "
                        f"{_first_line(exc)}", url=self.base_url, attempts=attempt) from exc
            except openai.APIResponseValidationError as exc:
                raise LLMBackendError(f"malformed response from {self.base_url}: "
                                      f"{_first_line(exc)}", url=self.base_url,
                                      attempts=attempt) from exc
            else:
                return self._parse(raw, attempt)
            if attempt < self.max_retries and self.backoff > 0:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        assert last is not None
        if isinstance(last, openai.APIStatusError):
            what = f"server error from {self.base_url}"
        elif isinstance(last, openai.APITimeoutError):
            what = f"timed out ({self.timeout:g} s) waiting for {self.base_url}"
        else:
            what = f"could not reach {self.base_url}"
        raise LLMBackendError(
            f"{what} after {self.max_retries} attempt{'s' if self.max_retries != 1 else ''}: "
            f"{type(last).__name__}: {_first_line(last) or type(last).__name__}",
            url=self.base_url, attempts=self.max_retries) from last

    def _parse(self, raw: Any, attempt: int) -> str:
        http = getattr(raw, "http_response", raw)
        try:
            body = http.text
        except Exception as exc:  # pragma: no cover - broken transport
            raise LLMBackendError(f"malformed response from {self.base_url}: unreadable body "
                                  f"({exc})", url=self.base_url, attempts=attempt) from exc
        try:
            data = json.loads(body)
        except ValueError:
            raise LLMBackendError(f"malformed response from {self.base_url}: not JSON: "
                                  f"{body[:200]!r}", url=self.base_url, attempts=attempt) from None
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise LLMBackendError(f"malformed response from {self.base_url}: no "
                                  f"choices[0].message.content in {body[:200]!r}",
                                  url=self.base_url, attempts=attempt) from None
        if content is None:  # e.g. a refusal or a tool call: no text
            return ""
        if not isinstance(content, str):
            raise LLMBackendError(f"malformed response from {self.base_url}: message content "
                                  f"is {type(content).__name__}, not a string",
                                  url=self.base_url, attempts=attempt)
        return content


# ---------------------------------------------------------------------------------------------
# Factory
# ---------------------------------------------------------------------------------------------

BACKEND_KINDS = ("transformers", "openai")


def make_backend(spec: Mapping[str, Any] | str) -> ChatBackend:
    """Build a backend from a spec.

    * ``{"kind": "transformers", "model": PATH_OR_ID, ...}`` -> :class:`TransformersBackend`
      (other keys: ``device``, ``dtype``, ``max_batch_size``, ``trust_remote_code``, ``name``);
    * ``{"kind": "openai", "base_url": URL, "model": NAME, ...}`` ->
      :class:`OpenAICompatibleBackend` (other keys: ``api_key``, ``timeout``, ``max_retries``,
      ``concurrency``, ``backoff``, ``name``);
    * a string: a JSON object of the above, ``"http://..."``/``"https://..."`` (an OpenAI
      server; add ``#MODEL`` to name the model, default ``"default"``), or
      ``"transformers:PATH_OR_ID"`` / ``"openai:URL#MODEL"``; any other string is taken as
      a transformers model path or hub id.
    """
    if isinstance(spec, str):
        spec = _parse_spec_string(spec)
    if not isinstance(spec, Mapping):
        raise TypeError(f"backend spec must be a mapping or a string, got {type(spec).__name__}")
    params = dict(spec)
    kind = params.pop("kind", None)
    if kind not in BACKEND_KINDS:
        raise ValueError(f"unknown backend kind {kind!r}; expected one of {list(BACKEND_KINDS)}")
    if kind == "transformers":
        if "model" not in params:
            raise ValueError("a 'transformers' backend spec needs 'model' (a local path or hub id)")
        return TransformersBackend(**params)
    missing = [k for k in ("base_url", "model") if k not in params]
    if missing:
        raise ValueError(f"an 'openai' backend spec needs {missing}")
    return OpenAICompatibleBackend(**params)


def _parse_spec_string(text: str) -> dict[str, Any]:
    text = text.strip()
    if text.startswith("{"):
        return json.loads(text)
    if text.startswith("openai:"):
        text = text[len("openai:"):]
        url, _, model = text.partition("#")
        return {"kind": "openai", "base_url": url, "model": model or "default"}
    if text.startswith(("http://", "https://")):
        url, _, model = text.partition("#")
        return {"kind": "openai", "base_url": url, "model": model or "default"}
    if text.startswith("transformers:"):
        return {"kind": "transformers", "model": text[len("transformers:"):]}
    return {"kind": "transformers", "model": text}
