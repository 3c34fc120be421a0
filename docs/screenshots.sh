#!/usr/bin/env bash
# make screenshots: recalculate the templates headless, print them with LibreOffice, and keep the
# first page of each sheet as a PNG in docs/screenshots/. Needs soffice and pdftoppm (poppler-utils);
# CJK labels need a CJK font (fonts-wqy-zenhei).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/screenshots
rm -rf "$out" && mkdir -p "$out" docs/screenshots
.venv/bin/cellrules recalc workbook_templates/*.xlsx -o "$out" > /dev/null
.venv/bin/python docs/freeze_volatile.py "$out"/*.xlsx
# A LibreOffice profile that shows the cached values cellrules wrote instead of recalculating on load
# (LibreOffice does not know =TIER and the other cellrules functions).
profile="$PWD/$out/lo-profile"
mkdir -p "$profile/user"
cat > "$profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
XCU
for book in "$out"/*.xlsx; do
  name=$(basename "$book" .xlsx)
  # LibreOffice prints the whole workbook; the first page of each sheet is found by its header
  soffice -env:UserInstallation="file://$profile" --headless --norestore --convert-to pdf --outdir "$out" "$book" > /dev/null 2>&1
  .venv/bin/python docs/pick_pages.py "$book" "$out/$name.pdf" | while read -r page sheet; do
    pdftoppm -png -r 70 -f "$page" -l "$page" -singlefile "$out/$name.pdf" "docs/screenshots/${name}__${sheet}"
  done
done
.venv/bin/python docs/impact_screenshot.py
ls docs/screenshots
