"""One full episode with an LLM user, an LLM assistant and LLM judges (Hydra app).

    python experiments/llm_episode.py                        # the tiny offline test model, 3 turns
    python experiments/llm_episode.py backend.model=PATH_OR_HUB_ID max_turns=10
    python experiments/llm_episode.py backend='{kind: openai, base_url: "http://127.0.0.1:8000/v1", model: M}'
    python experiments/llm_episode.py persona=aloe          # the real ALOE personas

Reads top to bottom: build one backend (with ``backend.model: null`` the tiny random Llama the
tests use is built under ``out_dir``), put an LLM user simulator and both LLM judges into the text
env, let an LLM assistant (plain, reminder or self-critic prompting) talk to it for one episode,
and write the transcript with every reward term per turn to ``out_dir/episode.json``. The rule
simulator still keeps the books (truth, rewards, patience); the LLMs speak and judge.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import gymnasium as gym
import hydra
from omegaconf import DictConfig, OmegaConf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's agents/ package

import persona_env  # noqa: E402,F401
from agents.llm_agent import LLMAssistantAgent  # noqa: E402
from persona_env.judges.llm_judge import LLMProfileJudge, LLMResponseJudge  # noqa: E402
from persona_env.llm import build_tiny_chat_model, make_backend  # noqa: E402
from persona_env.llm_user import LLMUserSimulator  # noqa: E402


@hydra.main(version_base="1.3", config_path="../conf", config_name="llm_episode")
def main(cfg: DictConfig) -> float:
    out_dir = Path(cfg.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    # 1. one backend for every role (a local path, a hub id, an OpenAI-compatible server, or the tiny model)
    spec = OmegaConf.to_container(cfg.backend, resolve=True)
    if spec.get("kind", "transformers") == "transformers" and not spec.get("model"):
        spec["model"] = str(build_tiny_chat_model(out_dir / "tiny_model"))
    backend = make_backend(spec)

    # 2. the env: the LLM speaks for the user and judges; the rule simulator keeps the books
    env_kwargs = {"scenario": cfg.scenario, "max_turns": cfg.max_turns,
                  "user_simulator": LLMUserSimulator(backend, max_new_tokens=cfg.user.max_new_tokens,
                                                     temperature=cfg.user.temperature),
                  "llm_judge": LLMResponseJudge(backend, scale=cfg.judge.scale),
                  "llm_profile_judge": LLMProfileJudge(backend)}
    if cfg.persona.pool is not None:
        env_kwargs["pool"] = str(cfg.persona.pool)
    env = gym.make("PersonaDialog-v0", **env_kwargs)

    # 3. the LLM assistant
    agent = LLMAssistantAgent(backend, prompting=cfg.assistant.prompting,
                              max_new_tokens=cfg.assistant.max_new_tokens, seed=cfg.seed)

    # 4. one episode
    obs, info = env.reset(seed=cfg.seed)
    agent.reset(cfg.seed)
    turns, done = [], False
    while not done:
        action = agent.act(obs)
        obs, reward, terminated, truncated, info = env.step(action)
        record = env.unwrapped.records[-1]
        turns.append({"turn": record.turn, "user": record.user_message, "profile": record.profile,
                      "reply": record.reply, "reward": reward, "terms": record.terms, "notes": list(record.notes)})
        done = terminated or truncated
        terms = record.terms
        llm = "missing" if terms["response_llm_missing"] else f"{terms['response_llm']:.2f}"
        print(f"turn {record.turn}: reward {reward:.3f}  profile_f1 {terms['profile_f1']:.2f}  "
              f"response (rule) {terms['response_score']:.2f}  response (LLM) {llm}")

    # 5. the record
    missing = sum(t["terms"]["response_llm_missing"] for t in turns)
    result = {"config": OmegaConf.to_container(cfg, resolve=True), "turns": turns,
              "timeline": info.get("timeline"), "llm_judge_missing": missing,
              "messages": env.unwrapped.messages}
    (out_dir / "episode.json").write_text(json.dumps(result, indent=2, default=str))
    print(f"{len(turns)} turns; LLM judge verdicts missing: {missing:.0f}; wrote {out_dir / 'episode.json'}")
    return float(sum(t["reward"] for t in turns))


if __name__ == "__main__":
    main()
