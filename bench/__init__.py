"""Benchmarks: ``make bench`` runs ``python -m bench.run`` (see run.py); the other modules
are its parts, and geojson.py / gazetteer.py are standalone benchmarks of the events area."""
