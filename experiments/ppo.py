"""PPO on the numeric PersonaDialog env (single file, CleanRL style).

The agent sees the numeric observation (cue counts heard so far, the user's reaction, the open
request, the turn and the valid-act mask) and emits the whole MultiDiscrete action at once: a value
or "unknown" per profile-guess entry, a reply act and five style choices. The policy is one shared
MLP torso with a critic head and one categorical head per action dimension (computed as a single
linear layer whose outputs are split per dimension; log-probs and entropies are summed over the
dimensions). Invalid reply acts (``act_mask``, the last ``spec.n_acts`` observation entries) get
their logits masked out.

    python experiments/ppo.py                                     # defaults: 64 envs, 500k steps
    python experiments/ppo.py --gamma 0 --gae-lambda 0            # myopic: learns the profile fastest
    python experiments/ppo.py --total-timesteps 200000 --seed 1 --out results/ppo_s1
    python experiments/ppo.py --env-id PersonaDialog-Numeric-Swap-v0 --num-envs 128
    python experiments/ppo.py --env-kwargs '{"reward_weights": {"profile_f1": 1.0}}'
    python experiments/ppo.py --help

Writes ``<out>/agent.pt`` (the state dict and the arguments) and ``<out>/metrics.json`` (per
update: global step, mean episodic return and mean final-turn profile F1 of the episodes that
ended in that rollout, the losses; and the final evaluation).

Autoreset: the vector env follows Gymnasium 1.x's ``NEXT_STEP`` mode. After a step returns
``terminated | truncated`` for a conversation, the observation it returns is that episode's final
observation, and the *next* step resets the conversation, ignores its action and returns reward 0.
Such reset steps are stored with ``valid = 0``: they are left out of the policy/value losses, and
GAE never bootstraps across them (the step that ended the episode cuts the recursion). The 10-turn
limit is reported as ``truncated`` but is the task's horizon (the turn is part of the observation),
so by default it is treated as terminal; ``--bootstrap-truncated`` bootstraps from the value of the
final observation instead (Gymnasium's textbook treatment of a time limit).

Measured (2-core CPU, one torch thread, ~3-4k env steps/s including the updates; greedy
evaluation, 100 single-env episodes, seeds 10000-10099): a uniformly random policy's final-turn
profile F1 is 0.19; 100k steps with ``--gamma 0 --gae-lambda 0`` reach 0.47 (~25-35 s); 500k
steps reach 0.62 with gamma 0 and 0.53 with the default gamma 0.5 (the future turns' rewards add
variance that the 31-way factored policy pays for; gamma 0 gives no credit for asking, though).

``train(args) -> dict`` runs in-process (the tests call it); ``evaluate(agent, env_id, episodes,
seed)`` plays the single env and returns the mean final-turn profile F1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import persona_env  # noqa: E402,F401  (registers the env ids)
from persona_env.numeric import NumericSpec  # noqa: E402


@dataclass
class Args:
    exp_name: str = "ppo"
    """the name of this experiment"""
    seed: int = 1
    """seed of the experiment (torch, numpy, random and the env)"""
    torch_deterministic: bool = True
    """torch.backends.cudnn.deterministic"""
    cuda: bool = False
    """use CUDA if available"""
    torch_threads: int = 1
    """torch intra-op threads (0: torch's default; more than 1 thrashes against numpy on small CPUs)"""
    out: str = "results/ppo"
    """folder for agent.pt and metrics.json ('' to save nothing)"""
    verbose: bool = True
    """print one line per update"""

    # algorithm
    env_id: str = "PersonaDialog-Numeric-v0"
    """a numeric env id (PersonaDialog-Numeric-*-v0)"""
    env_kwargs: str = "{}"
    """JSON dict of env options passed to gym.make_vec (e.g. '{"max_turns": 20}')"""
    total_timesteps: int = 500_000
    """total env steps (reset steps included)"""
    learning_rate: float = 2.5e-3
    """the optimizer's learning rate"""
    num_envs: int = 64
    """conversations stepped in parallel (one process)"""
    num_steps: int = 64
    """steps per env per rollout"""
    anneal_lr: bool = True
    """linearly anneal the learning rate to 0"""
    gamma: float = 0.5
    """discount factor (10-turn episodes; the profile reward is immediate, asking pays a turn later)"""
    gae_lambda: float = 0.95
    """GAE lambda"""
    num_minibatches: int = 4
    """minibatches per epoch"""
    update_epochs: int = 4
    """epochs per update"""
    norm_adv: bool = True
    """normalise advantages per minibatch"""
    clip_coef: float = 0.2
    """surrogate clipping coefficient"""
    clip_vloss: bool = True
    """clip the value loss"""
    ent_coef: float = 0.001
    """entropy coefficient (the entropy is summed over the action dimensions)"""
    vf_coef: float = 0.5
    """value-loss coefficient"""
    max_grad_norm: float = 0.5
    """gradient-norm clip"""
    target_kl: float | None = None
    """stop the update's epochs early above this approximate KL"""
    hidden: int = 256
    """torso width (two tanh layers)"""
    bootstrap_truncated: bool = False
    """bootstrap from the final observation's value on truncation (see the module docstring)"""
    mask_acts: bool = True
    """mask invalid reply acts with the observation's act_mask"""

    # evaluation after training
    eval_episodes: int = 100
    """episodes of the single env after training (0: skip)"""
    eval_seed: int = 10_000
    """seed of the first evaluation episode"""
    eval_greedy: bool = True
    """evaluate the argmax action (else a sampled one)"""

    # filled in at runtime
    batch_size: int = 0
    minibatch_size: int = 0
    num_iterations: int = 0


def parse_args(argv: list[str] | None = None) -> Args:
    """``Args`` from the command line (``--learning-rate 3e-4``, ``--no-anneal-lr``...)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    runtime = {"batch_size", "minibatch_size", "num_iterations"}
    for f in dataclasses.fields(Args):
        if f.name in runtime:
            continue
        flag = "--" + f.name.replace("_", "-")
        if f.type in ("bool", bool):
            parser.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction, default=f.default)
        elif f.name == "target_kl":
            parser.add_argument(flag, dest=f.name, type=float, default=f.default)
        else:
            kind = {"int": int, "float": float, "str": str}[f.type if isinstance(f.type, str) else f.type.__name__]
            parser.add_argument(flag, dest=f.name, type=kind, default=f.default)
    return Args(**vars(parser.parse_args(argv)))


# ---------------------------------------------------------------------------------- the agent
def layer_init(layer: nn.Linear, std: float = np.sqrt(2), bias_const: float = 0.0) -> nn.Linear:
    torch.nn.init.orthogonal_(layer.weight, std)
    torch.nn.init.constant_(layer.bias, bias_const)
    return layer


class Agent(nn.Module):
    """Shared MLP torso, a critic head and one categorical head per MultiDiscrete dimension.

    The per-dimension heads are one ``Linear(hidden, sum(nvec))`` whose outputs are split per
    dimension (the same parameters as ``len(nvec)`` separate heads). Dimensions of equal size are
    laid out next to each other, so each group is one ``[batch, dims, size]`` tensor and sampling,
    log-probs and entropies take a handful of vectorised calls (no padding: a masked logit costs a
    slow ``exp`` on CPU).
    """

    def __init__(self, obs_size: int, nvec: np.ndarray, act_dim: int, n_acts: int, hidden: int = 256,
                 mask_acts: bool = True) -> None:
        super().__init__()
        nvec = np.asarray(nvec, dtype=np.int64)
        self.obs_size, self.act_dim, self.n_acts, self.mask_acts = obs_size, act_dim, n_acts, mask_acts
        self.n_dims = len(nvec)
        self.torso = nn.Sequential(
            layer_init(nn.Linear(obs_size, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
        )
        self.critic = layer_init(nn.Linear(hidden, 1), std=1.0)
        self.actor = layer_init(nn.Linear(hidden, int(nvec.sum())), std=0.01)
        # groups of equal-size dimensions: (size, dims, first column, position of the act dim or -1)
        self.groups: list[tuple[int, list[int], int, int]] = []
        col = 0
        for n in sorted(set(nvec.tolist())):
            dims = np.flatnonzero(nvec == n).tolist()
            self.groups.append((n, dims, col, dims.index(act_dim) if act_dim in dims else -1))
            col += n * len(dims)
        for i, (_, dims, _, _) in enumerate(self.groups):
            self.register_buffer(f"dims_{i}", torch.as_tensor(dims, dtype=torch.long), persistent=False)

    def get_value(self, x: torch.Tensor) -> torch.Tensor:
        return self.critic(self.torso(x))

    def group_logits(self, x: torch.Tensor, hidden: torch.Tensor | None = None) -> list[torch.Tensor]:
        """Per group, ``[B, dims, size]`` logits; invalid reply acts (``act_mask`` = 0) at -1e9."""
        h = self.torso(x) if hidden is None else hidden
        flat = self.actor(h)
        out = []
        for n, dims, col, act_pos in self.groups:
            lg = flat[:, col: col + n * len(dims)].view(-1, len(dims), n)
            if self.mask_acts and act_pos >= 0:
                invalid = torch.zeros(lg.shape, dtype=torch.bool, device=x.device)
                invalid[:, act_pos, : self.n_acts] = x[:, -self.n_acts:] < 0.5
                lg = lg.masked_fill(invalid, -1e9)
            out.append(lg)
        return out

    def get_action_and_value(self, x: torch.Tensor, action: torch.Tensor | None = None):
        """Sampled (or given) action ``[B, dims]``, summed log-prob, summed entropy, value."""
        h = self.torso(x)
        B = x.shape[0]
        sample = action is None
        if sample:
            action = torch.zeros(B, self.n_dims, dtype=torch.long, device=x.device)
        logp = torch.zeros(B, device=x.device)
        entropy = torch.zeros(B, device=x.device)
        for i, lg in enumerate(self.group_logits(x, h)):
            dims = getattr(self, f"dims_{i}")
            logp_all = torch.log_softmax(lg, dim=-1)
            if sample:  # Gumbel-max: one draw per dimension
                u = torch.rand_like(lg).clamp_(1e-10, 1.0)
                action[:, dims] = (lg - torch.log(-torch.log(u))).argmax(-1)
            a = action[:, dims]
            logp = logp + logp_all.gather(-1, a.unsqueeze(-1)).squeeze(-1).sum(-1)
            entropy = entropy - (logp_all.exp() * logp_all).sum(-1).sum(-1)
        return action, logp, entropy, self.critic(h).squeeze(-1)

    @torch.no_grad()
    def act(self, x: torch.Tensor, greedy: bool = True) -> torch.Tensor:
        """The argmax (``greedy``) or a sampled action, ``[B, dims]``."""
        if not greedy:
            return self.get_action_and_value(x)[0]
        action = torch.zeros(x.shape[0], self.n_dims, dtype=torch.long, device=x.device)
        for i, lg in enumerate(self.group_logits(x)):
            action[:, getattr(self, f"dims_{i}")] = lg.argmax(-1)
        return action


def make_agent(spec: NumericSpec, hidden: int = 256, mask_acts: bool = True) -> Agent:
    return Agent(spec.obs_size, spec.nvec, spec.n_guess, spec.n_acts, hidden, mask_acts)


# ---------------------------------------------------------------------------------- evaluation
def evaluate(agent: Agent | None, env_id: str = "PersonaDialog-Numeric-v0", episodes: int = 100,
             seed: int = 10_000, greedy: bool = True, env_kwargs: dict | None = None) -> float:
    """Mean final-turn profile F1 of ``agent`` on the single env (episode ``i`` uses ``seed + i``).

    ``agent=None`` plays the uniformly random policy (``action_space.sample()``, seeded).
    """
    env = gym.make(env_id, **(env_kwargs or {}))
    env.action_space.seed(seed)
    device = next(agent.parameters()).device if agent is not None else None
    finals = []
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed + ep)
        done, f1 = False, 0.0
        while not done:
            if agent is None:
                action = env.action_space.sample()
            else:
                x = torch.as_tensor(obs, dtype=torch.float32, device=device).unsqueeze(0)
                action = agent.act(x, greedy=greedy)[0].cpu().numpy()
            obs, _, terminated, truncated, info = env.step(action)
            f1 = info["reward_terms"]["profile_f1"]
            done = terminated or truncated
        finals.append(f1)
    env.close()
    return float(np.mean(finals))


# ---------------------------------------------------------------------------------- training
def train(args: Args) -> dict[str, Any]:
    """Train PPO; returns ``{"agent", "metrics", "eval_f1", "wall_s"}`` (and saves to ``args.out``)."""
    args = dataclasses.replace(args)
    args.batch_size = int(args.num_envs * args.num_steps)
    args.minibatch_size = int(args.batch_size // args.num_minibatches)
    args.num_iterations = max(1, args.total_timesteps // args.batch_size)
    t_start = time.time()

    # seeding
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.backends.cudnn.deterministic = args.torch_deterministic
    threads_before = torch.get_num_threads()
    if args.torch_threads > 0:
        torch.set_num_threads(args.torch_threads)
    try:
        return _train(args, t_start)
    finally:
        torch.set_num_threads(threads_before)


def _train(args: Args, t_start: float) -> dict[str, Any]:
    device = torch.device("cuda" if torch.cuda.is_available() and args.cuda else "cpu")

    # env setup
    env_kwargs = json.loads(args.env_kwargs) if isinstance(args.env_kwargs, str) else dict(args.env_kwargs)
    envs = gym.make_vec(args.env_id, num_envs=args.num_envs, vectorization_mode="vector_entry_point", **env_kwargs)
    assert isinstance(envs.single_action_space, gym.spaces.MultiDiscrete), "only MultiDiscrete actions"
    spec: NumericSpec = envs.unwrapped.dialogue.spec

    agent = make_agent(spec, args.hidden, args.mask_acts).to(device)
    optimizer = optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)

    # storage
    S, N = args.num_steps, args.num_envs
    obs = torch.zeros((S, N) + envs.single_observation_space.shape, device=device)
    actions = torch.zeros((S, N, len(spec.nvec)), dtype=torch.long, device=device)
    logprobs = torch.zeros((S, N), device=device)
    rewards = torch.zeros((S, N), device=device)
    terms = torch.zeros((S, N), device=device)        # step t terminated its episode
    truncs = torch.zeros((S, N), device=device)       # step t truncated its episode
    valid = torch.zeros((S, N), device=device)        # 0: a reset step (NEXT_STEP autoreset)
    values = torch.zeros((S, N), device=device)

    # start the game
    global_step = 0
    next_obs_np, _ = envs.reset(seed=args.seed)
    next_obs = torch.as_tensor(next_obs_np, device=device)
    next_autoreset = np.zeros(N, dtype=bool)           # the next step resets these envs
    ep_return = np.zeros(N)
    history: list[dict[str, float]] = []

    for iteration in range(1, args.num_iterations + 1):
        if args.anneal_lr:
            frac = 1.0 - (iteration - 1.0) / args.num_iterations
            optimizer.param_groups[0]["lr"] = frac * args.learning_rate
        ended_returns: list[np.ndarray] = []
        ended_f1: list[np.ndarray] = []

        for step in range(S):
            global_step += N
            obs[step] = next_obs
            valid[step] = torch.as_tensor(~next_autoreset, dtype=torch.float32, device=device)

            with torch.no_grad():
                action, logprob, _, value = agent.get_action_and_value(next_obs)
            values[step] = value
            actions[step] = action
            logprobs[step] = logprob

            next_obs_np, reward, terminated, truncated, infos = envs.step(action.cpu().numpy())
            ended = terminated | truncated
            rewards[step] = torch.as_tensor(reward, dtype=torch.float32, device=device)
            terms[step] = torch.as_tensor(terminated, dtype=torch.float32, device=device)
            truncs[step] = torch.as_tensor(truncated, dtype=torch.float32, device=device)
            next_obs = torch.as_tensor(next_obs_np, device=device)
            next_autoreset = ended

            ep_return += reward                         # reset steps add 0
            if ended.any():
                ended_returns.append(ep_return[ended].copy())
                ended_f1.append(np.asarray(infos["reward_terms"]["profile_f1"])[ended])
                ep_return[ended] = 0.0

        # GAE: the step that ended an episode cuts the recursion (reset steps are never chained)
        with torch.no_grad():
            next_value = agent.get_value(next_obs).reshape(1, -1)
            advantages = torch.zeros_like(rewards)
            lastgaelam = torch.zeros(N, device=device)
            boot_trunc = 1.0 if args.bootstrap_truncated else 0.0
            for t in reversed(range(S)):
                nextvalues = next_value[0] if t == S - 1 else values[t + 1]
                ended_t = torch.clamp(terms[t] + truncs[t], max=1.0)
                bootstrap = (1.0 - terms[t]) * (1.0 - truncs[t] * (1.0 - boot_trunc))
                delta = rewards[t] + args.gamma * nextvalues * bootstrap - values[t]
                lastgaelam = delta + args.gamma * args.gae_lambda * (1.0 - ended_t) * lastgaelam
                advantages[t] = lastgaelam
            returns = advantages + values

        # flatten the batch; train on the valid (non-reset) steps only
        b_obs = obs.reshape((-1,) + envs.single_observation_space.shape)
        b_logprobs = logprobs.reshape(-1)
        b_actions = actions.reshape(-1, len(spec.nvec))
        b_advantages = advantages.reshape(-1)
        b_returns = returns.reshape(-1)
        b_values = values.reshape(-1)
        b_valid_idx = torch.nonzero(valid.reshape(-1) > 0.5).squeeze(-1).cpu().numpy()
        n_valid = len(b_valid_idx)
        minibatch_size = max(1, n_valid // args.num_minibatches)

        clipfracs = []
        pg_loss = v_loss = entropy_loss = approx_kl = old_approx_kl = torch.zeros(())
        for epoch in range(args.update_epochs):
            b_inds = np.random.permutation(b_valid_idx)
            for start in range(0, n_valid - minibatch_size + 1, minibatch_size):
                mb_inds = b_inds[start:start + minibatch_size]
                _, newlogprob, entropy, newvalue = agent.get_action_and_value(b_obs[mb_inds], b_actions[mb_inds])
                logratio = newlogprob - b_logprobs[mb_inds]
                ratio = logratio.exp()

                with torch.no_grad():
                    old_approx_kl = (-logratio).mean()
                    approx_kl = ((ratio - 1) - logratio).mean()
                    clipfracs += [((ratio - 1.0).abs() > args.clip_coef).float().mean().item()]

                mb_advantages = b_advantages[mb_inds]
                if args.norm_adv:
                    mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)

                # policy loss
                pg_loss1 = -mb_advantages * ratio
                pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - args.clip_coef, 1 + args.clip_coef)
                pg_loss = torch.max(pg_loss1, pg_loss2).mean()

                # value loss
                if args.clip_vloss:
                    v_loss_unclipped = (newvalue - b_returns[mb_inds]) ** 2
                    v_clipped = b_values[mb_inds] + torch.clamp(newvalue - b_values[mb_inds],
                                                                -args.clip_coef, args.clip_coef)
                    v_loss_clipped = (v_clipped - b_returns[mb_inds]) ** 2
                    v_loss = 0.5 * torch.max(v_loss_unclipped, v_loss_clipped).mean()
                else:
                    v_loss = 0.5 * ((newvalue - b_returns[mb_inds]) ** 2).mean()

                entropy_loss = entropy.mean()
                loss = pg_loss - args.ent_coef * entropy_loss + v_loss * args.vf_coef

                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
                optimizer.step()

            if args.target_kl is not None and approx_kl > args.target_kl:
                break

        y_pred, y_true = b_values[b_valid_idx].cpu().numpy(), b_returns[b_valid_idx].cpu().numpy()
        var_y = np.var(y_true)
        explained_var = np.nan if var_y == 0 else 1 - np.var(y_true - y_pred) / var_y

        rets = np.concatenate(ended_returns) if ended_returns else np.array([])
        f1s = np.concatenate(ended_f1) if ended_f1 else np.array([])
        row = {
            "iteration": iteration, "global_step": global_step,
            "episodes": int(len(rets)),
            "mean_return": float(rets.mean()) if len(rets) else float("nan"),
            "mean_final_profile_f1": float(f1s.mean()) if len(f1s) else float("nan"),
            "value_loss": float(v_loss.item()), "policy_loss": float(pg_loss.item()),
            "entropy": float(entropy_loss.item()), "approx_kl": float(approx_kl.item()),
            "old_approx_kl": float(old_approx_kl.item()),
            "clipfrac": float(np.mean(clipfracs)) if clipfracs else 0.0,
            "explained_variance": float(explained_var),
            "learning_rate": float(optimizer.param_groups[0]["lr"]),
            "sps": int(global_step / (time.time() - t_start)),
        }
        history.append(row)
        if args.verbose:
            print(f"iter {iteration}/{args.num_iterations} step {global_step} "
                  f"return {row['mean_return']:.3f} final_f1 {row['mean_final_profile_f1']:.3f} "
                  f"entropy {row['entropy']:.2f} v_loss {row['value_loss']:.3f} "
                  f"kl {row['approx_kl']:.4f} sps {row['sps']}", flush=True)

    envs.close()
    train_wall = time.time() - t_start
    eval_f1 = None
    if args.eval_episodes > 0:
        agent.eval()
        eval_f1 = evaluate(agent, args.env_id, args.eval_episodes, args.eval_seed, args.eval_greedy, env_kwargs)
        agent.train()
        if args.verbose:
            print(f"eval ({'greedy' if args.eval_greedy else 'sampled'}, {args.eval_episodes} episodes): "
                  f"mean final profile F1 {eval_f1:.3f}")

    metrics = {"args": dataclasses.asdict(args), "updates": history, "eval_final_profile_f1": eval_f1,
               "train_wall_s": train_wall, "wall_s": time.time() - t_start}
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        torch.save({"state_dict": agent.state_dict(), "args": dataclasses.asdict(args),
                    "obs_size": spec.obs_size, "nvec": spec.nvec.tolist(), "act_dim": spec.n_guess,
                    "n_acts": spec.n_acts}, out / "agent.pt")
        (out / "metrics.json").write_text(json.dumps(metrics, indent=1, allow_nan=True))
    return {"agent": agent, "metrics": metrics, "eval_f1": eval_f1, "wall_s": metrics["wall_s"]}


def load_agent(path: str | Path) -> Agent:
    """The agent saved by :func:`train` (``<out>/agent.pt``)."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    agent = Agent(ckpt["obs_size"], np.asarray(ckpt["nvec"]), ckpt["act_dim"], ckpt["n_acts"],
                  ckpt["args"]["hidden"], ckpt["args"]["mask_acts"])
    agent.load_state_dict(ckpt["state_dict"])
    return agent


if __name__ == "__main__":
    train(parse_args())
