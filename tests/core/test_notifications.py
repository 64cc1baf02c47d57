"""In-app notifications and email delivery."""

from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from space import jobs, notify
from space.db import db, utcnow
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def test_the_bell_shows_the_unread_count_and_the_list_marks_read(client, login, post):
    ada = factories.user("ada")
    for _ in range(3):
        notify.notify(ada.id, "message", text="Welcome aboard")
    db.session.commit()
    login(ada)
    home = client.get("/").get_data(as_text=True)
    assert '<span class="badge"' in home and ">3</span>" in home
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count("Welcome aboard") == 3
    post("/notifications/read", token_from="/notifications")
    assert notify.unread_count(ada.id) == 0
    assert '<span class="badge"' not in client.get("/").get_data(as_text=True)


def test_opening_a_notification_marks_it_read_and_follows_it(client, login, post):
    ada = factories.user("ada")
    item = notify.notify(ada.id, "message", text="See groups", url="/groups")
    db.session.commit()
    login(ada)
    response = post(f"/notifications/{item.id}/open", token_from="/notifications")
    assert response.headers["Location"] == "/groups"
    assert notify.unread_count(ada.id) == 0


def test_nobody_opens_someone_elses_notification(client, login, post):
    item = notify.notify(factories.user("ada").id, "message", text="private")
    db.session.commit()
    login(factories.user("bob"))
    assert post(f"/notifications/{item.id}/open", token_from="/notifications").status_code == 404


def test_an_empty_list_says_what_will_appear(client, login):
    login(factories.user("ada"))
    assert b"Nothing yet." in client.get("/notifications").data


def test_unknown_kinds_are_refused(app):
    with pytest.raises(KeyError):
        notify.notify(1, "no-such-kind")


def test_unread_notifications_are_emailed_after_the_delay_once(app):
    ada = factories.user("ada")
    item = notify.notify(ada.id, "message", text="Hello there")
    db.session.commit()
    assert notify.email_unread_notifications() == 0, "not before the delay"
    item.created_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert notify.email_unread_notifications() == 1
    assert notify.email_unread_notifications() == 0, "only once"
    message = db.session.scalar(select(notify.MailMessage))
    assert message.to == "ada@example.org" and "Hello there" in message.body


def test_read_notifications_and_opted_out_people_get_no_email(app):
    ada = factories.user("ada")
    bob = factories.user("bob")
    bob.email_notifications = False
    old = utcnow() - timedelta(hours=1)
    notify.notify(ada.id, "message", text="read already").created_at = old
    notify.notify(bob.id, "message", text="opted out").created_at = old
    db.session.commit()
    notify.mark_read(ada.id)
    db.session.commit()
    assert notify.email_unread_notifications() == 0


def test_emails_are_written_in_the_recipients_language(app):
    ada = factories.user("ada", locale="fr")
    notify.notify(ada.id, "group_join_approved", group="club", title="Club").created_at = (
        utcnow() - timedelta(hours=1)
    )
    db.session.commit()
    notify.email_unread_notifications()
    message = db.session.scalar(select(notify.MailMessage))
    with (ROOT / "translations/fr/LC_MESSAGES/messages.po").open("rb") as file:
        french = read_po(file, locale="fr")
    sentence = french.get("You are now a member of %(group)s").string % {"group": "Club"}
    assert sentence in message.body and sentence in message.subject


def test_delivery_without_smtp_logs_and_marks_sent(app, caplog):
    notify.queue_mail("ada@example.org", "Subject", "Body with https://link")
    db.session.commit()
    with caplog.at_level("INFO", logger="space.notify"):
        assert notify.deliver_due() == 1
    assert "Body with https://link" in caplog.text
    assert db.session.scalar(select(notify.MailMessage)).sent_at is not None


def test_delivery_over_smtp_talks_to_the_server(app):
    import smtplib
    import socket
    import threading

    received = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def fake_smtp():
        conn, _ = server.accept()
        file = conn.makefile("rwb")
        file.write(b"220 fake ESMTP\r\n")
        file.flush()  # noqa: E702
        data_mode = False
        for raw in file:
            line = raw.decode().rstrip("\r\n")
            if data_mode:
                if line == ".":
                    data_mode = False
                    file.write(b"250 queued\r\n")
                else:
                    received.append(line)
            elif line.upper().startswith(("EHLO", "HELO")):
                file.write(b"250 fake\r\n")
            elif line.upper().startswith("DATA"):
                data_mode = True
                file.write(b"354 go\r\n")
            elif line.upper().startswith("QUIT"):
                file.write(b"221 bye\r\n")
                file.flush()  # noqa: E702
                break
            else:
                file.write(b"250 ok\r\n")
            file.flush()
        conn.close()

    thread = threading.Thread(target=fake_smtp, daemon=True)
    thread.start()
    app.config["SPACE_MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    notify.queue_mail("ada@example.org", "Hi", "Over SMTP")
    db.session.commit()
    assert notify.deliver_due() == 1
    thread.join(5)
    server.close()
    assert any("Over SMTP" in line for line in received)
    assert smtplib  # used by the code under test


def test_a_failing_smtp_server_is_retried_later(app):
    app.config["SPACE_MAIL_URL"] = "smtp://127.0.0.1:1"
    notify.queue_mail("ada@example.org", "Hi", "Body")
    db.session.commit()
    assert notify.deliver_due() == 0
    message = db.session.scalar(select(notify.MailMessage))
    assert message.sent_at is None and message.attempts == 1 and message.error
    assert message.send_after > utcnow()


def test_mail_urls_are_parsed_and_bad_ones_refused():
    settings = notify.parse_mail_url("smtps://me%40x.org:p%2Fw@mail.example.org?starttls=0")
    assert (settings.host, settings.port, settings.username, settings.password, settings.ssl) == (
        "mail.example.org", 465, "me@x.org", "p/w", True)  # fmt: skip
    with pytest.raises(ValueError):
        notify.parse_mail_url("http://nope")


def test_a_job_runs_once_per_period_across_callers(app):
    ran = jobs.run_due({"mail.deliver"})
    assert ran == ["mail.deliver"]
    assert jobs.run_due({"mail.deliver"}) == [], "claimed for this period already"
    assert jobs.run_due({"mail.deliver"}, force=True) == ["mail.deliver"]


def test_the_outbox_command_shows_confirmation_links(runner, post):
    post(
        "/register",
        {
            "username": "ada",
            "email": "ada@example.org",
            "password": "a long password",
            "accept": "y",
        },
        token_from="/register",
    )
    result = runner.invoke(args=["space", "outbox"])
    assert result.exit_code == 0
    assert "ada@example.org" in result.output and "/confirm/" in result.output


class TestJobsOutsideARequest:
    """Production has no SERVER_NAME: links in job emails come from SPACE_BASE_URL."""

    @pytest.fixture
    def app_config(self):
        return {"SERVER_NAME": None, "SPACE_BASE_URL": "https://space.example.org"}

    def test_unread_notifications_are_emailed_with_links_to_the_site(self, app):
        ada = factories.user("ada")
        notify.notify(ada.id, "group_join_approved", group="club", title="Club").created_at = (
            utcnow() - timedelta(hours=1)
        )
        db.session.commit()
        assert jobs.run_due({"mail.notifications"}) == ["mail.notifications"]
        message = db.session.scalar(select(notify.MailMessage))
        assert message is not None, "the job failed"
        assert "https://space.example.org/g/club" in message.body
