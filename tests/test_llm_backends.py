"""LLM backends: the tiny offline model, batched local generation, the OpenAI-compatible HTTP
backend against a loopback server, and its failure modes (down, slow, malformed, 5xx).

Everything is offline and on 127.0.0.1; the tiny model is built once per module.
"""

import os
import socket
import time

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")
pytest.importorskip("openai")

from persona_env.llm import (  # noqa: E402
    BACKEND_KINDS,
    ChatBackend,
    LLMBackendError,
    OpenAICompatibleBackend,
    TransformersBackend,
    build_tiny_chat_model,
    make_backend,
)
from persona_env.llm.server import ChatCompletionServer  # noqa: E402

NEW = 12  # max_new_tokens: short generations keep the module fast

CHATS = [
    [{"role": "system", "content": "You are a helpful assistant."},
     {"role": "user", "content": "Another night shift on the ward, what should I cook after it?"}],
    [{"role": "user", "content": "Hi!"}],
    [{"role": "user", "content": "I like jazz."},
     {"role": "assistant", "content": "Lovely. Anything else?"},
     {"role": "user", "content": "Suggest something for the weekend, I'm on a tight budget."}],
    [{"role": "user", "content": "x"}],
]


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    return build_tiny_chat_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="module")
def local(tiny_path):
    return TransformersBackend(tiny_path, device="cpu", dtype="float32", max_batch_size=16)


@pytest.fixture(scope="module")
def server(local):
    with ChatCompletionServer(local, model_name="tiny") as srv:
        yield srv


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# the tiny model and the local backend
# ---------------------------------------------------------------------------------------------


def test_tiny_model_loads_through_from_pretrained(tiny_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    assert (tiny_path / "config.json").is_file()
    tok = AutoTokenizer.from_pretrained(tiny_path)
    model = AutoModelForCausalLM.from_pretrained(tiny_path)
    assert model.config.model_type == "llama"
    assert model.config.vocab_size == len(tok)
    assert tok.chat_template and tok.eos_token == "<|end|>"
    prompt = tok.apply_chat_template([{"role": "user", "content": "Hello there"}],
                                     add_generation_prompt=True, tokenize=False)
    assert prompt == "<|user|>Hello there<|end|><|assistant|>"
    # the BPE was trained on English: a common sentence takes far fewer tokens than bytes
    ids = tok("I turned twenty last spring.", add_special_tokens=False)["input_ids"]
    assert len(ids) < 0.75 * len("I turned twenty last spring.")
    # a second build with the same parameters reuses the directory
    t0 = time.perf_counter()
    assert build_tiny_chat_model(tiny_path) == tiny_path
    assert time.perf_counter() - t0 < 0.5


def test_backend_satisfies_protocol(local):
    assert isinstance(local, ChatBackend)
    assert "tiny" in local.name or str(local.model_id) in local.name


def test_batched_generation_one_string_per_chat(local):
    out = local.generate(CHATS, max_new_tokens=NEW)
    assert isinstance(out, list) and len(out) == len(CHATS)
    assert all(isinstance(s, str) for s in out)
    assert any(s for s in out)  # the tiny model writes something
    assert local.generate([], max_new_tokens=NEW) == []


def test_greedy_is_deterministic(local):
    a = local.generate(CHATS, max_new_tokens=NEW, temperature=0.0)
    b = local.generate(CHATS, max_new_tokens=NEW, temperature=0.0, seed=123)
    assert a == b


def test_sampling_same_seed_same_text(local):
    state = torch.get_rng_state()
    a = local.generate(CHATS, max_new_tokens=NEW, temperature=1.0, seed=7)
    b = local.generate(CHATS, max_new_tokens=NEW, temperature=1.0, seed=7)
    c = local.generate(CHATS, max_new_tokens=NEW, temperature=1.0, seed=8)
    assert a == b
    assert a != c
    assert torch.equal(torch.get_rng_state(), state)  # the global RNG is left alone


def test_batch_equals_one_at_a_time_for_greedy(local):
    batched = local.generate(CHATS, max_new_tokens=NEW)
    single = [local.generate([chat], max_new_tokens=NEW)[0] for chat in CHATS]
    assert batched == single
    old = local.max_batch_size
    try:
        local.max_batch_size = 3  # chunks of 3 + 1
        assert local.generate(CHATS, max_new_tokens=NEW) == batched
    finally:
        local.max_batch_size = old


def test_left_padding(local):
    tok = local.tokenizer
    assert tok.padding_side == "left" and tok.pad_token_id is not None
    prompts = [local.render(CHATS[1]), local.render(CHATS[0])]
    enc = tok(prompts, padding=True, add_special_tokens=False, return_tensors="pt")
    mask = enc["attention_mask"]
    assert mask[0, 0] == 0 and mask[0, -1] == 1  # the short prompt is padded on the left
    assert bool(mask[1].all())


def test_bad_chats_are_rejected(local):
    with pytest.raises(TypeError, match="list of chats"):
        local.generate(CHATS[1], max_new_tokens=NEW)  # one chat, not a list of chats
    with pytest.raises(ValueError, match="role"):
        local.generate([[{"text": "hi"}]], max_new_tokens=NEW)
    with pytest.raises(ValueError):
        local.generate(CHATS, max_new_tokens=0)


def test_offline_hub_id_fails_fast_naming_it(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    model_id = "persona-env-tests/definitely-not-cached-model"
    t0 = time.perf_counter()
    with pytest.raises(LLMBackendError) as info:
        TransformersBackend(model_id)
    assert time.perf_counter() - t0 < 10
    message = str(info.value)
    assert model_id in message and "HF_HUB_OFFLINE" in message


def test_missing_local_path_names_it(tmp_path):
    missing = tmp_path / "no_model_here"
    with pytest.raises(LLMBackendError, match="no_model_here"):
        TransformersBackend(missing)


# ---------------------------------------------------------------------------------------------
# the OpenAI-compatible backend against a loopback server
# ---------------------------------------------------------------------------------------------


def test_http_backend_matches_local_greedy(local, server):
    assert server.url.startswith("http://127.0.0.1:")
    remote = OpenAICompatibleBackend(server.url, model="tiny", timeout=20, concurrency=4)
    try:
        assert isinstance(remote, ChatBackend)
        assert remote.generate(CHATS, max_new_tokens=NEW) == local.generate(CHATS, max_new_tokens=NEW)
        models = remote.client.models.list()
        assert [m.id for m in models.data] == ["tiny"]
    finally:
        remote.close()


def test_server_down_raises_after_counted_retries():
    url = f"http://127.0.0.1:{free_port()}/v1"
    remote = OpenAICompatibleBackend(url, model="tiny", timeout=2.0, max_retries=3, backoff=0.05)
    t0 = time.perf_counter()
    with pytest.raises(LLMBackendError) as info:
        remote.generate(CHATS[:2], max_new_tokens=NEW)
    elapsed = time.perf_counter() - t0
    assert elapsed < 5
    assert elapsed >= 0.05 + 0.1  # the two backoff sleeps happened
    assert info.value.attempts == 3
    assert f"could not reach {url} after 3 attempts" in str(info.value)


def test_slow_server_times_out(local):
    with ChatCompletionServer(local, delay_s=30) as slow:
        remote = OpenAICompatibleBackend(slow.url, model="tiny", timeout=0.3, max_retries=2,
                                         backoff=0.01)
        t0 = time.perf_counter()
        with pytest.raises(LLMBackendError, match="timed out") as info:
            remote.generate(CHATS[:1], max_new_tokens=NEW)
        assert time.perf_counter() - t0 < 3
        assert info.value.attempts == 2 and slow.requests_served == 2


@pytest.mark.parametrize("mode", [True, "no_choices"])
def test_malformed_response(local, mode):
    with ChatCompletionServer(local, malformed=mode) as bad:
        remote = OpenAICompatibleBackend(bad.url, model="tiny", timeout=2.0, backoff=0.01)
        with pytest.raises(LLMBackendError, match="malformed"):
            remote.generate(CHATS[:1], max_new_tokens=NEW)


def test_server_errors_are_retried(local):
    with ChatCompletionServer(local, status=503) as failing:
        remote = OpenAICompatibleBackend(failing.url, model="tiny", timeout=2.0, max_retries=3,
                                         backoff=0.01)
        with pytest.raises(LLMBackendError, match="after 3 attempts"):
            remote.generate(CHATS[:1], max_new_tokens=NEW)
        assert failing.requests_served == 3
    with ChatCompletionServer(local, status=400) as refusing:  # 4xx: no retry
        remote = OpenAICompatibleBackend(refusing.url, model="tiny", timeout=2.0, max_retries=3,
                                         backoff=0.01)
        with pytest.raises(LLMBackendError, match="HTTP 400"):
            remote.generate(CHATS[:1], max_new_tokens=NEW)
        assert refusing.requests_served == 1


# ---------------------------------------------------------------------------------------------
# the factory
# ---------------------------------------------------------------------------------------------


def test_make_backend(tiny_path, server):
    with pytest.raises(ValueError) as info:
        make_backend({"kind": "nope"})
    assert all(kind in str(info.value) for kind in BACKEND_KINDS)
    remote = make_backend({"kind": "openai", "base_url": server.url, "model": "tiny",
                           "timeout": 20})
    assert isinstance(remote, OpenAICompatibleBackend)
    assert remote.generate(CHATS[1:2], max_new_tokens=4)[0] == \
        server.backend.generate(CHATS[1:2], max_new_tokens=4)[0]
    assert isinstance(make_backend(server.url + "#tiny"), OpenAICompatibleBackend)
    local = make_backend({"kind": "transformers", "model": str(tiny_path), "max_batch_size": 2})
    assert isinstance(local, TransformersBackend) and local.max_batch_size == 2
