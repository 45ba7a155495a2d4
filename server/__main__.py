"""Command line: `python -m server serve | migrate | create-user | demo | check-migrations | import-legacy`.

Each command imports what it needs when it runs, so `migrate` does not load the web app.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable

from server.importer.command import add_arguments as add_import_arguments
from server.settings import SettingsError, get_settings


def _migrate(direction: str = "forwards", target: str = "all") -> None:
    from piccolo.apps.migrations.commands.backwards import run_backwards
    from piccolo.apps.migrations.commands.forwards import run_forwards

    async def run() -> None:
        if direction == "forwards":
            response = await run_forwards(app_name="server", migration_id=target, fake=False)
        else:
            response = await run_backwards(app_name="server", migration_id=target, auto_agree=True)
        if not response.success:
            raise SystemExit(f"migration failed: {response.message}")

    asyncio.run(run())


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if not args.no_migrate:
        _migrate()
    uvicorn.run(
        "server.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=5,  # open event streams must not hold a shutdown forever
    )
    return 0


def _migrate_command(args: argparse.Namespace) -> int:
    _migrate(args.direction, args.target)
    return 0


def _create_user(args: argparse.Namespace) -> int:
    import msgspec

    from server.errors import ApiError, decode_error
    from server.users.passwords import check_password
    from server.users.schemas import SignUp
    from server.users.service import create_user

    password = args.password or getpass.getpass("Password: ")
    try:
        # the same rules as sign-up
        data = msgspec.convert({"email": args.email, "password": password}, SignUp)
        check_password(data.password, data.email)
        user = asyncio.run(create_user(email=data.email, password=data.password))
    except msgspec.ValidationError as exc:
        print(f"refused: {decode_error(exc, prefix='').message}", file=sys.stderr)
        return 1
    except ApiError as exc:
        print(f"refused: {exc.message}", file=sys.stderr)
        return 1
    print(f"created {user.email} ({user.id})")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from server.workflow.demo import main as create_demo

    _migrate()
    mailbox = None
    if args.mailbox_host:
        mailbox = {
            "host": args.mailbox_host,
            "port": args.mailbox_port,
            "username": args.mailbox_username,
            "password": args.mailbox_password,
            "security": args.mailbox_security,
        }
        mailbox = {name: value for name, value in mailbox.items() if value not in (None, "")}
    made = create_demo(email=args.email, password=args.password, run=args.run, mailbox=mailbox)
    account = f"{made.email} / {made.password}" if made.password else f"{made.email} (existing account)"
    print(
        f"demo account: {account}\nsession {made.session_id}\nmission {made.mission_id}: "
        f"{made.mission_status}\nhop {made.hop_id}: {made.hop_status}\n"
        f"newsletter recap: session {made.recap_session_id}\nmission {made.recap_mission_id}\n"
        f"hop {made.recap_hop_id}: {made.recap_hop_status}"
    )
    return 0


def _check_migrations(args: argparse.Namespace) -> int:
    from server.migration_check import main as check

    return check()


def _import_legacy(args: argparse.Namespace) -> int:
    from server.importer import command

    return command.run(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": _serve,
    "migrate": _migrate_command,
    "create-user": _create_user,
    "demo": _demo,
    "check-migrations": _check_migrations,
    "import-legacy": _import_legacy,
}


def parser() -> argparse.ArgumentParser:
    settings = get_settings().server
    root = argparse.ArgumentParser(prog="python -m server", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server (migrates the database first)")
    serve.add_argument("--host", default=settings.host)
    serve.add_argument("--port", type=int, default=settings.port)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")
    serve.add_argument("--reload", action="store_true", help="restart when server code changes (development)")

    migrate = commands.add_parser("migrate", help="apply (or undo) migrations")
    migrate.add_argument("direction", nargs="?", choices=["forwards", "backwards"], default="forwards")
    migrate.add_argument("--target", default="all", help="migration id, or `all`")

    create_user = commands.add_parser("create-user", help="create an account")
    create_user.add_argument("email")
    create_user.add_argument("--password", help="read from the terminal when omitted")

    demo = commands.add_parser("demo", help="create a demo account with a runnable mission (migrates first)")
    demo.add_argument("--email", default="demo@example.com")
    demo.add_argument("--password", default="demo-password")
    demo.add_argument("--run", action="store_true", help="also execute the missions' hops, so they complete")
    demo.add_argument("--mailbox-host", help="IMAP host of the newsletter recap's mailbox (else left to configure)")
    demo.add_argument("--mailbox-port", type=int)
    demo.add_argument("--mailbox-username")
    demo.add_argument("--mailbox-password", help="its password or app password")
    demo.add_argument("--mailbox-security", choices=["tls", "starttls", "none"])

    commands.add_parser(
        "check-migrations", help="exit 1 and print the differences when a table changed without a migration"
    )

    import_legacy = commands.add_parser(
        "import-legacy",
        help="import an earlier system's database (exit 0 done, 1 problems: nothing written, 2 usage or connection)",
    )
    add_import_arguments(import_legacy)
    return root


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except SettingsError as exc:
        print(f"python -m server: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
