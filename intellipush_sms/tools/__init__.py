# Plain-Python helpers of the Intellipush gateway. Nothing in this package may
# import Odoo: the modules are unit-tested on their own (see tests/ at the
# repository root) and reused by the sandbox and the benchmarks.
