"""How much memory a process holds, split the way a machine's owner needs it split.

VmRSS counts the pages of mapped files (shared libraries, and the database file, which
reads map: store/schema.py MMAP_BYTES) beside the process's own memory. Those file pages
are the OS's page cache, shared by every process mapping the file and dropped under
pressure, so the benches print the two apart: private (RssAnon) and mapped file (RssFile).
"""

import os
from pathlib import Path


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def memory_mb(pid: int | str = "self") -> tuple[float, float]:
    """(private, mapped file) resident MB of one process; (0, 0) once it is gone."""
    sizes = {"RssAnon:": 0.0, "RssFile:": 0.0, "RssShmem:": 0.0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, *value = line.split()
            if name in sizes:
                sizes[name] = int(value[0]) / 1024
    except OSError:
        pass
    return sizes["RssAnon:"], sizes["RssFile:"] + sizes["RssShmem:"]
