"""Fact providers: base.py (Facts, RepoSource), one module per family of resource kinds,
and registry.py naming every kind with its provider."""
