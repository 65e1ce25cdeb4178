"""chatsum.core.importers"""
