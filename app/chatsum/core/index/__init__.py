"""chatsum.core.index"""
