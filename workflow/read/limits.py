"""What reading one untrusted file may cost: bytes, zip members, cells, shared strings and seconds.

A file over a limit is rejected with a ``file-too-large`` finding before it can use more; the
limits are checked on the zip's central directory before anything is decompressed, and while
streaming each sheet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = 20 * MB  # the file on disk (workflow.toml [check] max_file_mb)
    max_members: int = 1000  # entries in the zip
    max_uncompressed_bytes: int = 100 * MB  # sum of declared sizes of all entries
    max_member_ratio: int = 1000  # uncompressed : compressed, for entries over ratio_floor_bytes
    ratio_floor_bytes: int = 1 * MB
    max_cells: int = 100_000  # <c> elements (and rows) streamed, over all sheets read
    max_shared_strings: int = 200_000
    max_seconds: float = 10.0  # wall-clock budget for reading one file

    @classmethod
    def for_max_file_mb(cls, max_file_mb: int) -> Limits:
        return cls(max_file_bytes=max(1, max_file_mb) * MB)


class LimitExceeded(Exception):
    """Reading stopped because the file would cost more than its limits allow.

    ``what`` is a short Chinese phrase for the message ("单元格数量超过 100000 个").
    """

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Budget:
    """Counts cells and strings and watches the clock while one file is read."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0
        self.deadline = time.monotonic() + limits.max_seconds

    def add_cells(self, count: int) -> None:
        self.cells += count
        if self.cells > self.limits.max_cells:
            raise LimitExceeded(f"单元格数量超过 {self.limits.max_cells} 个")
        if self.cells % 512 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"读取时间超过 {self.limits.max_seconds:g} 秒")
