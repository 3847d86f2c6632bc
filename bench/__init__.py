"""Performance benchmarks (run on demand with ``make bench``; not part of the test suite).

See bench/README.md.
"""
