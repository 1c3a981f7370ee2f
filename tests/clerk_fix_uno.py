"""A clerk's fix of the rejected demo file, done in LibreOffice Calc through UNO (system python3).

Acts only on what the annotated return (校验结果_*.xlsx) says:
 1. R1 on D6: the 自然人 column differs by N (read from the comment); the clerk's own records say
    （一）予以公开 was counted N too many -> lower the unlocked input cell D8 by N.
 2. R3 on J6: the total was typed over and the parts are right -> as the comment says: 审阅—撤销
    工作表保护 (no password), type the formula the comment gives, protect the sheet again.
 3. R5 四、复议诉讼!A6 holds "/" -> type 0 (unlocked input cell).
Then save as .xlsx (Excel 2007-365) under the original file name.

Run with the python that has LibreOffice's ``uno`` module (Debian: python3-uno)::

    python3 tests/clerk_fix_uno.py ANNOTATED.xlsx FIXED.xlsx PROFILE_DIR PORT
"""

import contextlib
import os
import subprocess
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

src, dst, profile, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
proc = subprocess.Popen(
    [
        "soffice",
        "--headless",
        "--invisible",
        "--norestore",
        f"-env:UserInstallation={uno.systemPathToFileUrl(os.path.abspath(profile))}",
        f"--accept=socket,host=127.0.0.1,port={port};urp;",
    ]
)
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext(
    "com.sun.star.bridge.UnoUrlResolver", local
)
for _ in range(120):
    try:
        ctx = resolver.resolve(
            f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
        )
        break
    except Exception:
        time.sleep(0.5)
else:
    proc.kill()
    sys.exit("soffice did not start")
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


doc = desktop.loadComponentFromURL(
    uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (prop("Hidden", True),)
)
sheets = doc.Sheets


def comment(sheet, a1):
    """The note LibreOffice shows on a cell ('' when none): what the clerk reads."""
    cell = sheet.getCellRangeByName(a1)
    return cell.getAnnotation().getString() if cell.getAnnotation() else ""


apply = sheets.getByName("三、依申请公开")
review = sheets.getByName("四、复议诉讼")
print("protected before:", apply.isProtected(), review.isProtected())
# 1. R1 says the 自然人 column is off by N; the clerk knows 予以公开 (D8) was counted N too many.
note = comment(apply, "D6")
gap = int(note.split("相差 ")[1].split("。")[0])
d8 = apply.getCellRangeByName("D8")
d8.setValue(d8.getValue() - gap)  # an unlocked input cell: no unprotect needed
# 2. R3 on J6: the parts are right, so retype the formula the comment gives, after unprotecting
note = comment(apply, "J6")
formula = note.split("改回公式 ")[1].split("（")[0].strip()
apply.unprotect("")
apply.getCellRangeByName("J6").setFormula(formula)
apply.protect("")
# 3. R5: "/" in 表四 -> 0
assert "“/”" in comment(review, "A6")
review.getCellRangeByName("A6").setValue(0)
doc.calculateAll()
print("D8", d8.getValue(), "J6", formula, apply.getCellRangeByName("J6").getValue())
doc.storeToURL(
    uno.systemPathToFileUrl(os.path.abspath(dst)), (prop("FilterName", "Calc Office Open XML"),)
)
doc.close(True)
with contextlib.suppress(Exception):  # the bridge goes away as soffice quits
    desktop.terminate()
proc.wait(timeout=60)
print("saved", dst)
