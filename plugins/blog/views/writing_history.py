"""A story's revisions: the list with any two compared side by side (``blog.revisions``) and
restoring one (``blog.restore``, a new revision with the old text).

Only the story's own people and editors see its revisions, published or not: earlier
versions were never public.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from space.db import db
from space.errors import fail
from space.permissions import can

from ..services import history, locks
from ..services.revisions import StaleSave
from ..services.workflow import WorkflowError
from . import bp
from .editorial import is_insider
from .writing import editable, load
from .writing import number as whole_number


def _pair(head: int) -> tuple[int, int]:
    """The two revisions to compare from ``?a=&b=``: numbers of the story's revisions, else
    the head and the one before it."""
    b = whole_number(request.args.get("b"))
    b = b if b is not None and 0 < b <= head else head
    a = whole_number(request.args.get("a"))
    a = a if a is not None and 0 < a <= head else max(1, b - 1)
    return a, b


@bp.get("/stories/<int:story_id>/revisions")
def revisions(story_id: int):
    """Every revision, newest first (paginated), and two of them side by side."""
    story = load(story_id)
    if not is_insider(current_user, story):
        abort(404)
    head = story.revision_number
    if head == 0:
        abort(404)
    pages = history.pages(story)
    page = whole_number(request.args.get("page"))
    page = page if page is not None and 0 < page <= pages else 1
    a, b = _pair(head)
    return render_template(
        "blog/writing/revisions.html",
        story=story,
        listed=history.revisions(story, page=page),
        page=page,
        pages=pages,
        comparison=history.compare(story, a, b),
        numbers=list(range(head, 0, -1)),
        can_restore=can(current_user, "blog.story.edit", story),
    )


@bp.post("/stories/<int:story_id>/revisions/<int:number>/restore")
def restore(story_id: int, number: int):
    """Save revision ``number``'s text as a new revision. The form carries the head the
    person saw (``base_revision``): if someone saved since, nothing is restored."""
    story = editable(story_id)
    if history.get(story, number) is None:
        abort(404)
    back = url_for("blog.revisions", story_id=story.id)
    base = whole_number(request.form.get("base_revision"))
    if base is None:
        fail(400, _("The version you started from is not known. Reload the page."))
    holder = locks.holder(story)
    if holder is not None and holder.id != current_user.id:
        flash(_("%(name)s is editing this story: restore a version when they are done, or "
                "take over in the editor.", name=holder.name), "error")  # fmt: skip
        return redirect(back)
    try:
        revision = history.restore(current_user, story, number, base)
    except StaleSave:
        db.session.rollback()
        flash(_("Someone saved a newer version meanwhile: look at it before restoring."),
              "error")  # fmt: skip
        return redirect(back)
    except WorkflowError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    if revision is None:
        flash(_("The story already has the text of version %(n)s.", n=number), "info")
        return redirect(back)
    flash(_("Version %(old)s is restored as version %(new)s.", old=number, new=revision.number),
          "success")  # fmt: skip
    return redirect(url_for("blog.revisions", story_id=story.id, a=number, b=revision.number))
