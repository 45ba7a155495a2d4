"""Command line: `python -m server serve | migrate | create-user | demo | check-migrations | import-legacy`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from server.importer import command as import_command


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


def main(argv: list[str] | None = None) -> int | None:
    parser = argparse.ArgumentParser(prog="python -m server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server (migrates the database first)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
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
    demo.add_argument("--run", action="store_true", help="also execute the mission's hop, so it completes")

    commands.add_parser(
        "check-migrations", help="exit 1 and print the differences when a table changed without a migration"
    )

    import_legacy = commands.add_parser(
        "import-legacy",
        help="import an earlier system's database (exit 0 done, 1 problems: nothing written, 2 usage or connection)",
    )
    import_command.add_arguments(import_legacy)

    args = parser.parse_args(argv)
    if args.command == "serve":
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
    elif args.command == "migrate":
        _migrate(args.direction, args.target)
    elif args.command == "create-user":
        import msgspec

        from server.errors import ApiError, decode_error
        from server.users.schemas import SignUp
        from server.users.service import create_user as create

        password = args.password or getpass.getpass("Password: ")
        try:
            # the same rules as sign-up
            data = msgspec.convert({"email": args.email, "password": password}, SignUp)
            user = asyncio.run(create(email=data.email, password=data.password))
        except msgspec.ValidationError as exc:
            print(f"refused: {decode_error(exc, prefix='').message}", file=sys.stderr)
            return 1
        except ApiError as exc:
            print(f"refused: {exc.message}", file=sys.stderr)
            return 1
        print(f"created {user.email} ({user.id})")
    elif args.command == "demo":
        from server.workflow.demo import main as create_demo

        _migrate()
        made = create_demo(email=args.email, password=args.password, run=args.run)
        account = f"{made.email} / {made.password}" if made.password else f"{made.email} (existing account)"
        print(
            f"demo account: {account}\nsession {made.session_id}\nmission {made.mission_id}: "
            f"{made.mission_status}\nhop {made.hop_id}: {made.hop_status}"
        )
    elif args.command == "check-migrations":
        from server.migration_check import main as check

        return check()
    elif args.command == "import-legacy":
        return import_command.run(args)


if __name__ == "__main__":
    sys.exit(main())
