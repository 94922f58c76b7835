"""`monitor` resources: model monitoring configs of every platform, read into one shape
(shape.py) by one reader per platform (registry.py), made resources by provider.py."""
