"""The ``catalogue`` command: a thin edge over the core, ingest and the index.

Exit codes (DESIGN.md): 0 all well; 1 finished but something was rejected or not found;
2 usage error or nothing could be done. ``--json`` prints JSON on standard output and
nothing else there; messages go to standard error.
"""
from __future__ import annotations

import csv
import json
import sys
from functools import wraps
from pathlib import Path

import click

from .errors import CatalogueError
from .i18n import choose_language, gettext, translate, use_language


def _lang() -> str:
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    if root is not None and isinstance(root.obj, dict) and root.obj.get("lang"):
        return root.obj["lang"]
    return choose_language()


def _t(msgid: str, /, **values) -> str:
    """An interface sentence in the user's language."""
    return gettext(msgid, _lang(), **values)


def _problem_line(p) -> str:
    where = p.file if p.line is None else f"{p.file}:{p.line}"
    return f"{where}: {p.field or '-'}: {translate(p.reason, _lang())}"


def _emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def _fail(message: str, code: int) -> None:
    click.echo(_t("Error: {message}", message=translate(message, _lang())), err=True)
    sys.exit(code)


def handle_errors(func):
    """Turn CatalogueError into 'Error: <sentence>' and its exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CatalogueError as exc:
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail(_t("interrupted; nothing of the file in progress was written."), 2)
        except BrokenPipeError:
            sys.exit(0)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="CATALOGUE_HOME",
              default=None, help="Catalogue folder (default $CATALOGUE_HOME or ./instance).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of messages and reports (default $CATALOGUE_LANG, else the locale: zh_* gives Chinese).")
@click.pass_context
def main(ctx: click.Context, home: Path | None, lang: str | None) -> None:
    """The standards catalogue: ingest, search and serve technical standards."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    use_language(None)
    ctx.obj = {"home": home, "lang": choose_language(lang)}
    use_language(ctx.obj["lang"])  # for the ingest progress lines


def _store(ctx: click.Context, create: bool = False):
    from .store import Store

    return Store(ctx.obj["home"], create=create)


@main.command()
@click.option("--demo", is_flag=True, help="Load the bundled demo catalogue (ISO, IEC, GB records of the pillar industries).")
@click.pass_context
@handle_errors
def init(ctx: click.Context, demo: bool) -> None:
    """Create an empty catalogue (or the demo catalogue) under --home."""
    from .edges.service import Catalogue

    if demo:
        report = _init_demo(ctx.obj["home"])
        sys.exit(1 if report.rejected else 0)
    with Catalogue(ctx.obj["home"], create=True) as cat:
        click.echo(_t("Catalogue ready at {home} ({n} records).", home=cat.home, n=cat.store.count()), err=True)


@main.command()
@click.argument("text", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line (DESIGN.md contract).")
@handle_errors
def designation(text: tuple[str, ...], as_json: bool) -> None:
    """Parse designations given as arguments, or one per line on standard input."""
    from .designation import describe

    inputs = list(text) if text else [line.rstrip("\r\n") for line in sys.stdin if line.strip()]
    failed = False
    for item in inputs:
        result = describe(item)
        failed |= not result["ok"]
        if as_json:
            _emit_json(result)
        elif result["ok"]:
            click.echo(f"{result['display']}\t{result['key']}\t{result['work']}")
        else:
            click.echo(f"{item}\t" + _t("Error: {message}", message=translate(result["error"], _lang())))
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON (DESIGN.md contract).")
@click.pass_context
@handle_errors
def show(ctx: click.Context, reference: str, as_json: bool) -> None:
    """Show one record by any spelling of its designation, or its key.

    An undated designation answers the edition in force, and says so.
    """
    from .present import record_json
    from .resolve import require_record

    with _store(ctx) as store:
        res = require_record(store, reference)
        rec = res.record
        in_force = store.edition_in_force_key(rec.work)
        data = record_json(rec, res.resolved_from, in_force, store.editions(rec.work))
    if res.how == "in_force":
        click.echo(_t("'{reference}' is undated: showing the edition in force, {designation}.",
                      reference=reference, designation=rec.designation), err=True)
    elif res.how == "newest":
        click.echo(_t("'{reference}' is undated and no edition is in force: showing the newest, {designation}.",
                      reference=reference, designation=rec.designation), err=True)
    if as_json:
        _emit_json(data)
        return
    _print_record(data)


def _summary(report) -> str:
    text = _t("added {added}, updated {updated}, unchanged {unchanged}, rejected {rejected}",
              added=report.added, updated=report.updated, unchanged=report.unchanged, rejected=report.rejected)
    if getattr(report, "skipped", 0):
        text += _t(", skipped {n}", n=report.skipped)
    if getattr(report, "warnings", None):
        text += _t(", warnings {n}", n=len(report.warnings))
    return text + (_t(" (dry run: nothing written)") if report.dry_run else "")


def _ingest_format_help() -> str:
    """The --format help, generated from the reader registry (ingest.registry)."""
    from ingest.registry import READERS

    return "Reader to use instead of detecting it from the content: " + ", ".join(r.name for r in READERS) + \
        ". `catalogue ingest --help` lists what each reads."


class _IngestCommand(click.Command):
    """`catalogue ingest --help` ends with the readers, one a line, from the registry."""

    def format_epilog(self, ctx, formatter) -> None:
        from ingest.registry import READERS

        with formatter.section(_t("Formats (detected from the content; extensions are hints)")):
            formatter.write_dl([(r.name, _t(r.help) + (f" ({', '.join(r.extensions)})" if r.extensions else ""))
                                for r in READERS])


def _print_record(data: dict) -> None:
    click.echo(f"{data['designation']}  [{_t(data['status'])}]")
    for lang, title in data["titles"].items():
        click.echo("  " + _t("title ({lang}): {title}", lang=lang, title=title))
    for name in ("published", "in_force", "withdrawn"):
        if data["dates"][name]:
            click.echo(f"  {_t(name.replace('_', ' '))}: {data['dates'][name]}")
    for name in ("ics", "ccs", "committee", "edition", "pages"):
        value = data.get(name)
        if value:
            click.echo(f"  {_t(name)}: {', '.join(value) if isinstance(value, list) else value}")
    if data["edition_in_force"] and data["edition_in_force"] != data["key"]:
        click.echo(f"  {_t('edition in force')}: {data['edition_in_force']}")
    if len(data.get("editions") or []) > 1:
        mark = _t(" (in force)")
        history = " -> ".join(f"{e['designation']}{mark if e['in_force'] else ''}" for e in data["editions"])
        click.echo(f"  {_t('editions')}: {history}")
    labels = {"replaced_by": "replaced by", "amended_by": "amended by", "corrected_by": "corrected by",
              "adopted_by": "adopted by", "cited_by": "cited by"}
    for rel in data["relations"]:
        degree = f" ({rel['degree']})" if rel["degree"] else ""
        missing = "" if rel["resolved"] else "  " + _t("(not in the catalogue)")
        click.echo(f"  {_t(labels.get(rel['type'], rel['type']))}: {rel['target']}{degree}{missing}")
    for h in data["holdings"]:
        click.echo(f"  {_t('holding')}: {h['format']} {h['shelf_mark']} {h['access']} {h['note']}".rstrip())


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print {records, by_publisher, by_status, by_level} as JSON.")
@click.pass_context
@handle_errors
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts of records by publisher, by status and by level (international, foreign, national, industry ...),
    and of the benchmarking register."""
    with _store(ctx) as store:
        data = store.stats()
        data["benchmarking"] = store.count_register()
    if as_json:
        _emit_json(data)
        return
    click.echo(_t("records: {n}", n=data["records"]))
    for title, table in ((_t("by publisher"), data["by_publisher"]), (_t("by status"), data["by_status"]),
                         (_t("by level"), data["by_level"])):
        click.echo(f"{title}:")
        for name, n in table.items():
            label = _t(name) if table is not data["by_publisher"] else name
            click.echo(f"  {label:<12} {n}")
    counts = data["benchmarking"]
    click.echo(_t("benchmarking register: {results} results, {needs_review} needing review", **counts))
    click.echo(_t("  {enterprises} enterprises, {products} products, {certificates} certificates", **counts))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "gb7714"]), default="jsonl", show_default=True,
              help="jsonl: one show-contract record a line; csv: one flat row a record; "
                   "gb7714: one GB/T 7714-2015 reference a line.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of standard output.")
@click.pass_context
@handle_errors
def export(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export every record, in key order."""
    from .present import EXPORT_COLUMNS, record_json, record_row

    with _store(ctx) as store:
        out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            n = 0
            if fmt == "jsonl":
                for rec in store.iter_records():
                    out.write(json.dumps(record_json(rec), ensure_ascii=False) + "\n")
                    n += 1
            elif fmt == "gb7714":
                from .citation import gb7714_text

                for rec in store.iter_records():
                    out.write(gb7714_text(rec) + "\n")
                    n += 1
            else:
                writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
                writer.writeheader()
                for rec in store.iter_records():
                    writer.writerow(record_row(rec))
                    n += 1
        finally:
            if output:
                out.close()
    click.echo(_t("exported {n} records to {output}", n=n, output=output) if output else _t("exported {n} records", n=n), err=True)


@main.command(cls=_IngestCommand)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", default=None, help=_ingest_format_help())
@click.option("--dry-run", is_flag=True, help="Read and validate only; write nothing.")
@click.option("--strict", is_flag=True, help="Make the whole run all-or-nothing: the first problem stops it.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the report (JSON) to FILE.")
@click.option("--encoding", default=None, help="Text encoding of CSV files when it cannot be detected (e.g. gb18030).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (DESIGN.md contract).")
@click.pass_context
@handle_errors
def ingest(ctx, paths, fmt, dry_run, strict, report_file, encoding, as_json):
    """Load files, folders or archives into the catalogue and update the search index.

    Formats are detected from each file's content (a folder or archive: from its members');
    never from the name. Each file lands whole or not at all; every rejected record is reported
    as file:line: field: reason, every warning (a word a reader did not know; the record still
    landed) as warning: file:line: field: reason, and records that are not standards (a
    periodical's articles, conference papers) are skipped and counted by reason.
    """
    from .edges.service import Catalogue
    from ingest.progress import make_progress

    with Catalogue(ctx.obj["home"], create=True) as cat:
        report = cat.ingest(paths, fmt=fmt, dry_run=dry_run, strict=strict, encoding=encoding,
                            progress=make_progress(sys.stderr))
    data = report.to_json()
    if report_file:
        report_file.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if as_json:
        _emit_json(data)
    else:
        for p in report.problems:
            click.echo(_problem_line(p), err=True)
        for w in report.warnings:
            click.echo(_t("warning: {line}", line=_problem_line(w)), err=True)
        for reason, n in report.skip_reasons():
            click.echo(_t("skipped {n}: {reason}", n=n, reason=translate(reason, _lang())), err=True)
        click.echo(_summary(report) + _t(" in {seconds}s", seconds=f"{report.seconds:.1f}"), err=True)
    if report.unreadable and not report.files:
        sys.exit(2)  # nothing could be done: no input had a reader
    sys.exit(1 if report.rejected else 0)


@main.command()
@click.pass_context
@handle_errors
def reindex(ctx):
    """Rebuild the search index from the store into a fresh folder, then swap it in."""
    from .edges.service import Catalogue

    with Catalogue(ctx.obj["home"]) as cat:
        n = cat.reindex()
    click.echo(_t("reindexed {n} records", n=n), err=True)


@main.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100), help="Hits to show (at most 100).")
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Narrow by publisher, status, level, industry, ics, ccs, year, decade, committee, language or "
                   "system; repeatable.")
@click.option("--sort", default="relevance", type=click.Choice(["relevance", "designation", "date"]), show_default=True)
@click.option("--group", default="work", type=click.Choice(["work", "none"]), show_default=True,
              help="work: one hit per standard (other editions folded under it); none: every edition.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (DESIGN.md contract).")
@click.pass_context
@handle_errors
def search(ctx, query, limit, filters, sort, group, as_json):
    """Search by designation (any spelling) or words in Chinese, English or French."""
    from .edges.service import Catalogue
    from .errors import UsageError

    parsed: dict[str, list[str]] = {}
    for item in filters:
        field, sep, value = item.partition("=")
        if not sep or not value:
            raise UsageError(f"--filter '{item}' must be FIELD=VALUE, e.g. --filter status=current.")
        parsed.setdefault(field.strip(), []).append(value.strip())
    with Catalogue(ctx.obj["home"]) as cat:
        result = cat.search(query, filters=parsed, sort=sort, page_size=limit, group=group)
    data = result.to_json()
    if as_json:
        _emit_json(data)
    else:
        for item in data["not_held"]:
            click.echo(_t("{designation} is not in the catalogue.", designation=item["designation"]))
            for related in (r for r in data["related"] if r["for"] == item["designation"]):
                shown = related.get("designation") or related.get("id")
                click.echo("  " + _t("related ({why}): {shown}", why=_t(RELATED_WHY[related["why"]]), shown=shown))
            if item.get("lookup"):
                click.echo("  " + _t("look it up: {url}", url=item["lookup"]["url"]))
        for item in data["series"]:
            click.echo(_t("{designation} is a series of {n} parts, listed in part order.",
                          designation=item["designation"], n=item["parts"]))
        counted = "standards" if group == "work" else "editions"
        click.echo(_t("{n} results for '{query}'", n=data["total"], query=query)
                   + (" " + _t("(one per standard)") if counted == "standards" else ""), err=True)
        if data.get("suggestion"):
            click.echo(_t("did you mean: {suggestion}", suggestion=data["suggestion"]), err=True)
        for hit in data["hits"]:
            title = hit["titles"].get("zh") or hit["titles"].get("en") or next(iter(hit["titles"].values()), "")
            folded = hit.get("group", {}).get("count", 1) - 1
            more = " " + _t("(+{n} folded)", n=folded) if folded > 0 else ""
            click.echo(f"{hit['designation']:<32} {_t(hit['status']):<10} {title}{more}")
    sys.exit(0 if data["total"] else 1)


#: How `catalogue search` names each kind of related item of a designation not held.
RELATED_WHY = {"edition": "another edition", "adopted_by": "adopts it", "adopts": "adopted by it",
               "replaced_by": "replaces it", "system": "industry system", "scheme": "benchmarking scheme",
               "close": "close designation"}


@main.command("check-refs")
@click.argument("source")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a dated report, OUT.xlsx or OUT.pdf (in the --lang language).")
@click.option("--json", "as_json", is_flag=True, help="Print {references: [...]} as JSON (DESIGN.md contract); "
              "a list adds {list: {rows: [...]}}.")
@click.pass_context
@handle_errors
def check_refs(ctx, source, report_file, as_json):
    """Check the standards a text cites, or a list of standards (标准有效性确认).

    A list is an .xlsx or .csv file with a column of designations (under any heading: 标准号,
    Designation ...; found by its content otherwise), or a .docx (paragraphs and tables). Each
    line gets the designation recognised, its status, the edition in force, what replaced it,
    its adoption, its dates and a verdict: current, superseded, withdrawn, upcoming, unknown or
    ambiguous (lines without a designation are kept and marked). A text (.txt, .md, .html, or
    - for standard input) gets each reference's verdict and the corrected reference list.
    """
    from ingest.documents import MAX_BYTES, DocumentError, extract_text, read_limited
    from ingest.standard_list import ListError, is_list_name, read_standard_list

    from .errors import UsageError
    from .refcheck import MAX_REFERENCES, MAX_TEXT_CHARS, check_text_capped, corrected_list
    from .reflist import check_list, lines_of_text
    from .refreport import report_kind, write_pdf, write_xlsx

    kind = report_kind(report_file.name) if report_file else None
    name = "-" if source == "-" else Path(source).name
    listed = None
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise UsageError(_t("standard input is larger than {mb} MB; check it in parts.", mb=MAX_BYTES // 1048576))
            text = extract_text("stdin.txt", data)
        else:
            data = read_limited(source)
            if is_list_name(source):
                listed = read_standard_list(name, data)
            else:
                text = extract_text(name, data)
    except (DocumentError, ListError) as exc:
        raise UsageError(str(exc).rstrip(".") + ".") from exc
    with _store(ctx) as store:
        label = _t("the catalogue at {home}", home=store.home.resolve())
        if listed is not None:
            check = check_list(store, listed.lines, name=listed.name, kind=listed.kind, column=listed.column,
                               detected_by=listed.detected_by, headings=listed.headings, truncated=listed.truncated,
                               catalogue_label=label)
            refs, more = None, False
        else:
            if len(text) > MAX_TEXT_CHARS:
                raise UsageError(_t(
                    "The text is {count} characters long; the checker reads up to {limit} characters: check it in parts.",
                    count=f"{len(text):,}", limit=f"{MAX_TEXT_CHARS:,}"))
            refs, more = check_text_capped(store, text)
            check = check_list(store, lines_of_text(text), name=name, kind="text", detected_by="text",
                               catalogue_label=label, keep_plain=False) if report_file else None
    if report_file:
        body = write_xlsx(check, _lang()) if kind == "xlsx" else write_pdf(check, _lang())
        report_file.write_bytes(body)
    if as_json:
        if listed is not None:
            _emit_json({"references": check.references, "list": check.to_json()})
        else:
            _emit_json({"references": [r.to_json() for r in refs], **({"truncated": True} if more else {})})
    elif listed is not None:
        for row in check.rows:
            extra = f" -> {row.in_force['designation']}" if row.in_force and row.in_force["key"] != row.key else ""
            click.echo(f"{row.line}\t{row.as_given}\t{row.designation or '-'}\t{_t(row.verdict)}{extra}")
    else:
        for r in refs:
            extra = f" -> {r.current}" if r.current and r.current != r.text else ""
            click.echo(f"{r.text}\t{_t(r.verdict)}{extra}")
        if refs:
            click.echo("\n" + _t("corrected references:"))
            for line in corrected_list(refs):
                click.echo(f"  {line}")
        else:
            click.echo(_t("no standard designations found"), err=True)
    if more:
        click.echo(_t("only the first {n} references were checked; check the text in parts.", n=MAX_REFERENCES), err=True)
    if listed is not None and listed.truncated:
        click.echo(_t("only the first {n} lines of the list were checked.", n=len(listed.lines)), err=True)
    if report_file:
        click.echo(_t("report written to {path}", path=report_file), err=True)
    all_current = check.all_current if listed is not None else bool(refs) and all(r.verdict == "current" for r in refs)
    sys.exit(0 if all_current else 1)


@main.command()
@click.option("--since", required=True, help="A date, YYYY-MM-DD: list changes on or after it.")
@click.option("--scheme", "scheme_id", default=None, help="Only standards this benchmarking scheme cites.")
@click.option("--system", "system_id", default=None, help="Only standards this industry system lists.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as a JSON list.")
@click.pass_context
@handle_errors
def changes(ctx, since, scheme_id, system_id, as_json):
    """Cited standards whose status or edition in force changed since a date."""
    import re

    from .errors import NotFound, UsageError
    from .systems import changes_for

    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", since):
        raise UsageError(f"--since '{since}' is not a date; write it as YYYY-MM-DD.")
    with _store(ctx) as store:
        if scheme_id and not store.has_scheme(scheme_id):
            raise NotFound(f"No benchmarking scheme '{scheme_id}'; `catalogue changes --help` says how to list them.")
        if system_id and not store.has_system(system_id):
            raise NotFound(f"No standard system '{system_id}'.")
        events = changes_for(store, since, scheme_id, system_id)
    if as_json:
        _emit_json(events)
        return
    for e in events:
        now = _t(" (in force now: {designation})", designation=e["in_force_designation"]) if e["in_force_designation"] else ""
        click.echo(f"{e['at'][:10]}  {e['designation']}  {_t(e['field'])}: {_t(e['old'] or '-')} -> {_t(e['new'])}{now}")
    if not events:
        click.echo(_t("no changes since {since}", since=since), err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Server processes; 2 uses both cores of a 2-core machine (each holds its own memory).")
@click.option("--base-url", default=None, envvar="CATALOGUE_BASE_URL",
              help="The public address links are built from (https://museum.example/catalogue); "
                   "default $CATALOGUE_BASE_URL, else the address served on. Never taken from requests.")
@click.pass_context
@handle_errors
def serve(ctx, host, port, workers, base_url):
    """Serve the catalogue on the web with a production WSGI server (waitress).

    Creates the demo catalogue first if there is no catalogue yet.
    """
    from .store import catalogue_home, DB_NAME
    from .web.serve import serve as run_server

    if base_url:
        from .web.baseurl import parse_base_url

        parse_base_url(base_url)  # refused before anything is loaded or bound
    home = catalogue_home(ctx.obj["home"])
    if not (home / DB_NAME).exists():
        click.echo(_t("No catalogue at {home}: loading the demo catalogue first.", home=home), err=True)
        _init_demo(home)
    click.echo(_t("Serving {home} on http://{host}:{port}/", home=home, host=host, port=port), err=True)
    run_server(home, host, port, workers, base_url)


def _init_demo(home):
    """Load the bundled demo catalogue through the ordinary ingest pipeline."""
    from ingest.progress import make_progress

    from .demo import demo_files
    from .edges.service import Catalogue

    with Catalogue(home, create=True) as cat:
        report = cat.ingest(demo_files(), progress=make_progress(sys.stderr), source_prefix="demo/")
        for p in report.problems:
            click.echo(_problem_line(p), err=True)
        click.echo(_t("Demo catalogue loaded into {home}: {summary}.", home=cat.home, summary=_summary(report)), err=True)
        _echo_accounts_hint(cat)
    return report


def _echo_accounts_hint(cat) -> None:
    """Once, when the demo is made: it holds no accounts (no passwords in the repository), so say
    how to add a librarian and a user for one of its enterprises (README, "Trying the workflow")."""
    if cat.store.list_user_rows():
        return
    enterprises = cat.store.list_enterprise_choices()
    click.echo(_t("No accounts yet: the demo makes none. To sign in and try the register's workflow, add some (each asks for a password):"), err=True)  # noqa: E501 - one msgid
    click.echo(f"  catalogue --home {cat.home} user add librarian --role librarian", err=True)
    if enterprises:
        first = enterprises[0]
        click.echo(f"  catalogue --home {cat.home} user add demo-enterprise --role enterprise "
                   f"--enterprise {first['credit_code']}", err=True)
        click.echo(_t("The demo's enterprises (--enterprise takes the credit code or the id):"), err=True)
        for e in enterprises:
            name = e["names"].get(_lang()) or e["names"].get("zh") or e["names"].get("en", "")
            click.echo(f"  {e['credit_code']}  {e['id']}  {name}", err=True)


if __name__ == "__main__":  # pragma: no cover
    # `python -m catalogue.cli`: run the importable module's group, which has every command
    # (importing cli_users from here would import this file a second time, half made).
    from catalogue.cli import main as _main

    _main()
else:
    from .cli_users import user as _user_group  # it builds on the helpers above

    main.add_command(_user_group)
