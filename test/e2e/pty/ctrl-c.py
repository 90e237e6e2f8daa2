# Runs a command on a real pseudo-terminal, as a shell runs a job in a terminal, and types Ctrl-C
# into it once the command has children and has written something. Prints one JSON object:
# the exit code, everything the terminal showed, and the command's child processes just before.
import json
import os
import pty
import select
import sys
import time

delay = float(sys.argv[1])
argv = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)


def children(parent):
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(entry))
    return found


shown = b''
start = time.time()
kids = []
typed = False
while True:
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        shown += data
    if not typed and time.time() - start > delay and shown:
        kids = children(pid)
        os.write(fd, b'\x03')  # the terminal's line discipline turns it into SIGINT
        typed = True
    if time.time() - start > 60:
        break
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
print(json.dumps({'code': code, 'typed': typed, 'children': kids, 'shown': shown.decode('utf-8', 'replace')}))
