"""The rulebook (事務決裁規程) as a rule: rule on a document's facts (``evaluate``), check a version before it is
stored (``validate``), and pick the version in force on a day (``versions``).

The model is ``schemas.rules.Rulebook``; reading versions from YAML is I/O and lives in ``rules.loader``.
"""
