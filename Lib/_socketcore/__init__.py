"""The core behind our `_socket`, `socket` and `select` modules.

Where things live (one job per module):

- `netty`      -- which Netty we run on (io.netty, else Jython's bundled org.python.netty)
- `runtime`    -- the shared, lazily created daemon event-loop group and its shutdown
- `constants`  -- Linux values for every AF_/SOCK_/SO_/MSG_/... constant
- `errors`     -- exception classes and the one place Java exceptions become Python ones
- `addresses`  -- address tuples, name resolution (always on the caller's thread), inet_*,
  getaddrinfo
- `names`      -- getnameinfo and the services / protocols databases
- `options`    -- setsockopt / getsockopt for stream sockets, on the real Java options
- `timeouts`   -- the default timeout and timeout argument checks
- `bytesconv`  -- str/buffer <-> ByteBuf conversions
- `buffers`    -- the writable buffers recv_into accepts, and copying into them
- `fdtable`    -- small-int file numbers for sockets
- `readiness`  -- pure predicates: readable / writable / exceptional (no Java)
- `deadline`   -- the one wait-until-deadline routine used by every blocking call
- `watched`    -- readiness mask, select/poll watchers and change publishing of a state
- `channelstate` -- per-connection state shared by the event loop and user threads
- `handlers`   -- the Netty handlers (run on the event loop; never block)
- `tcp`        -- the `socket` object for SOCK_STREAM
- `socktypes`  -- which class `socket.socket(family, type)` returns
- `udp`        -- the `socket` object for SOCK_DGRAM (UDP over IPv4 / IPv6)
- `dgramstate` -- a datagram socket's receive queue, fed by the event loop
- `dgramoptions` -- datagram and multicast socket options
- `unix`       -- AF_UNIX stream sockets and `socketpair()`
- `domainchannel` -- Netty channels over Java's Unix domain socket channels
- `selection`  -- `select.select` over edge notifications
- `selectcache` -- select's fast path for lists passed again (registrations kept per thread)
- `polling`    -- `select.poll`, and the registration core it shares with epoll
- `epolling`   -- `select.epoll` (level, edge-triggered and one-shot)
- `fileobject` -- `socket._fileobject` (makefile)
- `tlsconstants`, `tlserrors` -- ssl's constants; ssl's exceptions and Java TLS failures -> them
- `tlscerts`, `tlshostname`, `tlsciphers` -- PEM/DER, keys, certificate dicts; match_hostname;
  OpenSSL cipher strings <-> JSSE suites
- `tlscontext` -- ssl.SSLContext (one Netty SslContext per configuration)
- `tlspipeline` -- the event-loop side of TLS: SslHandler and event handlers, TlsSession
- `tlssocket`  -- ssl.SSLSocket: handshake, read/write, close and unwrap for the user
"""
