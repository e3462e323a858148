"""Import a notice a firm already has: its text in, a draft and an import report out.

The steps, in order, and the module of each:
  read      read.py        a paste or an uploaded file (.txt, .md, .html, .docx) to text
  blocks    shapes.py      which shape the text is (tabbed, plain, Markdown, HTML); reading it
                           into chunks of blocks under headings (blocks.py, html_pages.py)
  headings  vocabulary.py  each heading matched to a section of the notice by meaning
  sections  sections.py    the text under each heading put into the draft, the rest kept aside
  fields    fields.py      values inside a section: dates, contact details, bases, rights
  report    pipeline.py    `import_notice` runs the steps and returns an `ImportResult`
"""

from .pipeline import ImportResult, NoticeTooLong, import_notice
from .read import UnreadableFile, read_source

__all__ = ["ImportResult", "NoticeTooLong", "UnreadableFile", "import_notice", "read_source"]
