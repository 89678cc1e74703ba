"""Document steps: the registry of built-in steps and user-defined ``python:`` steps."""
