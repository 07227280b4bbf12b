"""How gunicorn serves the app (`make run`, and production with the same file): read from the
working directory by gunicorn itself; command-line options override it.

Threaded workers, so that a client that connects and sends nothing (a phone on a bad line, a
laptop that went to sleep) cannot hold a worker: with the sync worker, two such connections
stopped the app for everyone for 60 s (issue 17 §10). A thread waits at most
`DATA_WAIT_SECONDS` for a connection's first bytes before giving it back to the worker's
poller, where an idle connection costs no thread. A slow sender of a large body still holds a
thread while it sends: in production, a TLS proxy in front that buffers whole requests before
they reach gunicorn (nginx does by default) takes that away too.
"""

import gunicorn.workers.gthread

bind = "127.0.0.1:5000"
workers = 2
worker_class = "gthread"
threads = 8
timeout = 60  # a worker whose main loop stops answering for this long is restarted
keepalive = 5
worker_connections = 200  # connections per worker, idle ones included; more wait in the listen queue
max_requests = 2000  # a worker is renewed now and then, so no slow leak can grow
max_requests_jitter = 200

# gunicorn waits 5 s in a worker thread for a new connection's first bytes; an idle
# connection then holds one of the threads that long. A browser sends its request at once.
DATA_WAIT_SECONDS = 0.5
gunicorn.workers.gthread.DEFAULT_WORKER_DATA_TIMEOUT = DATA_WAIT_SECONDS
