"""The generated corpus of 绩效目标表: seeded contents, one layout per form, six carriers.

content.py (what a form says, and its truth record) → layout.py + templates.py (one
carrier-neutral grid per form) → pdf.py · dump.py · docx.py · xlsx.py · html.py · md.py (the
carriers) ; corpus.py picks the variations per file and writes a split (scripts/make_corpus.py);
scans.py scans a split's PDFs into five scanned carriers with degrade.py's paper and scanner stages
(shared with scripts/make_scans.py).
"""
