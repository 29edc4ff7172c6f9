from __future__ import annotations

import sys

from c2hunt.cli import main

sys.exit(main())
