"""Places people name instead of regions ("europe", "ireland", "us east", "asia"): each is
the parts of region names it covers in every cloud (AWS "eu-west-1", Azure "westeurope",
Google "europe-west1"), so a listing "in europe" scans the configured regions there and a
resource "in europe" is looked for there. One vocabulary for the slot filler, the resolver
and the tools."""

from __future__ import annotations

import re
from collections.abc import Iterable

# place -> substrings of the region / location names it covers (lower case)
PLACES: dict[str, tuple[str, ...]] = {
    "europe": ("eu-", "europe"), "european": ("eu-", "europe"), "eu": ("eu-", "europe"),
    "emea": ("eu-", "europe", "me-", "af-", "uae", "southafrica"),
    "ireland": ("eu-west-1", "northeurope"), "dublin": ("eu-west-1", "northeurope"),
    "london": ("eu-west-2", "uksouth", "europe-west2"), "uk": ("eu-west-2", "uksouth", "ukwest", "europe-west2"),
    "frankfurt": ("eu-central-1", "germanywestcentral", "europe-west3"),
    "germany": ("eu-central-1", "germanywestcentral", "europe-west3"),
    "paris": ("eu-west-3", "francecentral", "europe-west9"), "netherlands": ("westeurope", "europe-west4"),
    "virginia": ("us-east-1", "eastus"), "ohio": ("us-east-2",), "oregon": ("us-west-2", "us-west1"),
    "california": ("us-west-1", "westus"),
    "us": ("us-", "eastus", "westus", "centralus", "southcentralus", "northcentralus", "westcentralus"),
    "usa": ("us-", "eastus", "westus", "centralus", "southcentralus", "northcentralus", "westcentralus"),
    "america": ("us-", "ca-", "sa-", "eastus", "westus", "centralus", "canada", "brazil", "northamerica",
                "southamerica"),
    "us east": ("us-east-", "eastus", "us-east"), "east us": ("us-east-", "eastus", "us-east"),
    "us west": ("us-west-", "westus", "us-west"), "west us": ("us-west-", "westus", "us-west"),
    "us central": ("us-central", "centralus"),
    "asia": ("ap-", "asia", "japan", "korea", "india"), "apac": ("ap-", "asia", "australia", "japan", "korea",
                                                               "india"),
    "tokyo": ("ap-northeast-1", "japaneast", "asia-northeast1"), "japan": ("ap-northeast-", "japan", "asia-northeast"),
    "singapore": ("ap-southeast-1", "southeastasia", "asia-southeast1"),
    "sydney": ("ap-southeast-2", "australiaeast", "australia-southeast1"),
    "australia": ("ap-southeast-2", "ap-southeast-4", "australia"),
    "india": ("ap-south-", "india", "asia-south"), "canada": ("ca-", "canada", "northamerica-northeast"),
    "brazil": ("sa-east-1", "brazil", "southamerica-east1"), "africa": ("af-", "southafrica", "africa"),
}
# The same places as colleagues name them in their own language ("europa", "irlanda", "alemania")
PLACES.update({
    "europa": PLACES["europe"], "europeo": PLACES["europe"], "europeu": PLACES["europe"],
    "europaeisch": PLACES["europe"], "europäisch": PLACES["europe"], "européen": PLACES["europe"],
    "irlanda": PLACES["ireland"], "irland": PLACES["ireland"], "irlande": PLACES["ireland"],
    "alemania": PLACES["germany"], "alemanha": PLACES["germany"], "deutschland": PLACES["germany"],
    "allemagne": PLACES["germany"], "londres": PLACES["london"], "francia": PLACES["paris"],
    "frança": PLACES["paris"], "frankreich": PLACES["paris"], "japon": PLACES["japan"], "japão": PLACES["japan"],
    "brasil": PLACES["brazil"], "brasilien": PLACES["brazil"], "estados unidos": PLACES["usa"],
    "eeuu": PLACES["usa"], "eua": PLACES["usa"],
})
# The places a slot may take from the words: multi-word ones first ("us east" before "us")
PLACE_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p).replace(r"\ ", r"[\s-]")
                                             for p in sorted(PLACES, key=len, reverse=True)) + r")\b")


def place_parts(value: str | None) -> tuple[str, ...] | None:
    """The region-name parts ``value`` covers when it is a place ("europe", "us east",
    "us-east"), else None (a region name itself, or nothing)."""
    if not value:
        return None
    key = re.sub(r"[\s_-]+", " ", value.strip().lower())
    return PLACES.get(key)


def in_place(region: str, parts: Iterable[str]) -> bool:
    """Whether ``region`` (any cloud's name for it) lies in the place the parts describe."""
    name = region.lower()
    return any(part in name for part in parts)


def regions_in(place: str, regions: Iterable[str]) -> list[str] | None:
    """The ``regions`` in ``place``, in their order; None when ``place`` names no place (it
    is a region, used as it is)."""
    parts = place_parts(place)
    if parts is None:
        return None
    return [region for region in regions if in_place(region, parts)]


def no_region_there(place: str, regions: Iterable[str], cloud: str = "AWS") -> str:
    """The sentence for a place none of the scanned regions is in: what is scanned instead."""
    names = ", ".join(regions) or "none"
    return f"None of the {cloud} regions Guardian covers ({names}) is in {place}; ask for one of those."
