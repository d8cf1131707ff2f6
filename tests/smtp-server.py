#!/usr/bin/env python3
"""A small SMTP server for tests, on 127.0.0.1: prints its port, then
appends "RECIPIENT<TAB>SUBJECT-HEADER<TAB>BODY" to the log file for each
message it accepts (BODY as sent, its lines joined: base64 for Crm's mail). Recipients starting with "temp" get 451 (try later) the first time,
"reject" get 550."""
import socketserver
import sys
import threading

log_path = sys.argv[1]
seen_temp = set()
lock = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.send("220 test ESMTP")
        rcpts = []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            cmd = raw.decode("utf-8", "replace").strip()
            up = cmd.upper()
            if up.startswith("EHLO") or up.startswith("HELO"):
                self.send("250-test")
                self.send("250 8BITMIME")
            elif up.startswith("MAIL FROM"):
                rcpts = []
                self.send("250 OK")
            elif up.startswith("RCPT TO"):
                addr = cmd[cmd.index(":") + 1:].strip().strip("<>")
                if addr.startswith("reject"):
                    self.send("550 5.1.1 No such user")
                    continue
                if addr.startswith("temp"):
                    with lock:
                        first = addr not in seen_temp
                        seen_temp.add(addr)
                    if first:
                        self.send("451 4.7.1 Try again later")
                        continue
                rcpts.append(addr)
                self.send("250 OK")
            elif up == "DATA":
                self.send("354 go ahead")
                subject = ""
                body = []
                in_body = False
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    if in_body:
                        body.append(line.decode("utf-8", "replace").strip())
                    elif line.strip() == b"":
                        in_body = True
                    elif line.startswith(b"Subject:") and not subject:
                        subject = line.decode().strip()
                with lock, open(log_path, "a") as f:
                    for r in rcpts:
                        f.write(r + "\t" + subject + "\t" + "".join(body) + "\n")
                self.send("250 OK queued")
            elif up == "RSET":
                rcpts = []
                self.send("250 OK")
            elif up == "NOOP":
                self.send("250 OK")
            elif up == "QUIT":
                self.send("221 bye")
                return
            else:
                self.send("502 unknown command")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
