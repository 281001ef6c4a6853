"""Test harness of jython-netty-sockets: CPython 3 peers and the pytest plugin that runs the
Jython-side unittest modules (``tests/jython/jy_*.py``) in Jython processes."""
