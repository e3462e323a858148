"""Import a notice a firm already has: its text in, a draft and an import report out.

The steps, in order, and the module of each:
  read      read.py        a paste or an uploaded file (.txt, .md, .html, .docx) to text
  clean     cleanup.py     front matter, template code, comments and leftover markup out (and listed)
  blocks    shapes.py      which shape the text is (tabbed, plain, Markdown, HTML); reading it
                           into chunks of blocks under headings (blocks.py, html_pages.py, which
                           also leaves page chrome out)
  dates     dates.py       the dates the notice states about itself, and the one in force
  split     split.py       where a second notice in the same file starts
  headings  vocabulary.py  each heading matched to a section of the notice by meaning
  sections  sections.py    the text under each heading put into the draft, the rest kept aside;
                           inferred.py and placing.py place text no heading places, by what it says
  fields    fields.py      values inside a section: contact blocks, bases, rights; prose.py finds
                           the controller in running text
  facts     facts.py       the facts (transfers, special categories, automated decisions, where data come from)
  report    pipeline.py    `import_notice` runs the steps and returns an `ImportResult`;
                           draft.py assembles the draft
"""

from .draft import NoticeTooLong
from .pipeline import ImportResult, import_notice, import_parts
from .read import UnreadableFile, read_source

__all__ = ["ImportResult", "NoticeTooLong", "UnreadableFile", "import_notice", "import_parts", "read_source"]
