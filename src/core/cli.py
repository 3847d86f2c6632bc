"""The ``ecr`` command: database, users, audit, worker, OpenAPI."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from pathlib import Path


def _db_upgrade(args: argparse.Namespace) -> int:
    from core.migrations import upgrade
    from core.settings import get_settings

    upgrade(get_settings().database_url, args.revision)
    print(f"database upgraded to {args.revision}")
    return 0


def _users_create(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import IntegrityError

    from core.audit import record
    from core.auth.models import User
    from core.auth.passwords import MIN_LENGTH, hash_password
    from core.auth.roles import ALL_ROLES
    from core.db.session import session_scope

    bad = [r for r in args.role if r not in ALL_ROLES]
    if bad:
        print(f"unknown role(s): {', '.join(bad)}; known: {', '.join(sorted(ALL_ROLES))}", file=sys.stderr)
        return 2
    email = args.email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or not domain or any(c.isspace() for c in email) or len(email) > 254:
        print("--email must be an email address", file=sys.stderr)
        return 2
    name = args.name.strip()
    if not name or len(name) > 200:
        print("--name must have 1 to 200 characters", file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_LENGTH:
        print(f"the password must have at least {MIN_LENGTH} characters", file=sys.stderr)
        return 2
    try:
        with session_scope() as session:
            user = User(email=email, name=name, password_hash=hash_password(password),
                        roles=sorted(set(args.role)), agency=args.agency, is_active=True)
            session.add(user)
            session.flush()
            record(session, actor="cli", action="user.create", subject_type="user", subject_id=user.id,
                   data={"roles": user.roles})
            print(f"created user {user.id} <{user.email}> with roles {', '.join(user.roles) or '(none)'}")
    except IntegrityError:
        print("a user with this email exists", file=sys.stderr)
        return 1
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    from core.audit import verify
    from core.db.session import session_scope

    with session_scope() as session:
        result = verify(session)
    print(json.dumps(result.as_dict(), default=str))
    return 0 if result.ok else 1


def _audit_seal(args: argparse.Namespace) -> int:
    from core.audit import seal_all
    from core.db.session import session_factory

    print(json.dumps({"sealed": seal_all(session_factory(None))}))
    return 0


def _worker(args: argparse.Namespace) -> int:
    from core.audit import seal_all
    from core.db.session import session_factory
    from core.logging import configure_logging
    from core.outbox.worker import deliver_due, smtp_sender
    from core.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)
    sender = smtp_sender(settings.smtp_url, settings.smtp_from) if settings.smtp_url else None
    if sender is None:
        print("ECR_SMTP_URL is not set: emails stay queued; sealing the audit trail and the "
              "periodic jobs still run", file=sys.stderr)
    factory = session_factory(None)
    from core.app import create_app
    from core.jobs import run_periodic_jobs

    create_app(settings, start_worker=False)  # loads the domain modules and their jobs
    last_periodic = float("-inf")  # the first pass runs the periodic jobs
    while True:
        if time.monotonic() - last_periodic > 3600:
            last_periodic = time.monotonic()
            run_periodic_jobs(factory)
        sealed = seal_all(factory)
        sent, failed = deliver_due(factory, sender) if sender is not None else (0, 0)
        if args.once:
            print(json.dumps({"sent": sent, "failed_or_deferred": failed, "audit_sealed": sealed}))
            return 0
        if not sent:
            time.sleep(settings.worker_poll_seconds)


def _openapi(args: argparse.Namespace) -> int:
    from core.openapi_export import export

    changed = export(Path(args.out), check=args.check)
    if args.check and changed:
        print("openapi/ is out of date: run `make openapi`:\n  " + "\n  ".join(changed), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ecr", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_cmd", required=True)
    up = db.add_parser("upgrade", help="apply the migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_db_upgrade)

    users = sub.add_parser("users", help="users").add_subparsers(dest="users_cmd", required=True)
    create = users.add_parser("create", help="create a user; the password is read from stdin")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", action="append", default=[])
    create.add_argument("--agency")
    create.set_defaults(func=_users_create)

    audit = sub.add_parser("audit", help="audit trail").add_subparsers(dest="audit_cmd", required=True)
    ver = audit.add_parser("verify", help="verify the hash chain")
    ver.set_defaults(func=_audit_verify)
    seal_cmd = audit.add_parser("seal", help="chain the audit events recorded since the last seal")
    seal_cmd.set_defaults(func=_audit_seal)

    worker = sub.add_parser("worker", help="deliver queued emails, seal the audit trail, run periodic jobs")
    worker.add_argument("--once", action="store_true")
    worker.set_defaults(func=_worker)

    oa = sub.add_parser("openapi", help="write openapi.json and the workflow diagrams")
    oa.add_argument("--out", default="openapi")
    oa.add_argument("--check", action="store_true")
    oa.set_defaults(func=_openapi)

    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
