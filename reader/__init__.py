"""reader: a terminal news reader that shows the whole article."""

from typing import Final

__version__: Final = "0.1.0"
USER_AGENT: Final = (
    f"reader/{__version__} (terminal news reader; +https://pypi.org/project/reader-tui/)"
)
