"""Run Odoo's server with its tests, every at_install test once the whole
registry is loaded: ``python3 scripts/odoo_whole_registry_tests.py server ...``.

Odoo runs a module's at_install tests while the registry is still loading,
right after that module: Odoo's own SMS suites would then never meet our
addons, which load later. Here they run, at_install first, with the
post_install ones, on a database whose modules are all installed already.
"""

import sys

from odoo.tests import loader
from odoo.tests.suite import OdooSuite

_make_suite = loader.make_suite


def make_suite(module_names, position="at_install"):
    if position == "at_install":
        return OdooSuite([])  # nothing while modules load
    return OdooSuite([*_make_suite(module_names, "at_install"), *_make_suite(module_names, "post_install")])


loader.make_suite = make_suite

if __name__ == "__main__":
    import odoo.cli

    sys.argv = ["odoo", *sys.argv[1:]]
    odoo.cli.main()
