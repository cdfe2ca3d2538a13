"""A tiny, offline chat model for tests: :func:`build_tiny_chat_model`.

The model is a 2-layer Llama-architecture causal LM (hidden size 32) with a byte-level BPE
tokenizer trained on a small built-in English corpus (the simulated user's phrasings from
:mod:`persona_env.lexicon` plus a few assistant-style sentences) and a Jinja chat template::

    <|system|>...<|end|><|user|>...<|end|><|assistant|>...<|end|>

Both are written with ``save_pretrained``, so the directory loads back through
``AutoTokenizer.from_pretrained`` / ``AutoModelForCausalLM.from_pretrained`` exactly like a
real checkpoint (and therefore through :class:`persona_env.llm.TransformersBackend`). The
weights are random but seeded, so the text it writes is word-piece gibberish, the same on
every build. Nothing is downloaded.

Building takes well under a second once ``transformers`` is imported; a directory that
already holds a model built with the same parameters is reused (see ``tiny_model_info.json``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["CHAT_TEMPLATE", "SPECIAL_TOKENS", "build_tiny_chat_model", "tiny_corpus"]

#: Special tokens of the tiny tokenizer (ids 0..len-1, in this order).
SPECIAL_TOKENS = ("<|pad|>", "<|bos|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>")

#: Jinja chat template of the tiny tokenizer.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "<|{{ message['role'] }}|>{{ message['content'] | trim }}<|end|>"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)

_FORMAT_VERSION = 1

_ASSISTANT_SENTENCES = (
    "Hello! How can I help you today?",
    "That sounds lovely, tell me more about it.",
    "Could you tell me a little about yourself?",
    "What do you usually do in your free time?",
    "Here are a few ideas you might enjoy.",
    "I would suggest a short walk and a cup of tea.",
    "A quiet weekend away could be just the thing.",
    "Have you thought about trying a cooking class?",
    "I'm sorry to hear that. Is there anything I can do?",
    "Thanks for sharing, that helps me understand.",
    "Let me know if you would like more suggestions.",
    "What kind of music do you like?",
    "Do you prefer staying in or going out?",
    "How old are you, if you don't mind me asking?",
    "What do you do for a living?",
    "Where do you live at the moment?",
    "Do you have any dietary requirements?",
    "Is there anything you would rather avoid?",
    "A budget-friendly option would be a picnic in the park.",
    "You could try a new recipe this weekend.",
    "Reading a good book is always a nice way to relax.",
    "Maybe a board game night with friends?",
    "That is a great question.",
    "I hope that helps!",
    "Sure, here is another idea.",
    "Of course, happy to help.",
)


def tiny_corpus() -> list[str]:
    """The built-in training text: lexicon phrasings plus assistant-style sentences."""
    sentences: list[str] = []
    try:  # the lexicon is the project's own data; fall back gracefully if it is being edited
        from persona_env import lexicon

        sentences.extend(lexicon.all_phrasings())
        for group in (getattr(lexicon, "REACTIONS", {}), getattr(lexicon, "DRIFT_ANNOUNCEMENTS", {})):
            for phrasings in group.values():
                sentences.extend(str(p) for p in phrasings)
        sentences.extend(str(p) for p in getattr(lexicon, "DEFLECTIONS", ()))
    except Exception:  # pragma: no cover - only when the lexicon is broken
        pass
    sentences.extend(_ASSISTANT_SENTENCES)
    return [s for s in sentences if isinstance(s, str) and s.strip()]


def _train_tokenizer(corpus: list[str], vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|bos|>",
        eos_token="<|end|>",
        pad_token="<|pad|>",
        additional_special_tokens=["<|system|>", "<|user|>", "<|assistant|>"],
        clean_up_tokenization_spaces=False,
        model_max_length=512,
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_tiny_chat_model(
    path: str | os.PathLike,
    *,
    vocab_size: int = 512,
    hidden_size: int = 32,
    num_layers: int = 2,
    num_heads: int = 2,
    seed: int = 0,
    overwrite: bool = False,
) -> Path:
    """Build (or reuse) a tiny chat model in directory ``path`` and return ``Path(path)``.

    The weights are random (``torch.manual_seed(seed)``, the global RNG state is left as it
    was); the output-embedding rows of the control tokens (except ``<|end|>``) and of the
    unprintable raw bytes are zeroed, so generations are word-piece gibberish rather than
    control tokens. A directory whose ``tiny_model_info.json`` matches these parameters is
    reused unless ``overwrite``.
    """
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    path = Path(path)
    info = {
        "format_version": _FORMAT_VERSION,
        "vocab_size": vocab_size,
        "hidden_size": hidden_size,
        "num_layers": num_layers,
        "num_heads": num_heads,
        "seed": seed,
    }
    info_file = path / "tiny_model_info.json"
    if not overwrite and info_file.is_file() and (path / "config.json").is_file():
        try:
            if json.loads(info_file.read_text(encoding="utf-8")) == info:
                return path
        except (OSError, ValueError):
            pass

    tokenizer = _train_tokenizer(tiny_corpus() + list(SPECIAL_TOKENS), vocab_size)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 2,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_heads,
        max_position_embeddings=1024,
        rms_norm_eps=1e-6,
        initializer_range=0.2,  # larger than usual: decisive logits, context-dependent output
        tie_word_embeddings=False,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
    with torch.no_grad():
        model.lm_head.weight[_quiet_tokens(tokenizer)] = 0.0
    model.eval()
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        do_sample=False,
    )

    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    info_file.write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    return path


def _quiet_tokens(tokenizer) -> list[int]:
    """Ids the untrained model should (practically) never emit: control tokens, raw odd bytes."""
    from tokenizers import pre_tokenizers

    byte_alphabet = set(pre_tokenizers.ByteLevel.alphabet())
    printable = {chr(c) for c in range(0x21, 0x7F)} | {"\u0120"}  # ASCII + the byte-level space
    out = [tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS if t != "<|end|>"]
    for token, idx in tokenizer.get_vocab().items():
        if len(token) == 1 and token in byte_alphabet and token not in printable:
            out.append(idx)
    return sorted(set(out))
