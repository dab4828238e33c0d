"""Benchmarks for cnnlib, its widgets and the notebooks: ``make bench`` or ``python -m benchmarks.run``.

Not part of the installed library and not collected by pytest; the machinery
(records, targets, the compilation counter, the JSON file) is tested in
``tests/test_benchmarks.py`` without timing anything.
"""
