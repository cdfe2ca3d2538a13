"""Baseline agents behind one small protocol (:class:`agents.base.Agent`)."""

from agents.base import Agent, format_profile, latest_user_message
from agents.belief import BeliefAgent
from agents.heuristic import HeuristicAgent
from agents.mode_agent import ModeAgent
from agents.random_agent import RandomAgent

AGENTS = {"random": RandomAgent, "mode": ModeAgent, "heuristic": HeuristicAgent, "oracle": BeliefAgent}


def make_agent(name: str, **kwargs) -> Agent:
    try:
        return AGENTS[name](**kwargs)
    except KeyError:
        raise ValueError(f"unknown agent {name!r}; choose one of: {', '.join(AGENTS)}") from None


__all__ = ["AGENTS", "Agent", "BeliefAgent", "HeuristicAgent", "ModeAgent", "RandomAgent", "format_profile",
           "latest_user_message", "make_agent"]
