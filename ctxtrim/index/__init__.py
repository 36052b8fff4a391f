"""The per-file analysis of a repository and the lexical index over it.

* `analysis` — what one file yields (language, lines, defined names, terms), and its digest;
* `postings` — term -> doc ids / frequencies in flat arrays;
* `build` — a cold build's chunks of files, analysed in worker processes when large;
* `store` — the documents and postings in memory: add, retire, merge, compact;
* `snapshot` — the whole store as one value for the cache, and back;
* `file_index` — `FileIndex`: building, incremental refresh, edits, and the named lookups
  every other module reads it through.
"""

from .analysis import ANALYSIS_VERSION, Analysis, analyze, digest, doc_terms, find_defs
from .file_index import BuildStats, FileIndex
from .store import Doc

__all__ = [
    "ANALYSIS_VERSION",
    "Analysis",
    "BuildStats",
    "Doc",
    "FileIndex",
    "analyze",
    "digest",
    "doc_terms",
    "find_defs",
]
