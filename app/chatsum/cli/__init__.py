"""chatsum.cli"""
