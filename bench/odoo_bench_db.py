"""A benchmark database with our addons, created once and reused: shared by
the benchmarks that need Odoo."""

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FINGERPRINT_KEY = "intellipush_bench.code_fingerprint"


def addons_path():
    import odoo  # noqa: PLC0415 (only once we know Odoo is importable)

    odoo_dir = Path(odoo.__file__).parent
    paths = [odoo_dir.parent / "addons", odoo_dir / "addons"]
    return ",".join([str(path) for path in paths if path.is_dir()] + [str(REPO_ROOT)])


def code_fingerprint():
    """A digest of our addons' code and data files: a database built from
    other code is updated before a benchmark measures it."""
    digest = hashlib.sha256()
    for path in sorted(REPO_ROOT.glob("intellipush_*/**/*")):
        if path.is_file() and path.suffix in {".py", ".xml", ".csv"}:
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _psql(db, sql):
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-d", db, "-Atc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def vacuum(db):
    """``VACUUM ANALYZE`` the bench database: each run starts on tables without
    the previous run's dead rows and with fresh statistics, whether or not the
    server's autovacuum is on (it may be off, as on our CI machine)."""
    _psql(db, "VACUUM ANALYZE")


def open_registry(db, addon):
    """The registry of ``db``, created first with ``addon`` installed if
    missing, and updated first if it was built from other code."""
    listed = subprocess.run(["psql", "-h", "127.0.0.1", "-lqt"], capture_output=True, text=True, check=True).stdout
    fingerprint = code_fingerprint()
    exists = db in {line.split("|")[0].strip() for line in listed.splitlines()}
    built_from = exists and _psql(db, f"SELECT value FROM ir_config_parameter WHERE key = '{FINGERPRINT_KEY}'")
    if not exists or built_from != fingerprint:
        action = f"--update={addon}" if exists else f"--init={addon}"
        print(f"{'Updating' if exists else 'Creating'} the database {db}...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "odoo", "server", f"--database={db}", "--db_host=127.0.0.1",
             f"--addons-path={addons_path()}", action, "--without-demo=all",
             "--stop-after-init", "--log-level=warn"],
            check=True,
        )  # fmt: skip
        _psql(
            db,
            f"INSERT INTO ir_config_parameter (key, value) VALUES ('{FINGERPRINT_KEY}', '{fingerprint}')"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        )
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([f"--database={db}", "--db_host=127.0.0.1", f"--addons-path={addons_path()}"])
    return odoo.modules.registry.Registry(db)


def connect_main_company(env, base_url, api_id, api_secret, credits_needed, **values):
    """The main company sending through the sandbox at ``base_url``, with at
    least ``credits_needed`` credits and no low-balance activity mid-run."""
    company = env.ref("base.main_company")
    company.write(
        {
            "sms_provider": "intellipush",
            "intellipush_api_id": api_id,
            "intellipush_api_secret": api_secret,
            "intellipush_base_url": base_url,
            "intellipush_country_id": env.ref("base.no").id,
            "intellipush_quiet_hours": False,  # a run at night measures sending, not waiting
            **values,
        }
    )
    wallet = env["intellipush.credit.wallet"]._for_company(company)
    wallet.low_balance_threshold = 0
    if wallet._available() < credits_needed:
        wallet._purchase(credits_needed, 0.59 * credits_needed, company.currency_id)
    return company


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
