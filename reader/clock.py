"""The one clock: every time the core stores or shows comes from a ``Clock``.

``open_reader(..., clock=...)`` injects it (tests freeze it); nothing else reads the wall
clock for a stored or shown time. Durations (timeouts, elapsed) use ``time.monotonic``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

Clock = Callable[[], float]
"""Now, as a Unix timestamp (float seconds, UTC)."""

SYSTEM_CLOCK: Final[Clock] = time.time
