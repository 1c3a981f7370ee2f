"""File and folder names made from unit names and file stems: valid on Windows and POSIX alike.

>>> safe_name('住房和城乡建设局/区人防办')
'住房和城乡建设局_区人防办'
"""

from __future__ import annotations

_UNSAFE = frozenset('<>:"/\\|?*')
_RESERVED = frozenset(
    {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{i}" for i in range(1, 10)),
        *(f"LPT{i}" for i in range(1, 10)),
    }
)
MAX_NAME = 80  # characters of one path component (Windows paths are limited to 260 in all)


def safe_name(text: str, fallback: str = "未命名") -> str:
    """``text`` with characters Windows forbids replaced by "_", no trailing dots or spaces."""
    cleaned = "".join("_" if ch in _UNSAFE or ord(ch) < 32 else ch for ch in text).strip(" .")
    cleaned = cleaned[:MAX_NAME].rstrip(" .")
    if cleaned.split(".")[0].upper() in _RESERVED:
        cleaned = f"_{cleaned}"
    return cleaned or fallback
