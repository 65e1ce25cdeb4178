"""chatsum.ui"""
