"""The command line: argparse over the core API. The TUI is imported only to launch it."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reader import __version__
from reader.core import Reader, open_reader
from reader.errors import ImportFileError, InvalidSettingError, InvalidURLError, ReaderError
from reader.models import Article, StoryLink
from reader.sanitize import clean_line, clean_text

if TYPE_CHECKING:
    from reader.models import Feed, PrefetchProgress, PrefetchReport, RefreshProgress, RefreshReport

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
        sub = commands.add_parser(name, help=help, description=help, parents=[db_parent])
        sub.set_defaults(command_parser=sub)  # for usage errors found after parsing
        return sub

    add = command("add", "subscribe to a feed (or the feed a web page points to)")
    add.add_argument("url")
    add.add_argument("--folder", metavar="NAME")
    add.add_argument("--title", metavar="TEXT")
    add.add_argument(
        "--local", action="store_true", help="keep it here: never sent to the sync server"
    )

    edit = command(
        "edit",
        "a feed's settings: title, folder, full text, interval, user agent (no option: "
        "prints them)",
    )
    edit.add_argument("url")
    edit.add_argument("--title", metavar="TEXT", help='new title ("" for the feed\'s own)')
    edit.add_argument("--folder", metavar="NAME", help='move to this folder ("" for none)')
    edit.add_argument(
        "--full-text", metavar="MODE", choices=("auto", "always", "never"),
        help="fetch each entry's page (always), show the feed's content (never), or decide "
        "from a few entries (auto, the default)",
    )  # fmt: skip
    edit.add_argument(
        "--refresh-minutes", metavar="N", type=_whole_number,
        help="minutes between this feed's refreshes (0: the config's refresh_minutes)",
    )  # fmt: skip
    edit.add_argument(
        "--user-agent",
        metavar="UA",
        help='User-Agent for this feed and its pages ("" for reader\'s)',
    )
    where = edit.add_mutually_exclusive_group()
    where.add_argument(
        "--local", dest="local", action="store_true", default=None,
        help="keep it here only (a synced feed is unsubscribed on the server)",
    )  # fmt: skip
    where.add_argument(
        "--synced", dest="local", action="store_false",
        help="send it to the sync server at the next sync",
    )  # fmt: skip

    remove = command("remove", "unsubscribe; the reading list keeps its articles")
    remove.add_argument("url")

    feeds = command("feeds", "list subscriptions")
    feeds.add_argument("--json", action="store_true", help="print JSON")

    import_ = command("import", "subscribe to the feeds of an OPML or newsboat urls file")
    import_.add_argument("file", type=Path)

    export = command("export", "print subscriptions as OPML 2.0")
    export.add_argument("-o", "--output", metavar="FILE", type=Path)

    command("locate", "print where reader keeps its data, config and themes")

    saved = command("saved", "print the reading list, newest first, with each article's text")
    saved.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text",
        help="output format (default: text)",
    )  # fmt: skip

    refresh = command("refresh", "fetch new entries from the feeds that are due")
    refresh.add_argument(
        "--feed", metavar="URL", action="append",
        help="refresh only this feed (repeat for more)",
    )  # fmt: skip
    refresh.add_argument(
        "--force", action="store_true",
        help="fetch feeds that are not due too (backing off, Retry-After, ttl, max-age)",
    )  # fmt: skip
    refresh.add_argument(
        "--jobs", metavar="N", type=_positive_int,
        help="feeds fetched at once (default: concurrency from the config, 64)",
    )  # fmt: skip
    refresh.add_argument(
        "--no-articles", action="store_true",
        help="do not fetch the new entries' articles now (`reader prefetch` does it later)",
    )  # fmt: skip

    prefetch = command(
        "prefetch", "fetch and keep the whole articles of new entries (what refresh does after)"
    )
    prefetch.add_argument(
        "--feed", metavar="URL", action="append", help="only this feed's (repeat for more)"
    )

    entries = command("entries", "list entries, newest first")
    entries.add_argument("--feed", metavar="URL", help="only this feed's entries")
    entries.add_argument("--unread", action="store_true", help="only unread entries")
    entries.add_argument("--saved", action="store_true", help="only entries on the reading list")
    entries.add_argument(
        "--limit", metavar="N", type=_positive_int, default=50, help="at most N (default: 50)"
    )
    entries.add_argument("--json", action="store_true", help="print JSON")

    search = command(
        "search", "search entries, their kept articles and pages read (prefixes, accents folded)"
    )
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=int, default=50, metavar="N")
    search.add_argument("--json", action="store_true", help="print JSON")

    command("config", "print the effective config (defaults where the file says nothing)")

    stats = command("stats", "print what the store holds and its size on disk")
    stats.add_argument("--json", action="store_true", help="print JSON")

    command("vacuum", "compact the database (after removals, it keeps its size until then)")

    mark = command("mark", "mark the entries linking to each URL read or unread")
    mark.add_argument("urls", nargs="+", metavar="URL")
    state = mark.add_mutually_exclusive_group(required=True)
    state.add_argument("--read", dest="read", action="store_true", help="mark them read")
    state.add_argument("--unread", dest="read", action="store_false", help="mark them unread")

    save = command("save", "fetch the article at URL and keep it on the reading list")
    save.add_argument("url")

    unsave = command("unsave", "take the article at URL off the reading list")
    unsave.add_argument("url")

    sync = command("sync", "sync with your feed server (Google Reader API) now")
    sync.add_argument("--json", action="store_true", help="print what moved as JSON")
    sync.add_argument(
        "--accept-removals", action="store_true",
        help="apply the removals of a server that lost most of what was synced with it",
    )  # fmt: skip
    sync_commands = sync.add_subparsers(dest="sync_command", metavar="ACTION")
    setup = sync_commands.add_parser(
        "setup", parents=[db_parent],
        help="log in to a FreshRSS, Miniflux ... server and keep the account",
        description="Log in once to check, then keep the account in the config dir "
        "(mode 0600). The password is read from the terminal, or from stdin when it is "
        "not a terminal, or printed by --password-command.",
    )  # fmt: skip
    setup.add_argument("url", help="the Google Reader API address (FreshRSS: .../api/greader.php)")
    setup.add_argument("--user", required=True, metavar="NAME")
    setup.add_argument(
        "--password-command", metavar="CMD",
        help="a shell command printing the password, run at each login (as `pass show x`)",
    )  # fmt: skip
    status = sync_commands.add_parser(
        "status", parents=[db_parent],
        help="print the account, the last sync, the queued changes and the last error",
    )  # fmt: skip
    status.add_argument("--json", action="store_true", help="print JSON")
    sync_commands.add_parser(
        "off", parents=[db_parent], help="forget the account (feeds and entries stay, local)"
    )

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
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # the subcommand's usage, not the top-level one
        getattr(args, "command_parser", parser).error(
            f"unrecognized arguments: {' '.join(unknown)}"
        )
    db = getattr(args, "db", None)
    try:
        if args.command is None:
            return _run_app(db, demo=args.demo)  # the app turns the collector on
        gc.enable()  # off while ``reader`` started (reader/__main__.py)
        handler = _HANDLERS[args.command]
        return handler(args, db)
    except (InvalidURLError, InvalidSettingError) as error:  # a mistake in the command
        return _fail(str(error), 2)
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
        async def add_and_refresh() -> tuple[Feed, RefreshReport]:
            added = await reader.add_feed(args.url, args.folder, args.title, local=args.local)
            # once now, so the title and the entries are there when the command returns
            return added, await reader.refresh([added.url], force=True)

        feed, report = _run_async(reader, add_and_refresh)
        feed = reader.find_feed(feed.id) or feed
        print(f"subscribed to {clean_line(feed.display_title)}" + (
            f" ({feed.url})" if feed.title else ""
        ))  # fmt: skip
        for failure in report.failures:
            print(
                f"reader: subscribed, but fetching it failed: {clean_line(failure.message)}",
                file=sys.stderr,
            )
        if not args.local and reader.sync_account() is not None:
            print("the next `reader sync` subscribes the server too (--local keeps it here)")
        return 0

    return _with_reader(db, work)


def cmd_edit(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        changes = (args.title, args.folder, args.local, args.full_text, args.refresh_minutes,
                   args.user_agent)  # fmt: skip
        if all(change is None for change in changes):
            feed = reader.get_feed(args.url.strip())  # no option: the settings as they are
        else:
            feed = reader.edit_feed(
                args.url.strip(), title=args.title, folder=args.folder, local=args.local,
                full_text=args.full_text, refresh_minutes=args.refresh_minutes,
                user_agent=args.user_agent,
            )  # fmt: skip
        # as `reader feeds` says it; "local" alone said nothing to one who never synced
        where = (
            " (local only)" if feed.local_only else " (synced)" if feed.synced
            else " (sent at the next sync)" if reader.sync_account() is not None else ""
        )  # fmt: skip
        folder = f" in [{clean_line(feed.folder)}]" if feed.folder else ""
        print(f"{clean_line(feed.display_title)}{folder}{where}")
        print(f"  full text: {_full_text_line(feed)}")
        minutes = feed.refresh_minutes
        print(f"  refresh: every {minutes} minutes" if minutes else "  refresh: as configured")
        print(f"  user agent: {clean_line(feed.user_agent) if feed.user_agent else 'reader'}")
        return 0

    return _with_reader(db, work)


def _full_text_line(feed: Feed) -> str:
    if feed.full_text != "auto":
        return feed.full_text
    found = {"feed": "the feed carries whole articles", "page": "pages are fetched"}
    return f"auto ({found.get(feed.full_text_found or '', 'not decided yet')})"


def cmd_remove(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        synced = reader.get_feed(args.url.strip()).synced
        reader.remove_feed(args.url.strip())
        print(f"removed {clean_line(args.url)}")
        if synced:
            print("the next `reader sync` unsubscribes the server too")
        return 0

    return _with_reader(db, work)


def cmd_feeds(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        feeds = reader.feeds()
        if args.json:
            return _print_json([feed.to_dict() for feed in feeds])
        if not feeds:
            print("no feeds yet: `reader add URL` or `reader import FILE`")
            return 0
        for feed in feeds:
            folder = f"[{clean_line(feed.folder)}] " if feed.folder else ""
            line = f"{feed.unread_count:5d}  {folder}{clean_line(feed.display_title)}"
            if feed.title:
                line += f"  <{feed.url}>"
            if feed.local_only:
                line += "  (local only)"
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
        try:
            report = reader.import_feeds(data)
        except ImportFileError as error:
            return _fail(f"{args.file}: {error}")
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
    print(f"sync account: {paths.sync_account}")
    return 0


def cmd_read(args: argparse.Namespace, db: str | None) -> int:
    from reader.article import binary_kind, extract_page
    from reader.render import header_markdown, header_text, link_list_text, to_markdown, to_text
    from reader.urls import check_web_url

    url = check_web_url(args.url)
    if args.html is not None:
        try:
            content = args.html.read_bytes()
        except OSError as error:
            return _fail(f"cannot read {args.html}: {error.strerror}")
        kind = binary_kind(content)
        if kind is not None:
            return _fail(f"{args.html} is {kind}, not an HTML page")
        article = extract_page(content, url)
        more: list[StoryLink] = []  # a page from a file: the store is not asked
    else:

        def work(reader: Reader) -> tuple[Article, list[StoryLink]]:
            entry = reader.entry_by_url(url)
            found = _run_async(reader, lambda: reader.get_article(url, entry))
            return found, reader.more_on_story(found, entry)

        article, more = _with_reader(db, work)
    if article.note:
        print(f"reader: showing the feed's content: {clean_line(article.note)}", file=sys.stderr)
    if args.format == "json":
        _print_json({**article.to_dict(), "more_on_story": [story.to_dict() for story in more]})
    elif args.format == "markdown":
        body = header_markdown(article).rstrip() + "\n\n" + to_markdown(article).strip()
        print(clean_text(body + _related_markdown(article, more)))
    else:
        body = header_text(article).rstrip() + "\n\n" + to_text(article, numbered=True).strip()
        print(clean_text(body + "\n" + link_list_text(article, more)).rstrip())
    return 0


def _related_markdown(article: Article, more: Sequence[StoryLink] = ()) -> str:
    from reader.render import escape_markdown, story_source

    lines: list[str] = []
    for title, items in (
        ("Related", [(link.text, link.url, "") for link in article.related]),
        ("More on this story", [(s.title, s.url, f" ({story_source(s)})") for s in more]),
    ):
        if not items:
            continue
        lines += ["", "", f"## {title}"]
        for text, link_url, source in items:
            url = clean_line(link_url).replace(">", "%3E")
            lines.append(
                f"- [{escape_markdown(clean_line(text))}](<{url}>){escape_markdown(source)}"
            )
    return "\n".join(lines)


def _print_json(data: object) -> int:
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def _at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``low``."""

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, not {value}")
        return value

    return whole_number


_whole_number = _at_least(0)
_positive_int = _at_least(1)


def cmd_refresh(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        bar = _ProgressBar(sys.stdout) if sys.stdout.isatty() else None

        def progress(update: RefreshProgress) -> None:
            if update.error is not None:
                _report_failure(bar, update.url, update.error)
            if bar is not None:
                errors = f"{update.errors} error{_s(update.errors)}"
                bar.draw(update.done, update.total, "feeds", f"{update.new_entries} new, {errors}")

        async def refresh_then_prefetch() -> tuple[RefreshReport, PrefetchReport | None]:
            report = await reader.refresh(
                args.feed, force=args.force, jobs=args.jobs, progress=progress
            )
            _print_refresh(bar, report)
            if args.no_articles or reader.config.prefetch == "off":
                return report, None
            return report, await _prefetch(reader, args.feed, bar)

        try:
            report, articles = _run_async(reader, refresh_then_prefetch)
        finally:
            if bar is not None:
                bar.clear()
        if articles is not None:
            _print_prefetch(articles)
        return 0 if report.ok else 1

    return _with_reader(db, work)


def cmd_prefetch(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        bar = _ProgressBar(sys.stdout) if sys.stdout.isatty() else None
        try:
            report = _run_async(reader, lambda: _prefetch(reader, args.feed, bar, alone=True))
        finally:
            if bar is not None:
                bar.clear()
        _print_prefetch(report)
        return 0 if report.fetched or not report.failed else 1

    return _with_reader(db, work)


async def _prefetch(
    reader: Reader, feed_urls: Sequence[str] | None, bar: _ProgressBar | None, alone: bool = False
) -> PrefetchReport:
    def progress(update: PrefetchProgress) -> None:
        if bar is not None:
            failed = f"{update.failed} failed"
            bar.draw(update.done, update.total, "articles", f"{update.fetched} fetched, {failed}")

    # run alone, it fetches even when the config leaves it to the user ("off")
    off = alone and reader.config.prefetch == "off"
    report = await reader.prefetch(feed_urls, mode="new" if off else None, progress=progress)
    for url, message in report.failures:
        _report_failure(bar, url, message)
    return report


def _report_failure(bar: _ProgressBar | None, url: str, message: str) -> None:
    if bar is not None:
        bar.clear()
    print(f"reader: {clean_line(url)}: {clean_line(message)}", file=sys.stderr)


def _print_refresh(bar: _ProgressBar | None, report: RefreshReport) -> None:
    if bar is not None:
        bar.clear()
    if report.skipped:
        print(
            f"{report.skipped} feed{_s(report.skipped)} not due yet "
            "(backing off, or asked to wait); --force fetches them"
        )
    print(
        f"refreshed {report.total} feed{_s(report.total)}: "
        f"{report.new_entries} new entr{'y' if report.new_entries == 1 else 'ies'}, "
        f"{report.not_modified} not modified, "
        f"{report.errors} error{_s(report.errors)} in {report.elapsed:.1f} s",
        flush=True,
    )


def _print_prefetch(report: PrefetchReport) -> None:
    line = (
        f"{report.fetched} article{_s(report.fetched)} fetched, {report.failed} failed"
        f" in {report.elapsed:.1f} s"
    )
    if report.kept_feed:
        line += f" ({report.kept_feed} kept the feed's content)"
    if report.deferred:
        line += f"; {report.deferred} left for the next refresh (their sites are busy or down)"
    print(line)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


class _ProgressBar:
    """One line, redrawn in place at most ten times a second."""

    WIDTH = 30

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.last_draw = 0.0
        self.drawn = False

    def draw(self, done: int, total: int, what: str, detail: str) -> None:
        import time

        now = time.monotonic()
        if done < total and now - self.last_draw < 0.1:
            return
        self.last_draw = now
        filled = self.WIDTH * done // max(total, 1)
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} {what}, {detail}"
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.drawn = False


def cmd_entries(args: argparse.Namespace, db: str | None) -> int:
    from reader.models import EntryFilter
    from reader.render import local_datetime

    def work(reader: Reader) -> int:
        feed_id = reader.get_feed(args.feed.strip()).id if args.feed else None
        entries = reader.entries(
            EntryFilter(feed_id=feed_id, unread_only=args.unread, saved_only=args.saved),
            limit=args.limit,
        )
        if args.json:
            return _print_json([entry.to_dict() for entry in entries])
        if not entries:
            print("no entries" + ("" if reader.feeds() else ": `reader add URL` first"))
            return 0
        for entry in entries:
            when = local_datetime(entry.date)
            mark = " " if entry.read else "*"
            feed = clean_line(entry.feed_title)
            if entry.also_in:  # listed once for every feed that has it
                others = f" +{len(entry.also_in)}"
                feed = feed[: 24 - len(others)] + others
            print(f"{mark} {when}  {feed[:24]:24}  {clean_line(entry.title) or '(no title)'}")
        return 0

    return _with_reader(db, work)


def cmd_search(args: argparse.Namespace, db: str | None) -> int:
    query = " ".join(args.query)
    if not any(character.isalnum() for character in query):  # marks alone match nothing
        args.command_parser.error("the query is empty: give a word to search for")

    def work(reader: Reader) -> int:
        hits = reader.search(query, limit=args.limit)
        if args.json:
            return _print_json([hit.to_dict() for hit in hits])
        for hit in hits:
            where = clean_line(hit.feed_title) if hit.feed_title else "read article"
            print(f"{clean_line(hit.title) or '(no title)'}  [{where}]  <{hit.url or ''}>")
        if not hits:
            print("nothing found", file=sys.stderr)
            return 1
        return 0

    return _with_reader(db, work)


def cmd_mark(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        changed, unknown = reader.mark_urls(args.urls, read=args.read)
        for url in unknown:
            print(f"reader: no entry links to {clean_line(url)}", file=sys.stderr)
        state = "read" if args.read else "unread"
        print(f"marked {changed} entr{'y' if changed == 1 else 'ies'} {state}")
        return 1 if unknown else 0

    return _with_reader(db, work)


def cmd_save(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> Article:
        return _run_async(reader, lambda: reader.save_url(args.url))

    article = _with_reader(db, work)
    if article.note:
        print(f"reader: saved the feed's content: {clean_line(article.note)}", file=sys.stderr)
    url = clean_line(article.url)
    print(f"saved {clean_line(article.title) or url} <{url}>")
    return 0


def cmd_unsave(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        if not reader.unsave_url(args.url):
            return _fail(f"not on the reading list: {args.url}; see `reader saved`")
        print(f"removed {clean_line(args.url)} from the reading list")
        return 0

    return _with_reader(db, work)


def cmd_config(args: argparse.Namespace, db: str | None) -> int:
    from reader.config import dump_config, load_config
    from reader.paths import default_paths

    paths = default_paths(db)
    config, problems = load_config(paths.config_file)
    for problem in problems:
        print(f"reader: {problem}", file=sys.stderr)
    print(f"# {paths.config_file}" + ("" if paths.config_file.exists() else " (absent: defaults)"))
    sys.stdout.write(dump_config(config))
    return 0


def cmd_saved(args: argparse.Namespace, db: str | None) -> int:
    from reader.saved_output import format_saved

    def work(reader: Reader) -> int:
        sys.stdout.write(format_saved(reader.saved(), args.format))
        return 0

    return _with_reader(db, work)


def cmd_sync(args: argparse.Namespace, db: str | None) -> int:
    handler = {"setup": _sync_setup, "status": _sync_status, "off": _sync_off}.get(
        args.sync_command or "", _sync_now
    )
    return _with_reader(db, lambda reader: handler(reader, args))


def _sync_setup(reader: Reader, args: argparse.Namespace) -> int:
    from reader.sync.greader import server_label

    password = None
    if not args.password_command:
        if sys.stdin.isatty():
            import getpass

            password = getpass.getpass(f"API password of {args.user} at {server_label(args.url)}: ")
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            return _fail("no password given (or use --password-command CMD)", 2)
    account = _run_async(
        reader,
        lambda: reader.sync_setup(
            args.url, args.user, password=password, password_command=args.password_command
        ),
    )
    print(f"logged in to {clean_line(account.identity)}; `reader sync` syncs now")
    return 0


def _sync_now(reader: Reader, args: argparse.Namespace) -> int:
    from reader.models import SyncProgress

    def progress(update: SyncProgress) -> None:
        if sys.stderr.isatty():
            sys.stderr.write("\r\x1b[2K" + update.message)
            if update.phase == "done":
                sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()

    report = _run_async(reader, lambda: reader.sync(progress, accept_removals=args.accept_removals))
    assert report is not None
    for url in report.feeds_refused:
        print(f"reader: the server refused {clean_line(url)}; it stays a local feed",
              file=sys.stderr)  # fmt: skip
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"synced with {clean_line(report.server)} in {report.elapsed:.1f} s")
    print(
        f"feeds: {report.feeds_added} new from the server, {report.feeds_removed} removed "
        f"there, {report.feeds_updated} renamed or moved there, {report.feeds_sent} "
        "change" + _s(report.feeds_sent) + " sent"
    )
    print(f"entries: {report.new_entries} new")
    print(
        f"read/unread: {report.read_sent} sent, {report.read_received} received; "
        f"starred: {report.starred_sent} sent, {report.starred_received} received"
    )
    if report.conflicts:
        print(
            f"{report.conflicts} change{_s(report.conflicts)} made on both sides: "
            "the server's was newer"
        )
    return 0


def _sync_status(reader: Reader, args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from datetime import datetime

    status = reader.sync_status()
    if args.json:
        print(json.dumps(asdict(status), ensure_ascii=False, indent=2))
        return 0
    if status.account is None:
        print("sync: off (`reader sync setup URL --user NAME` to sync with a feed server)")
        return 0

    def when(stamp: float | None) -> str:
        return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M") if stamp else "never"

    how = " (password from a command)" if status.password_command else ""
    print(f"account:    {clean_line(status.account)}{how}")
    print(f"last sync:  {when(status.last_sync)}")
    print(f"queued:     {status.queued} change{_s(status.queued)}")
    print(f"feeds:      {status.synced_feeds} synced, {status.local_feeds} local only")
    if status.attention:
        print(f"attention:  {clean_line(status.attention)}")
    if status.last_error and status.last_error != status.attention:
        print(f"last error: {clean_line(status.last_error)} ({when(status.last_error_at)})")
        if status.next_attempt:
            print(
                f"next try:   {when(status.next_attempt)} (the app waits; `reader sync` tries now)"
            )
    return 0


def _sync_off(reader: Reader, args: argparse.Namespace) -> int:
    had = reader.sync_off()
    print("sync off: the account is forgotten; feeds and entries stay here" if had
          else "sync was off already")  # fmt: skip
    return 0


def cmd_stats(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        stats = reader.stats()
        if args.json:
            return _print_json(stats.to_dict())
        rows = [
            ("feeds", f"{stats.feeds:,}"),
            ("entries", f"{stats.entries:,} ({stats.unread:,} unread)"),
            ("stored articles", f"{stats.articles:,}, {_megabytes(stats.article_bytes)}"
             + (f" ({stats.articles_to_fetch:,} to fetch)" if stats.articles_to_fetch else "")),
            ("saved articles", f"{stats.saved:,}"),
            ("database", f"{_megabytes(stats.database_bytes)} on disk"
             f" ({reader.paths.database})"),
        ]  # fmt: skip
        for label, value in rows:
            print(f"{label + ':':17} {value}")
        return 0

    return _with_reader(db, work)


def cmd_vacuum(args: argparse.Namespace, db: str | None) -> int:
    def work(reader: Reader) -> int:
        before, after = reader.vacuum()
        print(f"compacted {reader.paths.database}: {_megabytes(before)} -> {_megabytes(after)}")
        return 0

    return _with_reader(db, work)


def _megabytes(count: int) -> str:
    return f"{count / 1024 / 1024:,.1f} MB"


_HANDLERS: dict[str, Callable[[argparse.Namespace, str | None], int]] = {
    "add": cmd_add,
    "edit": cmd_edit,
    "sync": cmd_sync,
    "remove": cmd_remove,
    "feeds": cmd_feeds,
    "import": cmd_import,
    "export": cmd_export,
    "locate": cmd_locate,
    "saved": cmd_saved,
    "refresh": cmd_refresh,
    "prefetch": cmd_prefetch,
    "stats": cmd_stats,
    "vacuum": cmd_vacuum,
    "entries": cmd_entries,
    "read": cmd_read,
    "search": cmd_search,
    "config": cmd_config,
    "mark": cmd_mark,
    "save": cmd_save,
    "unsave": cmd_unsave,
}


if __name__ == "__main__":
    sys.exit(main())
