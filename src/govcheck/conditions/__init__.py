"""The conditions of the policy language: base.py (scope, build context), one module per
family of conditions, and registry.py naming them all."""
