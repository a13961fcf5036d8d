"""A4 PDF documents written with fpdf2 in DejaVu Sans, with Arabic shaped by HarfBuzz (``uharfbuzz``)."""

from __future__ import annotations

from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


class Document:
    """A page of text blocks: a title, headings and paragraphs, in any of the interface's languages."""

    def __init__(self):
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(True, margin=15)
        self.unicode = DEJAVU.exists()
        if self.unicode:
            bold = DEJAVU.with_name("DejaVuSans-Bold.ttf")
            self.pdf.add_font("body", "", str(DEJAVU))
            self.pdf.add_font("body", "B", str(bold if bold.exists() else DEJAVU))
            self.pdf.set_text_shaping(True)  # Arabic letters joined and ordered right to left
        self.pdf.add_page()

    def line(self, text: str, *, size: int = 10, bold: bool = False, height: float = 5) -> None:
        if self.unicode:
            self.pdf.set_font("body", style="B" if bold else "", size=size)
        else:  # pragma: no cover - Debian ships DejaVu
            self.pdf.set_font("helvetica", size=size)
            text = text.encode("latin-1", "replace").decode("latin-1")
        self.pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    def title(self, text: str) -> None:
        self.line(text, size=16, bold=True, height=8)

    def heading(self, text: str) -> None:
        self.pdf.ln(3)
        self.line(text, size=13, bold=True, height=7)

    def space(self, height: float = 3) -> None:
        self.pdf.ln(height)

    def output(self) -> bytes:
        return bytes(self.pdf.output())
