"""Benchmarks: scripts run by `make bench` (`python -m tests.bench.run`), not pytest tests.

Modules are named `bench_*.py` so that pytest (which collects `test_*.py`) never picks them up.
"""
