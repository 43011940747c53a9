"""Echo through a WebSocket written with Python's standard library only.

Usage: py_echo.py ws[s]://127.0.0.1:PORT/s/ID/echo CA_PEM
"""
import base64, hashlib, os, socket, ssl, struct, sys
from urllib.parse import urlsplit

url, ca = sys.argv[1], sys.argv[2]
u = urlsplit(url)
sock = socket.create_connection((u.hostname, u.port), timeout=5)
if u.scheme == "wss":
    ctx = ssl.create_default_context(cafile=ca)
    sock = ctx.wrap_socket(sock, server_hostname=u.hostname)
key = base64.b64encode(os.urandom(16)).decode()
sock.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\n"
              f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
head = b""
while b"\r\n\r\n" not in head:
    chunk = sock.recv(1)
    if not chunk:
        sys.exit(f"FAIL python {url}: connection closed during the handshake")
    head += chunk
expected = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
if not head.startswith(b"HTTP/1.1 101") or f"Sec-WebSocket-Accept: {expected}".encode() not in head:
    sys.exit(f"FAIL python {url}: bad handshake response {head!r}")

def send(opcode, payload):
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

def recv_exact(n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            sys.exit(f"FAIL python {url}: connection closed mid-frame")
        data += chunk
    return data

def recv():
    b0, b1 = recv_exact(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", recv_exact(2))[0]
    return b0 & 0x0F, recv_exact(n)

send(0x1, b"hello from python")
opcode, payload = recv()
if (opcode, payload) != (0x1, b"hello from python"):
    sys.exit(f"FAIL python {url}: echo was {(opcode, payload)!r}")
send(0x8, struct.pack(">H", 1000) + b"done")
opcode, payload = recv()
if opcode != 0x8 or payload[:2] != struct.pack(">H", 1000):
    sys.exit(f"FAIL python {url}: close answer was {(opcode, payload)!r}")
print(f"ok   python echo over {u.scheme}: text echoed, close answered with 1000")
