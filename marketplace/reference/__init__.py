"""Reference data shared by every package: the JobTech occupation taxonomy, the gazetteer of
Swedish localities, the occupation ids the taxonomy has replaced, and the Swedish word forms
they are looked up by.

Everything here is packaged data (``data/``) read once per process, and pure functions over
it. It imports only the standard library, third-party libraries and the kernel, never a domain
package, so `employers`, `placements` and `search` can all read it without importing each
other (the import rules in docs/architecture.md, checked by import-linter):

- `words`: normalising, folding and stemming Swedish words (what the data is keyed by);
- `taxonomy`: occupations, SSYK-4 groups, skills, languages, keywords and JobTech's
  alternative labels, with their Swedish labels;
- `places`: the gazetteer (a locality's coordinates) and great-circle distance;
- `taxonomy_changes`: the packaged taxonomy's version, and what an outdated occupation id
  stands for today (`resolve_occupation`).

What the search derives from this data (the concept index, the group ranker, the lexicon and
their disk cache) stays in `search`.
"""
