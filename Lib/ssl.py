"""ssl: not provided yet by jython-netty-sockets.

TLS on Netty's SslHandler is the project's TLS issue.  Until it lands, importing `ssl`
raises ImportError (the stock Jython ssl module depends on stock Jython's _socket
internals and cannot run on ours), so httplib, urllib2 and friends fall back to
their no-SSL code paths, as they do on a CPython built without OpenSSL.
"""
raise ImportError('ssl is not available yet on jython-netty-sockets '
                  '(plain sockets only; TLS comes with the ssl issue)')
