"""The rulebook (事務決裁規程) as data: load versions from YAML, validate them, and rule on a document's facts.

Pure but for ``loader`` (which reads the YAML files shipped in ``rules/rulebook/``).
"""
