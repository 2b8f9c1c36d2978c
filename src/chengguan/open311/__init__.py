"""Open311 GeoReport v2 server (``/open311/v2/``): citizen reporting apps such as FixMyStreet feed intake."""
