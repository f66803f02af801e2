# Shared by scripts/demo and scripts/test: checks and installs what they need.
# Sourced, not run.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$REPO_ROOT/.run"
export PIP_ROOT_USER_ACTION=ignore
mkdir -p "$RUN_DIR"

require_odoo() {
    if ! python3 -c "import odoo.release as r; assert r.version_info[0] == 18" >/dev/null 2>&1; then
        echo "ERROR: python3 cannot import Odoo 18 ('import odoo' fails or is another version). Install Odoo 18.0 Community for python3 first (see README.md)." >&2
        exit 2
    fi
}

install_python_requirements() {
    python3 -m pip install --quiet --disable-pip-version-check -r "$REPO_ROOT/requirements.txt" \
        || { echo "ERROR: pip could not install requirements.txt" >&2; exit 2; }
}

install_node_requirements() {
    # Twilio's segment calculator: the reference the encoder is tested against.
    if [ ! -d "$REPO_ROOT/bench/node_modules/sms-segments-calculator" ]; then
        npm ci --prefix "$REPO_ROOT/bench" --no-audit --no-fund --loglevel=error \
            || { echo "ERROR: npm ci in bench/ failed" >&2; exit 2; }
    fi
}

install_chromium() {
    # Odoo's browser tours run in headless Chromium.
    if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
        && ! command -v google-chrome >/dev/null 2>&1; then
        echo "Installing Chromium for the browser tours..."
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
            || { echo "ERROR: could not install chromium with apt-get" >&2; exit 2; }
    fi
}

ensure_postgres() {
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        echo "Starting PostgreSQL..."
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start \
            || { echo "ERROR: PostgreSQL is not running and could not be started" >&2; exit 2; }
        for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 1; done
        echo "ERROR: PostgreSQL did not come up" >&2; exit 2
    fi
}

# Odoo's own addons (source checkout or pip install) followed by ours.
odoo_addons_path() {
    python3 - "$REPO_ROOT" <<'PY'
import os, sys
import odoo
package_dir = os.path.dirname(odoo.__file__)
paths = [os.path.join(os.path.dirname(package_dir), "addons"), os.path.join(package_dir, "addons")]
print(",".join([p for p in paths if os.path.isdir(p)] + [sys.argv[1]]))
PY
}

# Every addon of this repository, comma-separated.
our_addons() {
    (cd "$REPO_ROOT" && ls -d */__manifest__.py | cut -d/ -f1 | paste -sd, -)
}

# The demo company is Norwegian from the start: right after base, before any
# app, it gets Norway and NOK, as Odoo's database manager does for the country
# chosen when a database is created. Installing account then brings the
# Norwegian chart of accounts (l10n_no: NOK, 25 % MVA), loaded on the company
# when that run ends; the apps of the next run need it. Later the currency
# could no longer change: Odoo refuses once journal entries exist. Our demo
# data then makes the rest of the company Norwegian (Demobutikk AS, Oslo).
create_demo_database() {
    # "$@": the Odoo options of the database (--database, --addons-path, ...).
    local args=("$@")
    python3 -m odoo server "${args[@]}" --init=base --load-language=nb_NO --stop-after-init --log-level=warn \
        || return 1
    python3 -m odoo shell "${args[@]}" --no-http --log-level=warn <<'PY' || return 1
env.ref("base.main_company").write({"country_id": env.ref("base.no").id, "currency_id": env.ref("base.NOK").id})
env.cr.commit()
PY
    python3 -m odoo server "${args[@]}" --init=account --stop-after-init --log-level=warn || return 1
    python3 -m odoo server "${args[@]}" --init="$(our_addons)" --stop-after-init --log-level=warn || return 1
    # l10n_no's demo data adds a second company, "NO Company", with its own
    # books: the demo shows one shop, so it is archived.
    python3 -m odoo shell "${args[@]}" --no-http --log-level=warn <<'PY'
company = env.ref("base.demo_company_no", raise_if_not_found=False)
if company:
    company.active = False
    env.cr.commit()
PY
}
