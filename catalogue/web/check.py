"""The reference checker in the browser: ``/check`` (issue 6), and the validity check of a list (issue 16).

GET shows the forms (paste text, or upload a .docx, .html, .md or .txt; or upload a list of
standards as .xlsx, .csv or .docx). POST, with the session's CSRF token, checks the pasted text
and the document (pasted text first) and shows every reference found with its verdict, the
edition in force, and the corrected list to copy; or, for a list (field ``list``), one row a
line: the designation recognised, status, edition in force, replaced by, adoption, dates,
verdict. ``report=xlsx|pdf`` answers the list's dated report as a download instead.
``POST /check.json`` (or ``Accept: application/json``) answers the DESIGN.md ``check-refs``
contract ``{"references": [...]}`` plus ``"corrected"`` (a list adds ``"list"``); ``GET
/check.json`` answers an empty result and the CSRF token a script needs to post. At most
``MAX_REFERENCES`` references of a text are reported (``"truncated"`` says when there were more).
Works without JavaScript.
"""
from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request, url_for

from catalogue.errors import CatalogueError
from catalogue.i18n import translate
from catalogue.refcheck import MAX_REFERENCES, MAX_TEXT_CHARS, VERDICTS, check_text_capped, corrected_list
from catalogue.reflist import check_list
from catalogue.refreport import write_pdf, write_xlsx
from ingest.documents import KINDS, DocumentError, extract_text
from ingest.standard_list import KINDS as LIST_KINDS
from ingest.standard_list import ListError, read_standard_list

from . import get_catalogue
from .i18n import current_language
from .i18n import gettext as _
from .labels import verdict_label  # noqa: F401 - the verdicts' words live in the one vocabulary
from .queries import brief_records
from .render import add_twin_rules, wants_json
from .security import csrf_token
from .templating import render_page

bp = Blueprint("check", __name__)

#: The largest document the form accepts (the brief's 2 MiB).
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: Room for the pasted text (up to 4 bytes a character in UTF-8) and the multipart framing.
FORM_OVERHEAD = 4 * MAX_TEXT_CHARS + 64 * 1024
#: Characters shown either side of a reference, so a reader sees where it was found.
CONTEXT_CHARS = 24
ENDPOINTS = ("check.show_check", "check.show_check_json")

REPORT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


class CheckRefused(Exception):
    """The input cannot be checked; carries the sentence and the HTTP status (400 or 413)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def sentence(text: str) -> str:
    """End a message with a full stop: DocumentError messages come without one."""
    text = text.strip()
    return text if text.endswith((".", "。", "!", "?")) else text + "."


def set_upload_limits():
    """Raise the body limits for the checker only, and refuse an over-large upload by its header.

    Runs before the CSRF check (which reads the form, and so the body): without it the app-wide
    1 MiB cap would answer first, with a sentence that does not name the checker's limit.
    """
    if request.endpoint not in ENDPOINTS or request.method != "POST":
        return None
    limit = MAX_UPLOAD_BYTES + FORM_OVERHEAD
    request.max_content_length = limit
    request.max_form_memory_size = FORM_OVERHEAD
    if request.content_length is not None and request.content_length > limit:
        return refusal(too_large_message(), 413)
    return None


def too_large_message() -> str:
    """The sentence for an upload over the limit, naming the limit."""
    return _("The document is larger than %(mib)s MiB, the most the checker reads; check it in parts.",
             mib=MAX_UPLOAD_BYTES // (1024 * 1024))


def read_input() -> tuple[str, str, str]:
    """(pasted text, document name, text to check) from the posted form; refuses what cannot be read."""
    pasted = request.form.get("text", "")
    upload = request.files.get("document")
    name = ""
    parts = [pasted] if pasted.strip() else []
    if upload is not None and upload.filename:
        name = upload.filename
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise CheckRefused(too_large_message(), 413)
        if not data:
            raise CheckRefused(_("The file '%(name)s' is empty.", name=name))
        try:
            parts.append(extract_text(name, data))
        except DocumentError as error:
            raise CheckRefused(sentence(str(error))) from None
    if not parts:
        raise CheckRefused(_("Paste some text or choose a document to check."))
    text = "\n\n".join(parts)
    if len(text) > MAX_TEXT_CHARS:
        raise CheckRefused(_("The text is %(count)s characters long; the checker reads up to %(limit)s characters.",
                             count=f"{len(text):,}", limit=f"{MAX_TEXT_CHARS:,}"), 413)
    return pasted, name, text


def build_result(text: str) -> dict:
    """Every reference in ``text`` with its verdict, as the JSON contract plus links for the page."""
    store = get_catalogue().store
    refs, truncated = check_text_capped(store, text)
    # Candidates (works, for an undated number that exists only as parts) are named by the
    # designation of their edition in force, else their newest: readers never see internal keys.
    # A "work" holding only amendments or corrigenda (the store's part list counts them) is no
    # choice a reader can make: it is left out of the links (the JSON keeps every candidate).
    names: dict[str, str] = {}
    for key in {key for ref in refs for key in ref.candidates}:
        edition = store.edition_in_force_key(key) or next(
            (e.key for e in reversed(store.editions(key)) if not e.supplement), None)
        if edition:
            names[key] = edition
    briefs = brief_records(store, list(names.values()))
    references = []
    for ref in refs:
        item = ref.to_json()
        # Additions to the contract's fields: where to read the edition in force, and the
        # standards an ambiguous undated reference may mean.
        item["current_url"] = url_for("standards.show_standard", key=ref.current_key) if ref.current_key else None
        item["candidates"] = [{"key": key, "url": url_for("standards.show_standard", key=key),
                               "designation": briefs[names[key]]["designation"] if names.get(key) in briefs else None}
                              for key in ref.candidates]
        item["before"] = text[max(0, ref.start - CONTEXT_CHARS):ref.start]
        item["after"] = text[ref.end:ref.end + CONTEXT_CHARS]
        references.append(item)
    counts = {verdict: 0 for verdict in VERDICTS}
    for ref in refs:
        counts[ref.verdict] += 1
    result = {"references": references, "corrected": corrected_list(refs), "counts": counts}
    if truncated:
        result["truncated"] = True
        result["reference_limit"] = MAX_REFERENCES
    return result


def read_list():
    """The uploaded list (field ``list``) read into lines, or None when none was sent."""
    upload = request.files.get("list")
    if upload is None or not upload.filename:
        return None
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise CheckRefused(too_large_message(), 413)
    if not data:
        raise CheckRefused(_("The file '%(name)s' is empty.", name=upload.filename))
    if not upload.filename.lower().endswith(LIST_KINDS):
        raise CheckRefused(_("'%(name)s' is not a list the checker reads; use one of: %(kinds)s.",
                             name=upload.filename, kinds=", ".join(LIST_KINDS)))
    try:
        return read_standard_list(upload.filename, data)
    except ListError as error:
        raise CheckRefused(sentence(translate(str(error), current_language()))) from None


def catalogue_label() -> str:
    """What a list is checked against, as the report names it."""
    return f"{_('Standards catalogue')} · {_('Wenzhou Standards Museum')}"


def build_list_result(listed) -> tuple[dict, object]:
    """The list's check as the page's dict (rows with links) and the check itself (for a report)."""
    store = get_catalogue().store
    check = check_list(store, listed.lines, name=listed.name, kind=listed.kind, column=listed.column,
                       detected_by=listed.detected_by, headings=listed.headings, truncated=listed.truncated,
                       catalogue_label=catalogue_label())
    data = check.to_json()
    for row in data["rows"]:
        row["url"] = url_for("standards.show_standard", key=row["key"]) if row["found"] else None
        if row["in_force"]:
            row["in_force"]["url"] = url_for("standards.show_standard", key=row["in_force"]["key"])
        for target in row["replaced_by"]:
            target["url"] = url_for("standards.show_standard", key=target["key"])
    return {"references": check.references, "list": data}, check


def report_response(check, kind: str) -> Response:
    """The list's dated report as a download: XLSX or PDF, in the interface language."""
    lang = current_language()
    body = write_xlsx(check, lang) if kind == "xlsx" else write_pdf(check, lang)
    response = Response(body, mimetype=REPORT_TYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="validity-check-{check.checked_on}.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def page_data(pasted: str = "", name: str = "", result: dict | None = None, error: str = "") -> dict:
    """The dict both faces of the page render from."""
    data = {"references": [], "corrected": [], "counts": {}, "checked": False}
    if result is not None:
        data.update(result, checked=True)
    data.update(text=pasted, document=name, limits={"upload_bytes": MAX_UPLOAD_BYTES, "text_chars": MAX_TEXT_CHARS,
                                                     "references": MAX_REFERENCES},
                kinds=list(KINDS), list_kinds=list(LIST_KINDS))
    if error:
        data["error"] = error
    return data


def refusal(message: str, status: int):
    """The form again with the sentence (HTML), or the error object of the JSON contract."""
    if wants_json():
        response = jsonify({"ok": False, "error": message, "status": status})
        response.status_code = status
        return response
    pasted = request.form.get("text", "") if status != 413 else ""
    return render_page("check.html", **page_data(pasted, error=message), data={}), status


def show_check():
    """``/check``: the empty form (GET), or the checked references (POST)."""
    if request.method in ("GET", "HEAD"):
        data = page_data()
        if wants_json():
            data["csrf_token"] = csrf_token()
            return jsonify(data)
        return render_page("check.html", **data, data=data)
    report = request.form.get("report", "")
    if report and report not in REPORT_TYPES:
        return refusal(_("A report is XLSX or PDF: report=xlsx or report=pdf."), 400)
    try:
        listed = read_list()
        if listed is None:
            if report:
                raise CheckRefused(_("Reports are made for lists: choose a list of standards to check."))
            pasted, name, text = read_input()
    except CheckRefused as refused:
        return refusal(str(refused), refused.status)
    if listed is not None:
        result, check = build_list_result(listed)
        if report:
            try:
                return report_response(check, report)
            except CatalogueError as error:  # no CJK font for the PDF: say what to install
                return refusal(translate(str(error), current_language()), 503)
        data = page_data("", listed.name, result)
        if wants_json():
            return jsonify({k: v for k, v in data.items() if k != "text"})
        return render_page("check.html", **data, data=data)
    data = page_data(pasted, name, build_result(text))
    if wants_json():
        # The caller has the text it sent; echoing up to 500,000 characters back helps nobody.
        return jsonify({k: v for k, v in data.items() if k != "text"})
    return render_page("check.html", **data, data=data)


def init_app(app: Flask) -> None:
    """Put the checker's body limits ahead of every other request hook (the CSRF check reads the body)."""
    app.before_request_funcs.setdefault(None, []).insert(0, set_upload_limits)


add_twin_rules(bp, "/check", show_check, methods=["GET", "POST"])
