"""The rulebook versions shipped with ringi (``rules/rulebook/*.yaml``) and the reading of YAML/JSON bodies.

Reading is I/O and parsing: the rules themselves (evaluate, validate, the version in force) are in
``domain.rulebook``.
"""
