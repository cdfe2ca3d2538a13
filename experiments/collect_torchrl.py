"""Roll out the numeric and the text env through TorchRL's Gym wrapper.

    python experiments/collect_torchrl.py                    # 20 numeric steps, 3 text turns
    python experiments/collect_torchrl.py --steps 50 --text-steps 5 --seed 1

* Numeric (``PersonaDialog-Numeric-v0``): ``GymWrapper(gym.make(...))`` maps the Box observation
  to a float tensor and (with ``categorical_action_encoding=True``) the ``MultiDiscrete`` action
  to a ``MultiCategorical`` spec of 31 integers (the default is concatenated one-hots);
  ``env.rollout(n)`` uses random actions from that spec. An info reader
  (:class:`RewardTermsReader`) copies chosen ``info["reward_terms"]`` into the tensordict, so
  ``td["next", "profile_f1"]`` holds the profile F1 of every reply.
* Text (``PersonaDialog-v0``): TorchRL 0.14 converts Gymnasium ``Text`` spaces natively to
  ``NonTensor`` specs (no adapter needed): the observation's ``"dialogue"`` arrives as a
  ``NonTensorStack`` of strings, ``"turn"`` as a one-hot, and the action's ``"profile"`` and
  ``"reply"`` are non-tensor strings that a policy writes into the tensordict (a random
  ``NonTensor`` sample is only the placeholder ``"a string"``, so a tiny scripted policy is used).

``GymEnv("PersonaDialog-Numeric-v0")`` (TorchRL building the env itself) does not work yet:
TorchRL passes ``frameskip=1`` and only drops it again if the env's ``TypeError`` contains the
words "unexpected keyword argument 'frameskip'"; the PersonaDialog envs reject unknown options
with a different message. Wrapping an env made with ``gym.make`` side-steps this.
"""

from __future__ import annotations

import argparse
from typing import Any, Sequence

import gymnasium as gym
import torch
from tensordict import TensorDictBase
from torchrl.data import Composite, Unbounded
from torchrl.envs import GymWrapper
from torchrl.envs.gym_like import BaseInfoDictReader

import persona_env  # noqa: F401  (registers the env ids)

TERMS = ("profile_f1", "response_score", "invalid_action")


class RewardTermsReader(BaseInfoDictReader):
    """Copies ``info["reward_terms"][term]`` for each term into the tensordict as float32 scalars
    (0 after ``reset``, where no reply has been scored yet)."""

    def __init__(self, terms: Sequence[str] = TERMS) -> None:
        self.terms = tuple(terms)
        self._spec = Composite({t: Unbounded((), dtype=torch.float32) for t in self.terms}, shape=())

    def __call__(self, info_dict: dict[str, Any], tensordict: TensorDictBase) -> TensorDictBase:
        terms = info_dict.get("reward_terms", {})
        for t in self.terms:
            tensordict.set(t, torch.tensor(float(terms.get(t, 0.0)), dtype=torch.float32))
        return tensordict

    @property
    def info_spec(self) -> Composite:
        return self._spec


def numeric_env(env_id: str = "PersonaDialog-Numeric-v0", seed: int = 0) -> GymWrapper:
    # categorical_action_encoding: integer indices (MultiCategorical) rather than concatenated one-hots
    env = GymWrapper(gym.make(env_id), categorical_action_encoding=True)
    env.set_info_dict_reader(RewardTermsReader())
    env.set_seed(seed)
    return env


def text_env(env_id: str = "PersonaDialog-v0", seed: int = 0) -> GymWrapper:
    env = GymWrapper(gym.make(env_id))
    env.set_info_dict_reader(RewardTermsReader())
    env.set_seed(seed)
    return env


def scripted_text_policy(td: TensorDictBase) -> TensorDictBase:
    """A fixed text action: a small profile guess and a reply (written as non-tensor strings)."""
    td["profile"] = "- Diet: vegetarian\n- Location: big city"
    td["reply"] = "How about a cheese and spinach omelette with a green salad? It takes ten minutes."
    return td


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env-id", default="PersonaDialog-Numeric-v0")
    parser.add_argument("--text-env-id", default="PersonaDialog-v0")
    parser.add_argument("--steps", type=int, default=20, help="numeric rollout length (episodes restart)")
    parser.add_argument("--text-steps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    env = numeric_env(args.env_id, args.seed)
    print(f"numeric action spec: {type(env.action_spec).__name__} {tuple(env.action_spec.shape)}; "
          f"observation: {tuple(env.observation_spec['observation'].shape)}")
    td = env.rollout(args.steps, break_when_any_done=False)
    print(td)
    print("profile_f1 per step:", [round(x, 3) for x in td["next", "profile_f1"].tolist()])
    print("reward per step:    ", [round(x, 3) for x in td["next", "reward"].squeeze(-1).tolist()])
    print("done per step:      ", td["next", "done"].squeeze(-1).int().tolist())

    tenv = text_env(args.text_env_id, args.seed)
    print(f"text action spec keys: {list(tenv.action_spec.keys())} "
          f"({type(tenv.action_spec['reply']).__name__}); observation keys: "
          f"{list(k for k in tenv.observation_spec.keys() if k not in TERMS)}")
    td = tenv.rollout(args.text_steps, scripted_text_policy)
    print(td)
    last = td["next", "dialogue"][-1]
    print(f"last dialogue observation ({len(last)} chars), tail:\n  ..." + last[-300:].replace("\n", "\n  "))
    print("text profile_f1 per step:", [round(x, 3) for x in td["next", "profile_f1"].tolist()])


if __name__ == "__main__":
    main()
