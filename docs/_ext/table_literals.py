"""Long literals in tables break after punctuation, never inside a name.

A literal such as ``activation="leaky_relu"`` or
``HistGradientBoostingRegressor(loss="quantile", quantile=...)`` is often
wider than its table cell. HTML breaks a literal only at its spaces; CSS alone
can only add breaks anywhere, which cut names in two (``leaky_re`` / ``lu``).
This extension adds a line-break opportunity (``<wbr>``, which copies as
nothing) after each ``=``, ``(``, ``,`` and dot of the literals inside
tables, HTML output only: ``activation=`` / ``"leaky_relu"``,
``torch.nn.`` / ``CrossEntropyLoss``.
"""

import re

from docutils import nodes

# After = ( , before something to break to; after a dot, only before a name
# (torch.nn.Linear, not 0.01).
_AFTER = re.compile(r"(?<=[=(,])(?=[^\s=(,.)])|(?<=\.)(?=[A-Za-z_])")


def _break_literals(app, doctree, docname):
    for table in doctree.findall(nodes.table):
        for literal in list(table.findall(nodes.literal)):
            if "kbd" in literal["classes"] or literal.get("language"):
                continue
            pieces = []
            for child in literal.children:
                if not isinstance(child, nodes.Text):
                    pieces.append(child)
                    continue
                parts = _AFTER.split(str(child))
                for i, part in enumerate(parts):
                    if i:
                        pieces.append(nodes.raw("", "<wbr>", format="html"))
                    pieces.append(nodes.Text(part))
            literal.children = []
            literal.extend(pieces)


def setup(app):
    app.connect("doctree-resolved", _break_literals)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
