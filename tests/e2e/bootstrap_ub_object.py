#!/usr/bin/env python3
"""UB-1..7: server A removed by a server-initiated Bootstrap-Delete (object): A receives its
De-register and its observation stops; see bootstrap_ub_common.py."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
import bootstrap_ub_common  # noqa: E402

lwgwtest.main(lambda r: bootstrap_ub_common.run(r, "object"))
