"""The employers domain's codes, each declared once with its Swedish labels: the type the
schemas validate with, the tuple the tables and the import check against, and the words that
pages, mails, reports and exports show.

The labels are added to the kernel's page labels (`marketplace.kernel.templating.LABELS`) when this
module is imported, which `employers.tables` does, so no template or text needs the kernel to
know this domain.
"""

from __future__ import annotations

from typing import Literal, get_args

from marketplace.kernel.templating import add_labels

# What kind of organisation a host is.
HostKind = Literal["company", "municipal_unit", "association", "public_agency"]
HOST_KINDS: tuple[str, ...] = get_args(HostKind)
HOST_KIND_LABELS: dict[str, str] = {
    "company": "Företag",
    "municipal_unit": "Kommunal enhet",
    "association": "Förening",
    "public_agency": "Offentlig myndighet",
}

# Where a placement happens (the strategy's 85/15 figure: 85 % at real workplaces).
Setting = Literal["open_workplace", "municipal_workplace", "sheltered"]
SETTINGS: tuple[str, ...] = get_args(Setting)
SETTING_LABELS: dict[str, str] = {
    "open_workplace": "Arbetsplats på den öppna arbetsmarknaden",
    "municipal_workplace": "Ordinarie kommunal arbetsplats",
    "sheltered": "Skyddad verksamhet",
}
# The same settings in few words, for a chart's legend and a report's column.
SETTING_SHORT_LABELS: dict[str, str] = {
    "open_workplace": "Öppen arbetsplats",
    "municipal_workplace": "Kommunal arbetsplats",
    "sheltered": "Skyddad verksamhet",
}
# The setting a slot gets from its host's kind, unless the slot says otherwise: a municipal
# unit is a municipal workplace; companies, associations and agencies are ordinary
# workplaces on the labour market.
SETTING_BY_KIND: dict[str, str] = {
    "company": "open_workplace",
    "association": "open_workplace",
    "public_agency": "open_workplace",
    "municipal_unit": "municipal_workplace",
}

add_labels({"host_kind": HOST_KIND_LABELS, "setting": SETTING_LABELS})
