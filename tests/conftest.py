"""pytest configuration: load the Jython harness plugin (``tests/harness/plugin.py``).

See ``tests/harness/plugin.py`` for the options (``--jy-impl``, ``--jy-timeout``,
``--jy-log-dir``) and ``tests/harness/peers.py`` for the test peers.
"""

from harness.plugin import (  # noqa: F401  (pytest finds hooks and fixtures by name)
    jns_peers,
    jy_impl,
    pytest_addoption,
    pytest_collect_file,
    pytest_configure,
    pytest_report_header,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
