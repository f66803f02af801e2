"""A benchmark database with our addons, created once and reused: shared by
the benchmarks that need Odoo."""

import argparse
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def addons_path():
    import odoo  # noqa: PLC0415 (only once we know Odoo is importable)

    odoo_dir = Path(odoo.__file__).parent
    paths = [odoo_dir.parent / "addons", odoo_dir / "addons"]
    return ",".join([str(path) for path in paths if path.is_dir()] + [str(REPO_ROOT)])


def open_registry(db, addon):
    """The registry of ``db``, created first with ``addon`` installed if missing."""
    listed = subprocess.run(["psql", "-h", "127.0.0.1", "-lqt"], capture_output=True, text=True, check=True).stdout
    if db not in {line.split("|")[0].strip() for line in listed.splitlines()}:
        print(f"Creating the database {db} (once)...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "odoo", "server", f"--database={db}", "--db_host=127.0.0.1",
             f"--addons-path={addons_path()}", f"--init={addon}", "--without-demo=all",
             "--stop-after-init", "--log-level=warn"],
            check=True,
        )  # fmt: skip
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([f"--database={db}", "--db_host=127.0.0.1", f"--addons-path={addons_path()}"])
    return odoo.modules.registry.Registry(db)


def columns(cr, table, without):
    """The columns of ``table`` but ``without``: what a benchmark copies from a model row in SQL."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [name for (name,) in cr.fetchall() if name not in without]


def parse_sizes(description, default):
    """The ``--sizes`` a benchmark runs at, from its command line."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=default)
    return parser.parse_args().sizes
