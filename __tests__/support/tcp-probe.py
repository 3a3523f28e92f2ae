"""TCP reachability for the host network test (no netcat on the test machine).

  tcp-probe.py serve PORT...      accepts on every port until killed; prints "ready" once listening
  tcp-probe.py connect HOST PORT  exit 0 when a connection opens within 1.5 s, 1 otherwise
"""
import select
import socket
import sys

if sys.argv[1] == "serve":
    listeners = []
    for port in sys.argv[2:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", int(port)))
        s.listen(16)
        listeners.append(s)
    print("ready", flush=True)
    while True:
        for s in select.select(listeners, [], [])[0]:
            s.accept()[0].close()
else:
    try:
        socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=1.5).close()
    except OSError:
        sys.exit(1)
