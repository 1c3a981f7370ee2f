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
# UTF-8 bytes of a name we make from a department's text: most file systems allow 255 bytes per
# component, and our names add prefixes (回执_, 校验结果_, a hash) and temporary suffixes to it
MAX_NAME_BYTES = 180


def safe_name(text: str, fallback: str = "未命名") -> str:
    """``text`` with characters Windows forbids replaced by "_", no trailing dots or spaces."""
    cleaned = "".join("_" if ch in _UNSAFE or ord(ch) < 32 else ch for ch in text).strip(" .")
    cleaned = fit_bytes(cleaned[:MAX_NAME], MAX_NAME_BYTES).rstrip(" .")
    if cleaned.split(".")[0].upper() in _RESERVED:
        cleaned = f"_{cleaned}"
    return cleaned or fallback


def fit_bytes(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` UTF-8 bytes, never inside a character."""
    data = text.encode("utf-8", "replace")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore")


def short_file_name(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name that fits ``max_bytes`` (its extension kept): a long name is cut and marked
    with "…" (the original name is kept elsewhere: the ledger, the receipt).

    >>> short_file_name("长" * 80 + ".xlsx")[-8:]
    '长长….xlsx'
    >>> short_file_name("a.xlsx")
    'a.xlsx'
    """
    if len(name.encode("utf-8", "replace")) <= max_bytes:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = name, ""
    tail = f"…{dot}{suffix}" if suffix else "…"
    return fit_bytes(stem, max_bytes - len(tail.encode())) + tail


def printable_name(name: str) -> str:
    r"""A file name as text that can be stored and printed: bytes that are not UTF-8 (an old
    Windows share, a zip made on another system) and lone surrogates become U+FFFD.

    >>> printable_name("\udcff\udcfe年报.xlsx")
    '��年报.xlsx'
    """
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return name.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
