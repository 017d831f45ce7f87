"""scikit-learn's own docstrings, on this package's API pages, made to build.

The estimators inherit public methods from scikit-learn (``set_output``,
``fit_transform``, ``get_metadata_routing``, the ``set_*_request`` methods ...)
and their API pages list them all. Those docstrings cross-reference labels and
glossary terms of scikit-learn's own documentation (``:ref:`User Guide
<metadata_routing>```, ``:term:`meta-estimator```), which do not exist here:
each would be an "undefined label" warning, and ``-W`` makes warnings errors.
This extension rewrites those two roles, in docstrings of scikit-learn's
objects only, into plain links to scikit-learn's site, so that they work
offline and online alike. Python-object roles (``:class:``, ``:func:``) are
left alone: unresolved, they render as code; with intersphinx online, as links.

Their ``versionadded`` notes give scikit-learn's versions, which on this
package's pages read as this package's: those older than the scikit-learn this
package requires are true of every install and are dropped; newer ones say
"scikit-learn".
"""

import re
from pathlib import Path

SKLEARN = "https://scikit-learn.org/stable"
# The labels scikit-learn's docstrings inherited here point to. Any other
# label links to scikit-learn's user guide as a whole.
LABELS = {
    "metadata_routing": "metadata_routing.html",
}
# :ref:`title <label>` or :ref:`label`, with the "the " before it, if any.
_REF = re.compile(r"((?:[Tt]he\s+)?):ref:`(?:([^`<]*?)\s*<([^`>]+)>|([^`<]+))`")
# :term:`title <term>` or :term:`term`
_TERM = re.compile(r":term:`(?:([^`<]*?)\s*<([^`>]+)>|([^`<]+))`")
# sphinx-gallery's labels of scikit-learn's examples: sphx_glr_auto_examples_
# <folder>_plot_<name>.py is the page auto_examples/<folder>/plot_<name>.html.
_EXAMPLE = re.compile(r"sphx_glr_auto_examples_(\w+?)_(plot_\w+)\.py")
_VERSION_NOTE = re.compile(r"( *)\.\. (versionadded|versionchanged):: *([\d.]+)(.*)")


def _version(text):
    return tuple(int(part) for part in text.split(".") if part)


_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
_REQUIRED = _version(re.search(r'"scikit-learn>=([\d.]+)"', _PYPROJECT.read_text())[1])


def _link(text, url):
    return f"`{text} <{url}>`__"


def _ref(match):
    the, title, label = match[1], match[2], match[3]
    if label is None:
        label = match[4]
    example = _EXAMPLE.fullmatch(label)
    if example is not None:
        url = f"{SKLEARN}/auto_examples/{example[1]}/{example[2]}.html"
        return the + _link(title or "this example", url)
    url = f"{SKLEARN}/{LABELS.get(label, 'user_guide.html')}"
    if title and title.lower() != "user guide":
        return the + _link(title, url)
    # "the User Guide" is this package's on its pages: say whose.
    return _link("scikit-learn's user guide", url)


def _term(match):
    title, term = match[1], match[2]
    if term is None:
        title = term = match[3]
    anchor = re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")
    return _link(title, f"{SKLEARN}/glossary.html#term-{anchor}")


def _version_notes(lines):
    """Drop the notes older than the required scikit-learn; name it in the rest."""
    kept = []
    dropping = None  # the indentation of the note being dropped
    for line in lines:
        if dropping is not None:
            if not line.strip() or len(line) - len(line.lstrip()) > dropping:
                continue
            dropping = None
        note = _VERSION_NOTE.fullmatch(line)
        if note is not None:
            indent, kind, version, rest = note.groups()
            if _version(version) <= _REQUIRED:
                dropping = len(indent)
                continue
            line = f"{indent}.. {kind}:: scikit-learn {version}{rest}"
        kept.append(line)
    return kept


def rewrite_sklearn_docstring(app, what, name, obj, options, lines):
    """Make a docstring of scikit-learn's read and build on this package's pages."""
    if not getattr(obj, "__module__", "").startswith("sklearn"):
        return
    text = "\n".join(_version_notes(lines))
    text = _TERM.sub(_term, _REF.sub(_ref, text))
    lines[:] = text.split("\n")


def setup(app):
    # Before numpydoc (priority 500) parses the docstring into sections.
    app.connect("autodoc-process-docstring", rewrite_sklearn_docstring, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
