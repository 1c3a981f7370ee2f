"""PDF copies of the report documents, made by LibreOffice (``soffice --headless``) when it is installed.

One soffice process converts a whole batch, with its own throw-away profile (other conversions may
run at the same time), a timeout after which its whole process group is killed, and nothing left
running afterwards. A font preflight (``fc-list``) says which official fonts are missing and what the
PDF shows instead; the same substitutions are written into the profile so LibreOffice uses them.
Without LibreOffice the reports stay .docx only and the result carries a one-line notice.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

# Official fonts, each with installed look-alikes in order of preference.
OFFICIAL_FONTS: dict[str, tuple[str, ...]] = {
    "方正小标宋简体": (
        "方正小标宋_GBK",
        "FZXiaoBiaoSong-B05S",
        "Noto Serif CJK SC",
        "Source Han Serif SC",
        "思源宋体",
        "AR PL UMing CN",
    ),
    "仿宋_GB2312": (
        "仿宋",
        "FangSong",
        "STFangsong",
        "Noto Serif CJK SC",
        "Source Han Serif SC",
        "思源宋体",
        "AR PL UMing CN",
    ),
    "黑体": (
        "SimHei",
        "Noto Sans CJK SC",
        "Source Han Sans SC",
        "思源黑体",
        "WenQuanYi Zen Hei",
        "文泉驿正黑",
    ),
    "楷体_GB2312": (
        "楷体",
        "KaiTi",
        "STKaiti",
        "AR PL UKai CN",
        "Noto Serif CJK SC",
        "Source Han Serif SC",
    ),
    "宋体": ("SimSun", "Noto Serif CJK SC", "Source Han Serif SC", "思源宋体", "AR PL UMing CN"),
}
_KNOWN_SOFFICE = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)


@dataclass(frozen=True)
class PdfResult:
    """What a conversion made: the PDFs, one-line notices for the operator, and how long it took."""

    pdfs: tuple[Path, ...] = ()
    notices: tuple[str, ...] = ()
    converted: bool = False  # soffice ran (even if some documents failed)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.converted and not any(n.startswith("未能") for n in self.notices)


def find_soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((p for p in _KNOWN_SOFFICE if os.path.exists(p)), None)


def installed_font_families() -> set[str] | None:
    """Families of installed Chinese fonts (``fc-list :lang=zh family``); None without fontconfig."""
    if not shutil.which("fc-list"):
        return None
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def font_substitutions(families: set[str]) -> tuple[dict[str, str], list[str]]:
    """{official font: installed substitute} and one notice per missing official font."""
    pairs: dict[str, str] = {}
    notices = []
    for official, candidates in OFFICIAL_FONTS.items():
        if official in families:
            continue
        substitute = next((c for c in candidates if c in families), None)
        if substitute:
            pairs[official] = substitute
            notices.append(f"未安装字体「{official}」，PDF 中以「{substitute}」代替。")
        else:
            notices.append(
                f"未安装字体「{official}」，也没有可代替的中文字体，PDF 中的文字可能显示不全。"
            )
    return pairs, notices


def _profile_xcu(pairs: dict[str, str]) -> str:
    """LibreOffice user settings: the font replacement table for ``pairs``."""
    nodes = "".join(
        f'<node oor:name="_{i}" oor:op="replace">'
        '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
        '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
        f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{escape(a)}</value></prop>'
        f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{escape(b)}</value></prop></node>'
        for i, (a, b) in enumerate(sorted(pairs.items()))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        '<prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>\n'
        f'<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">{nodes}</item>\n'
        "</oor:items>\n"
    )


def _run(command: list[str], timeout: float) -> str | None:
    """Run soffice in its own process group; on timeout kill the group. An error text, or None."""
    posix = os.name == "posix"
    kwargs: dict = (
        {"start_new_session": True}
        if posix
        else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    )
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    except OSError as exc:
        return f"无法启动 LibreOffice：{exc.strerror or exc}"
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if posix:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.communicate()
        return f"LibreOffice 超过 {timeout:g} 秒未完成，已终止"
    if proc.returncode != 0:
        return (
            f"LibreOffice 退出码 {proc.returncode}：{err.decode('utf-8', 'replace').strip()[:200]}"
        )
    return None


def convert_to_pdf(docs: Sequence[Path], out_dir: Path, *, timeout: float = 180) -> PdfResult:
    """Convert ``docs`` to PDF files named ``<stem>.pdf`` in ``out_dir``, all in one soffice run."""
    docs = [Path(d) for d in docs]
    if not docs:
        return PdfResult()
    soffice = find_soffice()
    if soffice is None:
        return PdfResult(notices=("未安装 LibreOffice（soffice），只生成 Word 文档，未生成 PDF。",))
    started = time.perf_counter()
    families = installed_font_families()
    pairs, notices = font_substitutions(families) if families is not None else ({}, [])
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [out_dir / f"{d.stem}.pdf" for d in docs]
    for target in targets:
        target.unlink(missing_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="workflow_lo_"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(_profile_xcu(pairs), "utf-8")
        command = [
            soffice,
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *[str(d) for d in docs],
        ]
        error = _run(command, timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    made = tuple(t for t in targets if t.exists())
    missing = [d.name for d, t in zip(docs, targets, strict=True) if not t.exists()]
    if missing:
        notices.append(f"未能生成 PDF：{'、'.join(missing)}" + (f"（{error}）" if error else ""))
    return PdfResult(
        pdfs=made, notices=tuple(notices), converted=True, seconds=time.perf_counter() - started
    )


def convert_beside(docs: Sequence[Path], *, timeout: float = 180) -> PdfResult:
    """Like convert_to_pdf, but each PDF lands beside its .docx (documents in several folders, one run)."""
    docs = [Path(d) for d in docs]
    if not docs:
        return PdfResult()
    if len({d.stem for d in docs}) < len(docs):  # same name in two folders: one run per folder
        results = [
            convert_to_pdf([d for d in docs if d.parent == folder], folder, timeout=timeout)
            for folder in dict.fromkeys(d.parent for d in docs)
        ]
        return PdfResult(
            pdfs=tuple(p for r in results for p in r.pdfs),
            notices=tuple(dict.fromkeys(n for r in results for n in r.notices)),
            converted=any(r.converted for r in results),
            seconds=sum(r.seconds for r in results),
        )
    with tempfile.TemporaryDirectory(prefix=".pdf-", dir=docs[0].parent) as tmp:
        result = convert_to_pdf(docs, Path(tmp), timeout=timeout)
        moved = []
        for pdf in result.pdfs:
            doc = next(d for d in docs if d.stem == pdf.stem)
            target = doc.with_suffix(".pdf")
            shutil.move(pdf, target)
            moved.append(target)
    return PdfResult(
        pdfs=tuple(moved),
        notices=result.notices,
        converted=result.converted,
        seconds=result.seconds,
    )
