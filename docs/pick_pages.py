"""For `make screenshots`: the first PDF page of each sheet, found by the sheet's header text."""
import re
import subprocess
import sys

import openpyxl


def main(book: str, pdf: str) -> None:
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout
    pages = [re.sub(r"\s+", " ", p) for p in text.split("\f")]
    wb = openpyxl.load_workbook(book, read_only=True)
    start = 0
    for ws in wb.worksheets:
        first = next(ws.iter_rows(max_row=1, values_only=True), ())
        words = [str(v) for v in first if v is not None][:2]
        pattern = re.compile(r"\s*".join(re.escape(w) for w in " ".join(words).split()))
        for i in range(start, len(pages)):
            if words and pattern.search(pages[i]):
                print(i + 1, re.sub(r"\W+", "_", ws.title).strip("_").lower())
                start = i + 1
                break


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
