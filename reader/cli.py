"""The command line: argparse over the core API. The TUI is imported only to launch it."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from reader import __version__
from reader.core import Reader, open_reader
from reader.errors import ReaderError
from reader.models import Article
from reader.sanitize import clean_line, clean_text

T = TypeVar("T")


def build_parser() -> argparse.ArgumentParser:
    # --db is accepted before or after the subcommand: the subparsers get a copy that
    # does not overwrite the top-level value when absent.
    db_parent = argparse.ArgumentParser(add_help=False)
    db_parent.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS,
        help="database file (default: $READER_DB, else the user data dir)",
    )  # fmt: skip
    parser = argparse.ArgumentParser(
        prog="reader",
        description="A terminal news reader that shows the whole article.",
        parents=[db_parent],
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    parser.add_argument(
        "--demo", action="store_true",
        help="try reader on a bundled news site, with a temporary store",
    )  # fmt: skip
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, description=help, parents=[db_parent])

    add = command("add", "subscribe to a feed (or the feed a web page points to)")
    add.add_argument("url")
    add.add_argument("--folder", metavar="NAME")
    add.add_argument("--title", metavar="TEXT")

    remove = command("remove", "unsubscribe; the reading list keeps its articles")
    remove.add_argument("url")

    feeds = command("feeds", "list subscriptions")
    feeds.add_argument("--json", action="store_true", help="print JSON")

    import_ = command("import", "subscribe to the feeds of an OPML or newsboat urls file")
    import_.add_argument("file", type=Path)

    export = command("export", "print subscriptions as OPML 2.0")
    export.add_argument("-o", "--output", metavar="FILE", type=Path)

    command("locate", "print where reader keeps its data, config and themes")

    read = command("read", "print the whole article at URL, clean")
    read.add_argument("url")
    read.add_argument(
        "--html", metavar="FILE", type=Path,
        help="read the page from FILE instead of the network (URL still resolves links)",
    )  # fmt: skip
    read.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text",
        help="output format (default: text)",
    )  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    db = getattr(args, "db", None)
    try:
        if args.command is None:
            return _run_app(db, demo=args.demo)
        handler = _HANDLERS[args.command]
        return handler(args, db)
    except ReaderError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _fail(message: str, status: int = 1) -> int:
    print(f"reader: {clean_line(message)}", file=sys.stderr)
    return status


def _run_app(db: str | None, demo: bool = False) -> int:
    from reader.tui.app import run_app  # only here: `reader refresh` never loads Textual

    return run_app(db=db, demo=demo)


def _with_reader(db: str | None, work: Callable[[Reader], T]) -> T:
    reader = open_reader(db)
    try:
        for problem in reader.config_problems:
            print(f"reader: {problem}", file=sys.stderr)
        return work(reader)
    finally:
        reader.close()


def _run_async(reader: Reader, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    async def wrapped() -> T:
        try:
            return await work()
        finally:
            await reader.aclose()

    return asyncio.run(wrapped())


# --- commands -----------------------------------------------------------------------


def cmd_add(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        feed = _run_async(reader, lambda: reader.add_feed(args.url, args.folder, args.title))
        print(f"subscribed to {clean_line(feed.display_title)}" + (
            f" ({feed.url})" if feed.title else ""
        ))  # fmt: skip
        return 0

    return _with_reader(db, work)


def cmd_remove(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        reader.remove_feed(args.url.strip())
        print(f"removed {clean_line(args.url)}")
        return 0

    return _with_reader(db, work)


def cmd_feeds(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        feeds = reader.feeds()
        if args.json:
            rows = [
                {
                    "title": feed.title,
                    "url": feed.url,
                    "folder": feed.folder,
                    "unread": feed.unread_count,
                    "entries": feed.entry_count,
                    "last_error": feed.last_error,
                    "last_error_at": feed.last_error_at,
                    "last_checked": feed.last_checked,
                }
                for feed in feeds
            ]
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return 0
        if not feeds:
            print("no feeds yet: `reader add URL` or `reader import FILE`")
            return 0
        for feed in feeds:
            folder = f"[{clean_line(feed.folder)}] " if feed.folder else ""
            line = f"{feed.unread_count:5d}  {folder}{clean_line(feed.display_title)}"
            if feed.title:
                line += f"  <{feed.url}>"
            if feed.last_error:
                line += f"  ! {clean_line(feed.last_error)}"
            print(line)
        return 0

    return _with_reader(db, work)


def cmd_import(args: argparse.Namespace, db: str | None) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        return _fail(f"cannot read {args.file}: {error.strerror}")

    def work(reader: Reader) -> int:
        report = reader.import_feeds(data)
        for problem in report.invalid:
            print(f"reader: {args.file}: {clean_line(problem)}", file=sys.stderr)
        print(
            f"{report.added} added, {report.present} already present, {len(report.invalid)} invalid"
        )
        return 0 if report.added or report.present else 1

    return _with_reader(db, work)


def cmd_export(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        opml = reader.export_opml()
        if args.output:
            try:
                args.output.write_text(opml, encoding="utf-8")
            except OSError as error:
                return _fail(f"cannot write {args.output}: {error.strerror}")
        else:
            sys.stdout.write(opml)
        return 0

    return _with_reader(db, work)


def cmd_locate(args: argparse.Namespace, db: str | None) -> int:
    from reader.paths import default_paths

    paths = default_paths(db)
    print(f"data dir:    {paths.data_dir}")
    print(f"database:    {paths.database}")
    print(f"config file: {paths.config_file}")
    print(f"themes dir:  {paths.themes_dir}")
    return 0


def cmd_read(args: argparse.Namespace, db: str | None) -> int:
    from reader.article import extract_page
    from reader.render import header_markdown, header_text, to_markdown, to_text
    from reader.urls import check_web_url

    url = check_web_url(args.url)
    if args.html is not None:
        try:
            content = args.html.read_bytes()
        except OSError as error:
            return _fail(f"cannot read {args.html}: {error.strerror}")
        article = extract_page(content, url)
    else:

        def work(reader: Reader) -> Article:
            entry = reader.entry_by_url(url)
            return _run_async(reader, lambda: reader.get_article(url, entry))

        article = _with_reader(db, work)
    if article.note:
        print(f"reader: showing the feed's content: {clean_line(article.note)}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(article_json(article), ensure_ascii=False, indent=2))
    elif args.format == "markdown":
        print(header_markdown(article).rstrip() + "\n\n" + to_markdown(article).strip())
        print(_related_list(article, markdown=True), end="")
    else:
        print(
            clean_text(header_text(article)).rstrip()
            + "\n\n"
            + clean_text(to_text(article)).strip()
        )
        print(_related_list(article, markdown=False), end="")
    return 0


def article_json(article: Article) -> dict[str, Any]:
    """The stable JSON shape of `reader read --format json`."""
    from reader.render import to_markdown, to_text

    return {
        "url": article.url,
        "title": article.title,
        "byline": article.byline,
        "published": article.published,
        "site_name": article.site_name,
        "language": article.language,
        "reading_minutes": article.reading_minutes,
        "source": article.source,
        "text": to_text(article),
        "markdown": to_markdown(article),
        "links": [{"text": link.text, "url": link.url} for link in article.links],
        "related": [{"title": link.text, "url": link.url} for link in article.related],
    }


def _related_list(article: Article, markdown: bool) -> str:
    if not article.related:
        return ""
    lines = ["", "## Related" if markdown else "Related:"]
    for link in article.related:
        title = clean_line(link.text)
        lines.append(f"- [{title}]({link.url})" if markdown else f"- {title}  <{link.url}>")
    return "\n".join(lines) + "\n"


_HANDLERS: dict[str, Callable[[argparse.Namespace, str | None], int]] = {
    "add": cmd_add,
    "remove": cmd_remove,
    "feeds": cmd_feeds,
    "import": cmd_import,
    "export": cmd_export,
    "locate": cmd_locate,
    "read": cmd_read,
}


if __name__ == "__main__":
    sys.exit(main())
