"""Time windows of the correlation, in milliseconds of `_messageTime`.

Sysmon stamps a network connection when its kernel trace reports it, which can be a little
before the Sysmon 1 of the same process is stamped (0.5 s in the shared mshta recording, 0.7 s
in the regsvr32 one) and a DNS query can be logged just after the connection it explains (3 ms
in the mshta recording). `CLOCK_SKEW_MS` absorbs that ordering noise; it is far shorter than
the time Windows takes to hand out a process id again.
"""

from __future__ import annotations

CLOCK_SKEW_MS = 5_000
# A DNS answer names a connection when the query was logged at most this long before it...
DNS_PROCESS_BEFORE_MS = 3_600_000  # ...by the same process (a resolver cache lasts about that)
DNS_HOST_BEFORE_MS = 300_000  # ...by any process on the same host
# ...or at most this long after it (either case).
DNS_AFTER_MS = 5_000
