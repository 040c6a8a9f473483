"""spar-bench: SPAR-Bench evaluation for vision-language models.

Flow: data (rows, validation, fingerprint) -> prompts -> model -> protocols (scoring) -> aggregate -> report.
"""

__version__ = "0.2.0"
