"""`ltr_numbers`: numbers in parts isolated as left to right in running text, the rest
escaped, so that a right-to-left page shows "19121212-1212" and not "1212-19121212"."""

from __future__ import annotations

from markupsafe import Markup

from marketplace.kernel.templating import ltr_numbers


def test_numbers_in_parts_are_isolated_and_the_rest_escaped():
    shown = ltr_numbers("مثلاً 19121212-1212 <b>, 2026-12-04, kl. 14:30, 3 dagar")
    assert shown == Markup(
        'مثلاً <bdi dir="ltr">19121212-1212</bdi> &lt;b&gt;, <bdi dir="ltr">2026-12-04</bdi>, '
        'kl. <bdi dir="ltr">14:30</bdi>, 3 dagar'
    )
    assert ltr_numbers("Inga siffror här.") == "Inga siffror här."
    # Markup passes as it is; a lone number needs no isolation.
    assert ltr_numbers(Markup("<em>7</em>")) == Markup("<em>7</em>")
