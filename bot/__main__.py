"""`python -m bot` is the same as `guardian`."""

from bot.cli import main

raise SystemExit(main())
