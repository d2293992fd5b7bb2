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


def _emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
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
            _fail("interrupted; nothing of the file in progress was written.", 2)
        except BrokenPipeError:
            sys.exit(0)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="CATALOGUE_HOME",
              default=None, help="Catalogue folder (default $CATALOGUE_HOME or ./instance).")
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """The standards catalogue: ingest, search and serve technical standards."""
    ctx.obj = {"home": home}


def _store(ctx: click.Context, create: bool = False):
    from .store import Store

    return Store(ctx.obj["home"], create=create)


@main.command()
@click.option("--demo", is_flag=True, help="Load the bundled demo catalogue (ISO, IEC, GB records of the pillar industries).")
@click.pass_context
@handle_errors
def init(ctx: click.Context, demo: bool) -> None:
    """Create an empty catalogue (or the demo catalogue) under --home."""
    from .store import Store

    store = Store(ctx.obj["home"], create=True)
    if demo:
        from .demo import load_demo

        report = load_demo(store, progress=_progress_sink())
        click.echo(f"Demo catalogue loaded into {store.home}: {report.summary()}", err=True)
    else:
        click.echo(f"Catalogue ready at {store.home} ({store.count()} records).", err=True)
    store.close()


def _progress_sink():
    from ingest.progress import make_progress

    return make_progress(sys.stderr)


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
            click.echo(f"{item}\tError: {result['error']}")
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
        data = record_json(rec, res.resolved_from, in_force)
    if as_json:
        _emit_json(data)
        return
    if res.how == "in_force":
        click.echo(f"'{reference}' is undated: showing the edition in force, {rec.designation}.", err=True)
    elif res.how == "newest":
        click.echo(f"'{reference}' is undated and no edition is in force: showing the newest, {rec.designation}.", err=True)
    _print_record(data)


def _print_record(data: dict) -> None:
    click.echo(f"{data['designation']}  [{data['status']}]")
    for lang, title in data["titles"].items():
        click.echo(f"  title ({lang}): {title}")
    for name in ("published", "in_force", "withdrawn"):
        if data["dates"][name]:
            click.echo(f"  {name.replace('_', ' ')}: {data['dates'][name]}")
    for name in ("ics", "ccs", "committee", "edition", "pages"):
        value = data.get(name)
        if value:
            click.echo(f"  {name}: {', '.join(value) if isinstance(value, list) else value}")
    if data["edition_in_force"] and data["edition_in_force"] != data["key"]:
        click.echo(f"  edition in force: {data['edition_in_force']}")
    labels = {"replaced_by": "replaced by", "amended_by": "amended by", "corrected_by": "corrected by",
              "adopted_by": "adopted by", "cited_by": "cited by"}
    for rel in data["relations"]:
        degree = f" ({rel['degree']})" if rel["degree"] else ""
        mark = "" if rel["resolved"] else "  (not in the catalogue)"
        click.echo(f"  {labels.get(rel['type'], rel['type'])}: {rel['target']}{degree}{mark}")
    for h in data["holdings"]:
        click.echo(f"  holding: {h['format']} {h['shelf_mark']} {h['access']} {h['note']}".rstrip())


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print {records, by_publisher, by_status} as JSON.")
@click.pass_context
@handle_errors
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts of records by publisher and by status."""
    with _store(ctx) as store:
        data = store.stats()
    if as_json:
        _emit_json(data)
        return
    click.echo(f"records: {data['records']}")
    for title, table in (("by publisher", data["by_publisher"]), ("by status", data["by_status"])):
        click.echo(f"{title}:")
        for name, n in table.items():
            click.echo(f"  {name:<12} {n}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="jsonl: one show-contract record a line; csv: one flat row a record.")
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
            else:
                writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
                writer.writeheader()
                for rec in store.iter_records():
                    writer.writerow(record_row(rec))
                    n += 1
        finally:
            if output:
                out.close()
    click.echo(f"exported {n} records" + (f" to {output}" if output else ""), err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
