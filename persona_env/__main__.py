import sys

from persona_env.cli import main

sys.exit(main())
