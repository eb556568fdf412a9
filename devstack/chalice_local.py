"""`chalice local`, able to take a burst of registrations: `python -m devstack.chalice_local local ...`.

Chalice's dev server keeps socketserver's listen backlog of 5; a burst of
simultaneous posts (the minutes after an announcement) got connections reset
before the server saw them. API Gateway has no such limit, so neither should
the local stack. Everything else is Chalice's own command line.
"""

import sys

from chalice.cli import main
from chalice.local import ThreadedHTTPServer

ThreadedHTTPServer.request_queue_size = 256

if __name__ == "__main__":
    sys.exit(main())
