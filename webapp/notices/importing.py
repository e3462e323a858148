"""Import the notice a firm already has: paste or upload, get a draft in the wizard with a report."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tenants.errors import ValidationFailed
from tenants.notices import service
from tenants.notices.importing import NoticeTooLong, UnreadableFile, import_notice, read_source

from ..auth_session import tenant_required
from ..db import db
from ..errors import MESSAGES, note_plan_limit
from ..forms import ActionForm
from ..unit_of_work import mark_rollback_only
from .views import bp, section_name

log = logging.getLogger(__name__)

# What a person reads when the pasted text or the file cannot be read. Keys are UnreadableFile codes.
UNREADABLE = {
    "import_file_type": _l("Upload a .txt, .html, .md or .docx file, or paste the text."),
    "import_file_too_large": _l("The file is too large (at most 2 MB)."),
    "import_text_too_long": _l("The text is too long (at most 2 MB)."),
    "import_empty": _l("Paste the text of your notice, or choose a file."),
    "import_encoding": _l("The file's characters could not be read. Save it as UTF-8 text and try again."),
    "import_not_docx": _l("This does not look like a Word (.docx) file."),
}


@bp.route("/import", methods=["GET", "POST"])
@tenant_required
def import_page():
    """Paste or upload; the result opens in the wizard with an import report."""
    values = {"title": "", "text": ""}
    error = None
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        values = {"title": request.form.get("title", ""), "text": request.form.get("text", "")}
        try:
            upload = request.files.get("file")
            source, kind = read_source(values["text"], upload.filename if upload else None, upload)
            result = import_notice(source, content_type=kind)
            notice = service.create_imported_notice(
                db(),
                g.tenant.id,
                by_user_id=current_user.id,
                result=result,
                title=values["title"],
                now=datetime.now(UTC),
            )
        except UnreadableFile as exc:
            error = str(UNREADABLE[exc.code])
        except NoticeTooLong as exc:
            error = _(
                "The part “%(section)s” is too long for one section of a notice. Shorten or split it, then import again.",
                section=section_name(exc.where),
            )
        except ValidationFailed as exc:
            note_plan_limit(exc)
            error = str(MESSAGES.get(exc.code, exc.code))
        else:
            return redirect(url_for("notices.step", notice_id=notice.id, step="basics", imported=1))
        mark_rollback_only()
    return render_template("notices/import.html", values=values, error=error, form=ActionForm()), (
        400 if error else 200
    )
