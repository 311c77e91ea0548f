"""Generic tables: ruled tables that match no form, written as clean tables.

grid (a Table as a cell grid, in the columns of the table it continues) →
stitch (which tables continue which) → header (detect, unwrap, flatten) →
values (numbers typed, codes kept as text) → caption (title and unit above) →
build (one GenericTable) → output (JSON record and CSV).
"""
