"""The ``reader`` command (also ``python -m reader``).

The garbage collector is off while the program starts: its imports and the app's first
frame allocate hundreds of thousands of objects that live as long as the program, and the
collections they set off found almost nothing to free (about 3,000 objects at the first
frame) for 60-70 ms of CPU before it, a full collection among them. A subcommand turns it
back on once its arguments are read (``reader.cli.main``), the app once its first frame is
drawn, after moving what start-up made out of the collector's way (``gc.freeze``).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with the collector off until start-up is over."""
    gc.disable()
    try:
        from reader.cli import main as run

        return run(argv)
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(main())
