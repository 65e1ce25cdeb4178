"""chatsum.core.storage"""
